/**
 * A team at a glance: caseload per co-ordinator against capacity, journeys by phase, the MDT review
 * list (reviews due this week, recent readmissions, overdue work) and every open journey, sortable
 * and filterable.
 */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api';
import { BarFigure } from '../components/BarFigure';
import { ChartFigure } from '../components/ChartFigure';
import { DataTable, type Column } from '../components/DataTable';
import { CheckField, SelectField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { useTeamChoice } from '../components/TeamChoice';
import { coordinatorName } from '../directory';
import { day, deadlineLabel, dueWords, journeyLabel, phaseLabel } from '../format';
import { type Caseload, type JourneySummary, type ProgrammeDirectory, type UnroutedAlert } from '../types';
import { useLoad } from '../useLoad';

const WEEK = 7 * 86_400_000;
const MONTH = 30 * 86_400_000;

/** Every open journey of a team, page by page (a team holds hundreds, not tens of thousands). */
export async function openJourneys(teamId: string): Promise<JourneySummary[]> {
  const all: JourneySummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 25; page++) {
    const r = await api<{ items: JourneySummary[]; nextCursor?: string }>(
      'GET',
      `/journeys?team=${encodeURIComponent(teamId)}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    all.push(...r.items);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return all;
}

/** The MDT review list's three lists: the team's open journeys the weekly MDT should look at. */
export function mdtLists(open: JourneySummary[], now: number) {
  return {
    dueThisWeek: open.filter(
      (j) => j.nextDeadline === 'review' && j.nextDueAt && Date.parse(j.nextDueAt) - now <= WEEK,
    ),
    readmitted: open.filter((j) => j.lastReadmissionAt && now - Date.parse(j.lastReadmissionAt) <= MONTH),
    overdue: open.filter((j) => j.overdue),
  };
}

export interface AgendaItem {
  journey: JourneySummary;
  /** Why it is on the list, as the list says it. */
  reasons: string[];
}

/**
 * The MDT meeting's agenda: every journey on the review list once, with each reason it is there —
 * overdue and escalated work first, then readmissions, then reviews due.
 */
export function mdtAgenda(open: JourneySummary[], now: number): AgendaItem[] {
  const { dueThisWeek, readmitted, overdue } = mdtLists(open, now);
  const items = new Map<string, AgendaItem>();
  const add = (js: JourneySummary[], reason: (j: JourneySummary) => string) => {
    for (const j of js) {
      const item = items.get(j.id) ?? { journey: j, reasons: [] };
      item.reasons.push(reason(j));
      items.set(j.id, item);
    }
  };
  add(overdue, (j) => `${deadlineLabel(j.nextDeadline ?? 'deadline')} ${dueWords(j.nextDueAt, now)}`);
  add(readmitted, (j) => `readmitted ${day(j.lastReadmissionAt)}`);
  add(dueThisWeek, (j) => `review ${dueWords(j.nextDueAt, now)}`);
  return [...items.values()];
}

export function TeamView() {
  const { directory, team, picker } = useTeamChoice('/team');
  if (!directory.data) return <ProblemAlert error={directory.error} />;
  if (!team) return <p>You are in no team this dashboard knows about.</p>;
  return (
    <>
      <h1>
        {team.name} <span className="muted">· {team.programme.name}</span>
      </h1>
      {picker}
      <TeamBoard key={team.id} teamId={team.id} programmes={directory.data} />
    </>
  );
}

function TeamBoard({ teamId, programmes }: { teamId: string; programmes: ProgrammeDirectory[] }) {
  const board = useLoad(
    () => api<{ items: Caseload[]; unrouted: UnroutedAlert[] }>('GET', `/caseloads?team=${encodeURIComponent(teamId)}`),
    [teamId],
  );
  const caseloads = { data: board.data?.items, error: board.error };
  const journeys = useLoad(() => openJourneys(teamId), [teamId]);
  const [now] = useState(() => Date.now());
  // The staff directory's names first: a co-ordinator who joined is in no programme file.
  const name = (id: string | null) =>
    caseloads.data?.find((c) => c.coordinatorId === id)?.name ?? coordinatorName(programmes, id);
  const open = journeys.data ?? [];
  const { overdue, dueThisWeek, readmitted } = mdtLists(open, now);
  const byPhase = Object.keys(phaseLabel)
    .filter((p) => p !== 'closed')
    .map((p) => ({ phase: phaseLabel[p]!, count: open.filter((j) => j.phase === p).length }));

  return (
    <>
      <ProblemAlert error={caseloads.error ?? journeys.error} />
      {board.data?.unrouted.length ? <Unrouted alerts={board.data.unrouted} /> : null}
      <div className="grid two">
        <section aria-labelledby="caseload-heading">
          <h2 id="caseload-heading">Caseload against capacity</h2>
          {caseloads.data ? (
            <ChartFigure
              id="caseload"
              caption="Open journeys per co-ordinator, against the most each should hold"
              table={{
                headers: ['Co-ordinator', 'Caseload', 'Capacity', 'Use', 'Away'],
                rows: caseloads.data.map((c) => [
                  c.name,
                  c.caseload,
                  c.capacity,
                  c.capacity ? `${Math.round((c.caseload / c.capacity) * 100)}%` : '—',
                  // While away, their reminders reach the cover (or the leads): the team sees who.
                  c.away
                    ? `until ${day(c.away.until)}: ${c.away.coverId ? `${name(c.away.coverId)} covers` : 'the leads cover'}`
                    : '',
                ]),
              }}
            >
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={caseloads.data} layout="vertical" margin={{ left: 24 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" allowDecimals={false} />
                  <YAxis type="category" dataKey="name" width={120} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="caseload" name="Caseload" fill="#005eb8" />
                  <Bar dataKey="capacity" name="Capacity" fill="#aeb7bd" />
                </BarChart>
              </ResponsiveContainer>
            </ChartFigure>
          ) : (
            <p aria-busy="true">Loading…</p>
          )}
        </section>
        <section aria-labelledby="phase-heading">
          <h2 id="phase-heading">Journeys by phase</h2>
          <BarFigure
            id="phases"
            caption="Open journeys in each phase"
            categoryName="Phase"
            valueName="Journeys"
            rows={byPhase.map((p) => ({ label: p.phase, value: p.count }))}
          />
        </section>
      </div>

      <section aria-labelledby="mdt-heading">
        <h2 id="mdt-heading">MDT review list</h2>
        <p>
          <Link to={`/mdt/${encodeURIComponent(teamId)}`}>MDT meeting: the agenda from this list, and its record</Link>
        </p>
        <div className="grid three">
          <MdtList
            title="Reviews due this week"
            journeys={dueThisWeek}
            detail={(j) => `review ${dueWords(j.nextDueAt, now)}`}
            name={name}
          />
          <MdtList
            title="Readmitted in the last 30 days"
            journeys={readmitted}
            detail={(j) => `readmitted ${day(j.lastReadmissionAt)}`}
            name={name}
          />
          <MdtList
            title="Overdue and escalated"
            journeys={overdue}
            detail={(j) => `${deadlineLabel(j.nextDeadline ?? 'deadline')} ${dueWords(j.nextDueAt, now)}`}
            name={name}
          />
        </div>
      </section>

      <section aria-labelledby="journeys-heading">
        <h2 id="journeys-heading">Open journeys</h2>
        {journeys.loading && !journeys.data ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <JourneyTable journeys={open} name={name} now={now} coordinators={caseloads.data ?? []} />
        )}
      </section>
    </>
  );
}

function MdtList({
  title,
  journeys,
  detail,
  name,
}: {
  title: string;
  journeys: JourneySummary[];
  detail: (j: JourneySummary) => string;
  name: (id: string | null) => string;
}) {
  return (
    <div className="card">
      <h3>
        {title} <span className="count">{journeys.length}</span>
      </h3>
      {journeys.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="plain">
          {journeys.slice(0, 12).map((j) => (
            <li key={j.id}>
              <Link to={`/journeys/${encodeURIComponent(j.id)}`}>{journeyLabel(j)}</Link> · {name(j.coordinatorId)} ·{' '}
              {detail(j)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function JourneyTable({
  journeys,
  name,
  now,
  coordinators,
}: {
  journeys: JourneySummary[];
  name: (id: string | null) => string;
  now: number;
  coordinators: Caseload[];
}) {
  const [phase, setPhase] = useState('');
  const [coordinator, setCoordinator] = useState('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const rows = journeys.filter(
    (j) =>
      (!phase || j.phase === phase) &&
      (!coordinator || (j.coordinatorId ?? 'none') === coordinator) &&
      (!overdueOnly || j.overdue),
  );
  const columns: Column<JourneySummary>[] = [
    {
      key: 'id',
      header: 'Person',
      cell: (j) => (
        <>
          <Link to={`/journeys/${encodeURIComponent(j.id)}`}>{journeyLabel(j)}</Link>
          {j.person ? <span className="muted mono"> {j.person.nhsNumber}</span> : null}
        </>
      ),
      sortValue: (j) => journeyLabel(j),
    },
    {
      key: 'phase',
      header: 'Phase',
      cell: (j) => phaseLabel[j.phase],
      sortValue: (j) => Object.keys(phaseLabel).indexOf(j.phase),
    },
    {
      key: 'coordinator',
      header: 'Co-ordinator',
      cell: (j) => name(j.coordinatorId),
      sortValue: (j) => name(j.coordinatorId),
    },
    {
      key: 'risk',
      header: 'Risk',
      cell: (j) => j.riskTier,
      sortValue: (j) => ['high', 'medium', 'low'].indexOf(j.riskTier),
    },
    {
      key: 'next',
      header: 'Next due',
      cell: (j) => (j.nextDeadline ? `${deadlineLabel(j.nextDeadline)} ${dueWords(j.nextDueAt, now)}` : '—'),
      sortValue: (j) => j.nextDueAt,
    },
    {
      key: 'overdue',
      header: 'Status',
      cell: (j) =>
        j.overdue ? (
          <span className="badge overdue">{dueWords(j.nextDueAt, now).replace(/^overdue/, 'Overdue')}</span>
        ) : (
          <span className="badge">On track</span>
        ),
      sortValue: (j) => (j.overdue ? 0 : 1),
    },
  ];
  return (
    <>
      <div className="filters" role="group" aria-label="Filter journeys">
        <SelectField
          label="Phase"
          emptyLabel="All phases"
          value={phase}
          onChange={setPhase}
          options={Object.entries(phaseLabel)
            .filter(([p]) => p !== 'closed')
            .map(([value, label]) => ({ value, label }))}
        />
        <SelectField
          label="Co-ordinator"
          emptyLabel="Everyone"
          value={coordinator}
          onChange={setCoordinator}
          options={[
            ...coordinators.map((c) => ({ value: c.coordinatorId, label: c.name })),
            { value: 'none', label: 'Unassigned' },
          ]}
        />
        <CheckField label="Overdue only" checked={overdueOnly} onChange={setOverdueOnly} />
      </div>
      <DataTable
        caption={`${rows.length} of ${journeys.length} open journeys`}
        columns={columns}
        rows={rows}
        rowKey={(j) => j.id}
        initialSort={{ key: 'next', direction: 'ascending' }}
        empty="No journeys match."
      />
    </>
  );
}

/**
 * Alerts of the last 30 days that reached no one: the staff directory had nobody left in any role
 * the ladder climbs (HAZ-27). Whoever sees this page acts on them and puts people in the directory.
 */
function Unrouted({ alerts }: { alerts: UnroutedAlert[] }) {
  return (
    <section className="problem" aria-labelledby="unrouted-heading">
      <h2 id="unrouted-heading">
        {alerts.length === 1 ? '1 alert' : `${alerts.length} alerts`} reached no one in this team
      </h2>
      <p>
        The staff directory has no co-ordinator, team lead or service manager here to give them to. Act on them, and add
        people to the team on the <Link to="/staff">Staff</Link> page.
      </p>
      <ul>
        {alerts.map((a) => (
          <li key={a.notificationId}>
            <Link to={`/journeys/${encodeURIComponent(a.journeyId)}`}>{a.message}</Link>{' '}
            <span className="muted">
              ({deadlineLabel(a.deadline)}, {day(a.createdAt)})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
