/**
 * What must hold for every journey, whatever faults it lived through — checked by `npm run chaos`
 * and by the simulated year. Pure: the caller gathers the workflow's own state, the audit trail,
 * the read-model summary and the inbox records of the journey, after the system has gone quiet.
 *
 * - audit: the trail is 1..N with no gap and no repeat, and N is the last event the journey has;
 * - notified-once: every ladder step the journey fired reached its recipients exactly once each —
 *   the team's leads or service managers, or the one named co-ordinator (the leads while there is
 *   none), as the staff directory has them — and no notification exists for a step the journey did not fire;
 * - read-model: the stored summary is the journey's own summary;
 * - escalated: no open deadline has a ladder step that fell due (beyond a grace period) unfired.
 *
 * The chaos run also checks `record` (scripts/chaosCheck.ts, `checkRecord`): the journey's record in
 * DynamoDB (its STATE item and its ENTRY items, ADR 0009) is its workflow's state; and `replay`
 * (`checkReplays`): the journey's history replays from the start.
 */
import { stepTime } from './deadlines.js';
import { deliverable, team, type JourneyState, type Notification, type TimelineEntry } from './journey.js';
import { resolveAudience, type TeamView } from './staff.js';
import { journeySummary, type JourneySummary } from './views.js';

export interface Violation {
  journeyId: string;
  /**
   * `stuck`: the journey's workflow can no longer answer or move (e.g. its task keeps failing).
   * `record`: the journey's record in DynamoDB differs from its workflow's state (scripts/chaosCheck.ts).
   * `replay`: the journey's history does not replay from the start with the code that made it.
   * `emailed-once`: an inbox item's email was not sent, or sent twice (scripts/chaosEmails.ts).
   */
  invariant: 'audit' | 'notified-once' | 'read-model' | 'escalated' | 'stuck' | 'record' | 'replay' | 'emailed-once';
  detail: string;
}

export interface JourneyEvidence {
  state: JourneyState;
  /** The whole audit trail from the store, in any order. */
  audit: Pick<TimelineEntry, 'seq' | 'type' | 'data'>[];
  summary: JourneySummary | undefined;
  /** Every inbox record of this journey, across all recipients. */
  inbox: (Pick<Notification, 'id' | 'kind'> & { recipient: string })[];
  /**
   * The staff directory's view of the journey's team, for a journey that keeps only its
   * programme's rules (domain/programme.ts `rulesOf`): whom its notifications should reach.
   */
  directory?: TeamView;
}

/**
 * Who a ladder step should reach in the journey's team, by role: the staff directory's people for
 * a journey that keeps only the rules (with no one away: a run that checks this keeps no
 * absences), else those its snapshot names, as journeys started before the directory do.
 */
function holdersOf(s: JourneyState, directory: TeamView | undefined) {
  const t = team(s);
  if (t.leads.length > 0 || !directory)
    return { coordinators: t.coordinators.map((c) => c.id), leads: t.leads, serviceManagers: t.serviceManagers };
  const resolved = (role: 'team-lead' | 'service-manager') =>
    resolveAudience({ role, teamId: s.teamId }, directory).map((d) => d.recipient);
  return {
    coordinators: directory.members
      .filter((m) => !m.leftAt && m.roles.includes('coordinator') && m.teams.includes(s.teamId))
      .map((m) => m.staffId),
    leads: resolved('team-lead'),
    serviceManagers: resolved('service-manager'),
  };
}

/**
 * Ladder notifications are keyed `<journeyId>/<deadline id>/<step index>` (domain/journey.ts), and a
 * deadline's id is its name, or its name and `#<n>` for those that recur. Other notices
 * (`admission#1`, `assignment` …) have no step index.
 */
function ladderStep(journeyId: string, notificationId: string): { deadline: string; step: number } | undefined {
  if (!notificationId.startsWith(`${journeyId}/`)) return undefined;
  const match = /^(.+)\/(\d+)$/.exec(notificationId.slice(journeyId.length + 1));
  return match ? { deadline: match[1]!.split('#')[0]!, step: Number(match[2]) } : undefined;
}

