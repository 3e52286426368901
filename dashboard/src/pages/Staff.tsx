/**
 * A team's staff, from the staff directory: who holds which role, their capacity, who is away and
 * who covers. A team lead records absences for their team (and takes them back); an administrator
 * also adds people, changes them, and records leavers. Journeys follow the directory as it is when
 * they notify or assign, so a change here reaches every running journey at once.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { DataTable } from '../components/DataTable';
import { CheckField, SelectField, TextField } from '../components/Fields';
import { ProblemAlert } from '../components/ProblemAlert';
import { useTeamChoice } from '../components/TeamChoice';
import { day } from '../format';
import { useUser } from '../session';
import { type CaseloadMove, type StaffAbsence, type StaffMember } from '../types';
import { useLoad } from '../useLoad';

const roleLabel: Record<StaffMember['roles'][number], string> = {
  coordinator: 'Co-ordinator',
  'team-lead': 'Team lead',
  'service-manager': 'Service manager',
};

export function Staff() {
  const { directory, team, picker } = useTeamChoice('/staff');
  if (!directory.data) return <ProblemAlert error={directory.error} />;
  if (!team) return <p>You are in no team this dashboard knows about.</p>;
  return (
    <>
      <h1>
        Staff <span className="muted">· {team.name}</span>
      </h1>
      {picker}
      <TeamStaff key={team.id} teamId={team.id} />
    </>
  );
}

function TeamStaff({ teamId }: { teamId: string }) {
  const user = useUser();
  const [round, setRound] = useState(0);
  const staff = useLoad(
    () =>
      api<{ items: (StaffMember & { away?: StaffAbsence; absences: StaffAbsence[] })[] }>(
        'GET',
        `/staff?team=${encodeURIComponent(teamId)}`,
      ).then((r) => r.items),
    [teamId, round],
  );
  const [error, setError] = useState<ApiError>();
  const people = staff.data ?? [];
  const name = (id: string | undefined) => people.find((p) => p.staffId === id)?.name ?? id ?? '';
  const changed = () => setRound((r) => r + 1);
  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      setError(undefined);
      changed();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const manages = user.role === 'team-lead' || user.role === 'admin';
  const absences = people.flatMap((p) => p.absences.map((a) => ({ ...a, name: p.name })));
  return (
    <>
      <ProblemAlert error={staff.error ?? error} />
      <DataTable
        caption={`${people.length} people in the team`}
        rows={people}
        rowKey={(p) => p.staffId}
        empty="The staff directory has no one in this team."
        columns={[
          { key: 'name', header: 'Name', cell: (p) => p.name, sortValue: (p) => p.name },
          { key: 'roles', header: 'Roles', cell: (p) => p.roles.map((r) => roleLabel[r]).join(', ') },
          {
            key: 'capacity',
            header: 'Caseload limit',
            cell: (p) => (p.roles.includes('coordinator') ? String(p.maxCaseload ?? 0) : '—'),
          },
          {
            key: 'away',
            header: 'Away',
            cell: (p) =>
              p.away ? (
                <span data-testid="away-status">
                  Away until {day(p.away.to)}:{' '}
                  {p.away.coverId ? `${name(p.away.coverId)} covers` : 'the team leads cover'}
                </span>
              ) : (
                'Here'
              ),
          },
          ...(user.role === 'admin'
            ? [
                {
                  key: 'leave',
                  header: 'Left',
                  cell: (p: StaffMember) => (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Record that ${p.name} left`}
                      onClick={() => void act(() => api('POST', `/staff/${encodeURIComponent(p.staffId)}/left`))}
                    >
                      Record leaving
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {absences.length ? (
        <DataTable
          caption="Absences, now and to come"
          rows={absences}
          rowKey={(a) => a.absenceId}
          columns={[
            { key: 'who', header: 'Who', cell: (a) => a.name },
            { key: 'from', header: 'From', cell: (a) => day(a.from), sortValue: (a) => a.from },
            { key: 'to', header: 'Until', cell: (a) => day(a.to), sortValue: (a) => a.to },
            { key: 'cover', header: 'Cover', cell: (a) => (a.coverId ? name(a.coverId) : 'The team leads') },
            { key: 'reason', header: 'Reason', cell: (a) => a.reason ?? '' },
            ...(manages
              ? [
                  {
                    key: 'cancel',
                    header: 'Take back',
                    cell: (a: StaffAbsence & { name: string }) => (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`Take back ${a.name}'s absence from ${day(a.from)}`}
                        onClick={() =>
                          void act(() =>
                            api(
                              'DELETE',
                              `/staff/${encodeURIComponent(a.staffId)}/absences/${encodeURIComponent(a.absenceId)}`,
                            ),
                          )
                        }
                      >
                        Take back
                      </button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      ) : null}
      {manages && people.length ? <AbsenceForm people={people} onDone={changed} /> : null}
      <CaseloadMoves teamId={teamId} people={people} canMove={user.role === 'team-lead'} />
      {user.role === 'admin' ? <PersonForm teamId={teamId} onDone={changed} /> : null}
    </>
  );
}

function AbsenceForm({ people, onDone }: { people: StaffMember[]; onDone: () => void }) {
  const [f, setF] = useState({ staffId: '', from: '', to: '', coverId: '', reason: '' });
  const [error, setError] = useState<ApiError>();
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('POST', `/staff/${encodeURIComponent(f.staffId)}/absences`, {
        from: f.from,
        to: f.to,
        ...(f.coverId ? { coverId: f.coverId } : {}),
        ...(f.reason ? { reason: f.reason } : {}),
      });
      setError(undefined);
      setF({ staffId: '', from: '', to: '', coverId: '', reason: '' });
      onDone();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const options = people.map((p) => ({ value: p.staffId, label: p.name }));
  return (
    <form className="card" aria-label="Record an absence" onSubmit={(e) => void submit(e)}>
      <h2>Record an absence</h2>
      <SelectField label="Who is away" value={f.staffId} onChange={set('staffId')} options={options} required />
      <TextField label="From" type="date" value={f.from} onChange={set('from')} required />
      <TextField label="Until" hint="The day they are back" type="date" value={f.to} onChange={set('to')} required />
      <SelectField
        label="Who covers"
        hint="Their reminders and escalations go to this person; with no one named, to the team leads"
        value={f.coverId}
        onChange={set('coverId')}
        options={options.filter((o) => o.value !== f.staffId)}
        emptyLabel="The team leads"
      />
      <TextField
        label="Reason"
        hint="Optional: annual leave, sickness, training"
        value={f.reason}
        onChange={set('reason')}
      />
      <ProblemAlert error={error} />
      <button type="submit">Record the absence</button>
    </form>
  );
}

function PersonForm({ teamId, onDone }: { teamId: string; onDone: () => void }) {
  const [f, setF] = useState({ staffId: '', name: '', email: '', maxCaseload: '', coordinator: true, lead: false });
  const [error, setError] = useState<ApiError>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const roles = [...(f.coordinator ? ['coordinator'] : []), ...(f.lead ? ['team-lead'] : [])];
    try {
      await api('PUT', `/staff/${encodeURIComponent(f.staffId)}`, {
        name: f.name,
        ...(f.email ? { email: f.email } : {}),
        roles,
        teams: [teamId],
        ...(f.maxCaseload ? { maxCaseload: Number(f.maxCaseload) } : {}),
      });
      setError(undefined);
      setF({ staffId: '', name: '', email: '', maxCaseload: '', coordinator: true, lead: false });
      onDone();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <form className="card" aria-label="Add a person" onSubmit={(e) => void submit(e)}>
      <h2>Add a person to this team</h2>
      <TextField
        label="Sign-in id"
        hint="As their sign-in names them"
        value={f.staffId}
        onChange={(v) => setF({ ...f, staffId: v })}
        required
      />
      <TextField label="Name" value={f.name} onChange={(v) => setF({ ...f, name: v })} required />
      <TextField label="Email" value={f.email} onChange={(v) => setF({ ...f, email: v })} />
      <CheckField label="Co-ordinator" checked={f.coordinator} onChange={(v) => setF({ ...f, coordinator: v })} />
      <CheckField label="Team lead" checked={f.lead} onChange={(v) => setF({ ...f, lead: v })} />
      <TextField
        label="Caseload limit"
        hint="The most open journeys they should hold"
        value={f.maxCaseload}
        onChange={(v) => setF({ ...f, maxCaseload: v })}
      />
      <ProblemAlert error={error} />
      <button type="submit">Add to the team</button>
    </form>
  );
}

/**
 * Moving a co-ordinator's caseload to the rest of the team (a leaver, a long absence), and how far
 * each move has got: it runs on its own, and this shows it as it goes.
 */
