/**
 * A team's MDT meeting (issue 21): the agenda, built from the team's MDT review list (reviews due
 * this week, readmissions in the last 30 days, overdue and escalated work), printable on its own;
 * then the meeting recorded as it was held — who attended, and for each case discussed who
 * presented it, what was decided and the actions agreed, each with an owner and a due date. The
 * API keeps it and tells each journey; each action's reminders go to its owner.
 *
 * Native controls in fieldsets with legends, so the keyboard alone records a meeting and a screen
 * reader hears which case each field belongs to; the API's problems are announced (ProblemAlert).
 */
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError } from '../api';
import { CheckField, localToIso, SelectField, TextField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { useTeamChoice } from '../components/TeamChoice';
import { day, deadlineLabel, dueWords, journeyLabel } from '../format';
import type { StaffMember } from '../types';
import { useLoad } from '../useLoad';
import { mdtAgenda, openJourneys, type AgendaItem } from './TeamView';

interface ActionDraft {
  key: string;
  description: string;
  ownerId: string;
  due: string;
}
interface CaseDraft {
  discussed: boolean;
  presenterId: string;
  decision: string;
  actions: ActionDraft[];
}
interface Recorded {
  meeting: { meetingId: string; heldOn: string };
  journeys: { journeyId: string; discussed: string; reassignedTo?: string; reassignment?: string; message?: string }[];
}

const londonToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());

export function MdtMeeting() {
  const { directory, team, picker } = useTeamChoice('/mdt');
  if (!directory.data) return <ProblemAlert error={directory.error} />;
  if (!team) return <p>You are in no team this dashboard knows about.</p>;
  return (
    <>
      <h1>
        MDT meeting: {team.name} <span className="muted">· {team.programme.name}</span>
      </h1>
      <div className="no-print">{picker}</div>
      <Meeting key={team.id} teamId={team.id} teamName={team.name} />
    </>
  );
}

