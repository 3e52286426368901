/**
 * The programmes the bench runs: the five built-in ones (so the ADT feed fans out as it would in
 * a real deployment) plus three bench programmes whose durations make the measures observable.
 * They are ordinary programme configuration, validated by the same schema.
 */
import { builtInProgrammes } from '../domain/builtInProgrammes.js';
import { parseProgrammes } from '../config/programmeFiles.js';
import type { Programme, ProgrammeInput } from '../domain/programme.js';

export const HOLD = { programme: 'bench-hold', team: 'bench-hold-team', lead: 'bench-hold-lead' } as const;
export const TIMER = { programme: 'bench-timer', team: 'bench-timer-team', lead: 'bench-timer-lead' } as const;
export const FLOW = { programme: 'bench-flow', team: 'bench-flow-team', lead: 'bench-flow-lead' } as const;
export const RECORD = { programme: 'bench-record' } as const;

const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;

const team = (id: string, lead: string, coordinators: number) => ({
  id,
  coordinators: Array.from({ length: coordinators }, (_, i) => ({
    id: `${id}-coord-${i + 1}`,
    name: `Bench co-ordinator ${i + 1}`,
    maxCaseload: 1_000_000,
  })),
  leads: [lead],
  serviceManagers: [`${id}-manager`],
});

/** `timerLeadSeconds`: how long after its referral a timer probe's triage deadline falls due. */
export function benchProgrammes(timerLeadSeconds: number): Programme[] {
  const bench: ProgrammeInput[] = [
    {
      // Waits for a triage decision for a month: each journey holds one open timer (its reminder, 29 days out).
      ...frailty,
      id: HOLD.programme,
      name: 'Bench: journeys holding open timers',
      teams: [team(HOLD.team, HOLD.lead, 10)],
      eligibility: {},
      deadlines: { ...frailty.deadlines, triage: 'P30D' },
    },
    {
      // Triage due a few seconds after referral, one ladder step at the due time: an inbox item for the lead.
      ...frailty,
      id: TIMER.programme,
      name: 'Bench: timer probes',
      teams: [team(TIMER.team, TIMER.lead, 2)],
      eligibility: {},
      deadlines: { ...frailty.deadlines, triage: `PT${timerLeadSeconds}S` },
      escalation: [{ at: 'PT0S', notify: 'team-lead', kind: 'overdue' }],
    },
    {
      // Accepted at once and assigned, so journeys can be taken to `active` and through hospital.
      ...frailty,
      id: FLOW.programme,
      name: 'Bench: hospital transitions',
      teams: [team(FLOW.team, FLOW.lead, 4)],
      eligibility: { autoAcceptRiskScore: 0 },
    },
  ];
  return parseProgrammes({ programmes: [...builtInProgrammes, ...bench] }, 'bench programmes');
}

/**
 * The programme of the journeys the read measure records straight into DynamoDB (bench/recordedJourneys.ts):
 * the frailty virtual ward's rules with `teams` teams of `coordinatorsPerTeam`. The API is not told
 * of it: a journey is read from its recorded state, which carries its programme.
 */
export function recordProgramme(teams: number, coordinatorsPerTeam: number): Programme {
  const input: ProgrammeInput = {
    ...frailty,
    id: RECORD.programme,
    name: 'Bench: recorded journeys',
    // Several teams route referrals by postcode district: one each.
    teams: Array.from({ length: teams }, (_, t) => ({
      ...team(recordTeam(t), `${recordTeam(t)}-lead`, coordinatorsPerTeam),
      postcodes: [`TQ${t + 1}`],
    })),
  };
  return parseProgrammes({ programmes: [input] }, 'bench record programme')[0]!;
}
export const recordTeam = (t: number): string => `record-team-${t}`;