function CaseloadMoves({ teamId, people, canMove }: { teamId: string; people: StaffMember[]; canMove: boolean }) {
  const [round, setRound] = useState(0);
  const moves = useLoad(
    () =>
      api<{ items: CaseloadMove[] }>('GET', `/caseload-moves?team=${encodeURIComponent(teamId)}`).then((r) => r.items),
    [teamId, round],
  );
  const [from, setFrom] = useState('');
  const [error, setError] = useState<ApiError>();
  /** The move just asked for: it shows once its workflow has recorded its start. */
  const [asked, setAsked] = useState<string>();
  const running =
    (moves.data ?? []).some((m) => !m.done) ||
    (asked !== undefined && !(moves.data ?? []).some((m) => m.moveId === asked));
  // While a move runs, look again every few seconds.
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setRound((r) => r + 1), 3000);
    return () => clearTimeout(t);
  }, [running, round]);
  const name = (id: string) => people.find((p) => p.staffId === id)?.name ?? id;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { moveId } = await api<{ moveId: string }>('POST', '/caseload-moves', { teamId, from });
      setAsked(moveId);
      setError(undefined);
      setFrom('');
      setRound((r) => r + 1);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const coordinators = people.filter((p) => p.roles.includes('coordinator'));
  return (
    <section aria-labelledby="moves-heading" className="card">
      <h2 id="moves-heading">Caseload moves</h2>
      {canMove ? (
        <form aria-label="Move a caseload" onSubmit={(e) => void submit(e)}>
          <SelectField
            label="Move every open journey of"
            hint="To the team's other co-ordinators with room, balanced by capacity"
            value={from}
            onChange={setFrom}
            options={coordinators.map((c) => ({ value: c.staffId, label: c.name }))}
            required
          />
          <ProblemAlert error={error} />
          <button type="submit">Move the caseload</button>
        </form>
      ) : null}
      <ProblemAlert error={moves.error} />
      {(moves.data ?? []).length === 0 ? (
        <p>No caseload has been moved in this team.</p>
      ) : (
        <ul className="plain">
          {(moves.data ?? []).map((m) => (
            <li key={m.moveId} data-testid="caseload-move">
              {name(m.from)}&rsquo;s journeys, asked {day(m.requestedAt)}:{' '}
              <progress
                max={m.total}
                value={m.moved + m.skipped.length + m.notMoved.length}
                aria-label="Moved so far"
              />{' '}
              {m.moved} of {m.total} moved
              {Object.keys(m.movedTo).length
                ? ` (${Object.entries(m.movedTo)
                    .map(([to, n]) => `${n} to ${name(to)}`)
                    .join(', ')})`
                : ''}
              {m.skipped.length ? `; ${m.skipped.length} had moved on already` : ''}
              {m.notMoved.length ? `; ${m.notMoved.length} stayed: ${m.notMoved[0]!.why}` : ''}
              {m.done ? '. Done.' : '…'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