function Meeting({ teamId, teamName }: { teamId: string; teamName: string }) {
  const journeys = useLoad(() => openJourneys(teamId), [teamId]);
  const staff = useLoad(
    () => api<{ items: StaffMember[] }>('GET', `/staff?team=${encodeURIComponent(teamId)}`).then((r) => r.items),
    [teamId],
  );
  const [now] = useState(() => Date.now());
  const agenda = useMemo(() => mdtAgenda(journeys.data ?? [], now), [journeys.data, now]);
  const people = staff.data ?? [];
  const name = (id: string | null) => people.find((p) => p.staffId === id)?.name ?? id ?? 'no one yet';
  if (journeys.error || staff.error) return <ProblemAlert error={journeys.error ?? staff.error} />;
  if (!journeys.data || !staff.data) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <section aria-labelledby="agenda-heading" className="agenda">
        <h2 id="agenda-heading">Agenda</h2>
        <p className="print-only">
          {teamName} MDT, {day(new Date(now).toISOString())}
        </p>
        {agenda.length === 0 ? (
          <p className="muted">Nothing on the MDT review list.</p>
        ) : (
          <table>
            <caption>Cases from the MDT review list, in the order they will be discussed</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Person</th>
                <th scope="col">Co-ordinator</th>
                <th scope="col">Why it is on the list</th>
              </tr>
            </thead>
            <tbody>
              {agenda.map((item, i) => (
                <tr key={item.journey.id}>
                  <td>{i + 1}</td>
                  <td>
                    <Link to={`/journeys/${encodeURIComponent(item.journey.id)}`}>{journeyLabel(item.journey)}</Link>
                    {item.journey.person ? <span className="muted mono"> {item.journey.person.nhsNumber}</span> : null}
                  </td>
                  <td>{name(item.journey.coordinatorId)}</td>
                  <td>{item.reasons.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <button type="button" className="secondary no-print" onClick={() => window.print()}>
          Print agenda
        </button>
      </section>
      <RecordMeeting teamId={teamId} agenda={agenda} people={people} now={now} />
    </>
  );
}

function RecordMeeting({
  teamId,
  agenda,
  people,
  now,
}: {
  teamId: string;
  agenda: AgendaItem[];
  people: StaffMember[];
  now: number;
}) {
  const headingId = useId();
  const [heldOn, setHeldOn] = useState(londonToday);
  const [attendees, setAttendees] = useState<string[]>([]);
  const [guests, setGuests] = useState('');
  const [cases, setCases] = useState<Record<string, CaseDraft>>({});
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<Recorded>();
  // Sent again after no answer (a timeout), the same meeting carries the same key and is kept once.
  const unanswered = useRef<{ key: string; sent: string }>(undefined);
  const draft = (id: string): CaseDraft =>
    cases[id] ?? { discussed: false, presenterId: '', decision: '', actions: [] };
  const change = (id: string, next: Partial<CaseDraft>) => setCases((c) => ({ ...c, [id]: { ...draft(id), ...next } }));
  const present = people.filter((p) => attendees.includes(p.staffId));
  const who = people.map((p) => ({ value: p.staffId, label: p.name }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = {
      heldOn,
      attendees,
      guests: guests
        .split('\n')
        .map((g) => g.trim())
        .filter(Boolean),
      discussed: agenda
        .filter((item) => draft(item.journey.id).discussed)
        .map((item) => {
          const c = draft(item.journey.id);
          return {
            journeyId: item.journey.id,
            presenterId: c.presenterId,
            decision: c.decision,
            actions: c.actions.map((a) => ({
              description: a.description,
              ownerId: a.ownerId,
              due: a.due ? localToIso(a.due) : '',
            })),
          };
        }),
    };
    const sent = JSON.stringify(payload);
    if (unanswered.current?.sent !== sent) unanswered.current = { key: crypto.randomUUID(), sent };
    setBusy(true);
    try {
      const answer = await api<Recorded>('POST', `/teams/${encodeURIComponent(teamId)}/mdt-meetings`, payload, {
        idempotencyKey: unanswered.current.key,
      });
      unanswered.current = undefined;
      setError(undefined);
      setRecorded(answer);
    } catch (e) {
      if (e instanceof ApiError && e.problem.status > 0 && e.problem.status < 500) unanswered.current = undefined;
      setError(e instanceof ApiError ? e : new ApiError({ status: 0, title: 'Network error', detail: String(e) }));
    } finally {
      setBusy(false);
    }
  };

  if (recorded) return <MeetingRecorded recorded={recorded} agenda={agenda} />;
  return (
    <form className="action card no-print mdt-meeting" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h2 id={headingId}>Record the meeting</h2>
      <TextField label="Held on" type="date" required value={heldOn} onChange={setHeldOn} />
      <fieldset className="field">
        <legend>Attendees</legend>
        {people.map((p) => (
          <CheckField
            key={p.staffId}
            label={p.name}
            checked={attendees.includes(p.staffId)}
            onChange={(on) => setAttendees((a) => (on ? [...a, p.staffId] : a.filter((x) => x !== p.staffId)))}
          />
        ))}
      </fieldset>
      <TextField
        label="Others present"
        hint="Not in the staff directory (a hospice consultant, the family's advocate): one per line"
        multiline
        value={guests}
        onChange={setGuests}
      />
      {agenda.map((item, i) => {
        const c = draft(item.journey.id);
        const person = journeyLabel(item.journey);
        return (
          <fieldset key={item.journey.id} className="case">
            <legend>
              {i + 1}. {person}
            </legend>
            <CheckField
              label={`Discussed ${person}`}
              checked={c.discussed}
              onChange={(discussed) => change(item.journey.id, { discussed })}
            />
            {c.discussed ? (
              <>
                <SelectField
                  label={`Presented by (${person})`}
                  hint="An attendee"
                  required
                  value={c.presenterId}
                  onChange={(presenterId) => change(item.journey.id, { presenterId })}
                  options={present.map((p) => ({ value: p.staffId, label: p.name }))}
                />
                <TextField
                  label={`Decision (${person})`}
                  multiline
                  required
                  value={c.decision}
                  onChange={(decision) => change(item.journey.id, { decision })}
                />
                {c.actions.map((a, k) => {
                  const set = (next: Partial<ActionDraft>) =>
                    change(item.journey.id, {
                      actions: c.actions.map((x) => (x.key === a.key ? { ...x, ...next } : x)),
                    });
                  return (
                    <fieldset key={a.key} className="mdt-action">
                      <legend>
                        Action {k + 1} for {person}
                      </legend>
                      <TextField
                        label={`What (action ${k + 1})`}
                        required
                        value={a.description}
                        onChange={(description) => set({ description })}
                      />
                      <SelectField
                        label={`Owner (action ${k + 1})`}
                        hint="Their reminders reach them, or their cover"
                        required
                        value={a.ownerId}
                        onChange={(ownerId) => set({ ownerId })}
                        options={who}
                      />
                      <TextField
                        label={`Due (action ${k + 1})`}
                        type="datetime-local"
                        required
                        value={a.due}
                        onChange={(due) => set({ due })}
                      />
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => change(item.journey.id, { actions: c.actions.filter((x) => x.key !== a.key) })}
                      >
                        Remove action {k + 1} for {person}
                      </button>
                    </fieldset>
                  );
                })}
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    change(item.journey.id, {
                      actions: [...c.actions, { key: crypto.randomUUID(), description: '', ownerId: '', due: '' }],
                    })
                  }
                >
                  Add an action for {person}
                </button>
              </>
            ) : (
              <p className="muted">
                {item.reasons.join('; ')}
                {item.journey.nextDeadline
                  ? ` · next: ${deadlineLabel(item.journey.nextDeadline)} ${dueWords(item.journey.nextDueAt, now)}`
                  : ''}
              </p>
            )}
          </fieldset>
        );
      })}
      <ProblemAlert error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Record meeting'}
      </button>
    </form>
  );
}

function MeetingRecorded({ recorded, agenda }: { recorded: Recorded; agenda: AgendaItem[] }) {
  const label = (id: string) => {
    const j = agenda.find((a) => a.journey.id === id)?.journey;
    return j ? journeyLabel(j) : id;
  };
  const said: Record<string, string> = {
    recorded: 'recorded in the journey',
    'not-confirmed': 'not confirmed yet: look at the journey shortly',
    refused: 'refused by the journey',
  };
  return (
    <section role="status" aria-labelledby="recorded-heading" className="card no-print">
      <h2 id="recorded-heading">Meeting recorded</h2>
      <p>
        The MDT of {day(`${recorded.meeting.heldOn}T12:00:00Z`)} is kept (meeting {recorded.meeting.meetingId}).
      </p>
      <ul>
        {recorded.journeys.map((j) => (
          <li key={j.journeyId}>
            <Link to={`/journeys/${encodeURIComponent(j.journeyId)}`}>{label(j.journeyId)}</Link>: {said[j.discussed]}
            {j.reassignedTo ? `; co-ordinator now ${j.reassignedTo} (${said[j.reassignment ?? 'recorded']})` : ''}
            {j.message ? ` — ${j.message}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