const tally = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function checkJourney(e: JourneyEvidence, now: number, graceMs: number): Violation[] {
  const { state: s } = e;
  const out: Violation[] = [];
  const fail = (invariant: Violation['invariant'], detail: string) =>
    out.push({ journeyId: s.journeyId, invariant, detail });

  // The audit trail: 1..N, each once, N = the journey's last event.
  const seqs = e.audit.map((a) => a.seq).sort((a, b) => a - b);
  const repeated = seqs.filter((q, i) => i > 0 && seqs[i - 1] === q);
  if (repeated.length) fail('audit', `audit events repeated: ${[...new Set(repeated)].join(', ')}`);
  const missing: number[] = [];
  for (let q = 1, i = 0; q <= s.counters.seq; q += 1) {
    while (i < seqs.length && seqs[i]! < q) i += 1;
    if (seqs[i] !== q) missing.push(q);
  }
  if (missing.length)
    fail(
      'audit',
      `audit events missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`,
    );
  if (seqs.length && seqs.at(-1)! > s.counters.seq)
    fail('audit', `audit has events beyond the journey's last (${seqs.at(-1)} > ${s.counters.seq})`);
  if (s.counters.audited !== s.counters.seq)
    fail('audit', `journey has audited ${s.counters.audited} of ${s.counters.seq} events`);

  // Each fired ladder step: one notification id, reaching each of the step's recipients once.
  const perRecipient = tally(e.inbox.map((i) => `${i.recipient} ${i.id}`));
  for (const [key, count] of perRecipient) if (count > 1) fail('notified-once', `${key} notified ${count} times`);
  const recipients = new Map<string, string[]>();
  for (const item of e.inbox)
    if (ladderStep(s.journeyId, item.id))
      recipients.set(item.id, [...new Set([...(recipients.get(item.id) ?? []), item.recipient])]);
  const fired = tally(
    e.audit
      .filter((a) => a.type === 'deadline.step')
      .map((a) => `${String(a.data?.deadline)} step ${String(a.data?.step)}`),
  );
  const notified = tally(
    [...recipients.keys()].map((id) => ladderStep(s.journeyId, id)!).map((l) => `${l.deadline} step ${l.step}`),
  );
  for (const key of new Set([...fired.keys(), ...notified.keys()])) {
    const f = fired.get(key) ?? 0;
    const n = notified.get(key) ?? 0;
    if (f > n) fail('notified-once', `${key}: fired ${f} times, ${n} notification${n === 1 ? '' : 's'} stored`);
    if (n > f) fail('notified-once', `${key}: ${n} notifications stored, fired ${f} time${f === 1 ? '' : 's'}`);
  }
  const t = holdersOf(s, e.directory);
  for (const [id, who] of recipients) {
    const step = s.programme.escalation[ladderStep(s.journeyId, id)!.step];
    if (!step) {
      fail('notified-once', `${id} is no step of the programme's ladder`);
      continue;
    }
    const right =
      step.notify === 'team-lead'
        ? sameSet(who, t.leads)
        : step.notify === 'service-manager'
          ? sameSet(who, t.serviceManagers)
          : (who.length === 1 && t.coordinators.includes(who[0]!)) || sameSet(who, t.leads);
    if (!right) fail('notified-once', `${id} (to the ${step.notify}) reached ${who.join(', ')}`);
  }

  // The read model is the journey's own summary (overdue is computed when read).
  if (!e.summary) fail('read-model', 'no summary in the read model');
  else {
    const { overdue: _a, ...expected } = journeySummary(s, now);
    const { overdue: _b, ...stored } = e.summary;
    const differs = (Object.keys(expected) as (keyof typeof expected)[]).filter(
      (k) => JSON.stringify(expected[k]) !== JSON.stringify(stored[k]),
    );
    if (differs.length)
      fail(
        'read-model',
        `summary differs in ${differs.map((k) => `${k} (stored ${JSON.stringify(stored[k])}, journey ${JSON.stringify(expected[k])})`).join('; ')}`,
      );
  }

  // No open deadline is left with a due ladder step unfired.
  const ladder = s.programme.escalation;
  for (const d of s.deadlines) {
    if (d.status !== 'open' || d.pausedSince) continue;
    ladder.forEach((step, i) => {
      if (d.ladderStep <= i && stepTime(d, step, deliverable(s)) <= now - graceMs)
        fail(
          'escalated',
          `${d.name} (${d.id}) step ${i} (${step.kind} to ${step.notify}) due ${new Date(stepTime(d, step, deliverable(s))).toISOString()} not fired`,
        );
    });
  }
  return out;
}
