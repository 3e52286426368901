/**
 * What a co-ordinator or lead can ask of a journey, as one table: for each command its schema, the
 * check that it fits the journey as it stands, and the rule that applies it. The API checks a
 * command against the journey before sending it (so most bad requests never reach the workflow);
 * the workflow checks it again when it arrives (the journey may have moved on) and records the
 * outcome, which the API reads back.
 *
 * Commands travel as Temporal *signals*, not updates: a signal is a history event written before
 * the workflow task that handles it, so live execution and replay see it in the same place. An
 * update that arrives while the worker is restarting can be applied in a different order on
 * replay than it was live (sdk-core orders the two differently), which left journeys stuck on a
 * non-determinism error after a worker was killed — see README "Reliability and security".
 */
import type { z } from 'zod';
import * as c from './commands.js';
import * as J from './journey.js';

export const commandTypes = [
  'triage',
  'assessment',
  'care-plan',
  'complete-action',
  'review',
  'contact',
  'record-measure',
  'reassign',
  'close',
  'reported-discharge',
  'adopt-rules',
  'mdt-discussion',
  'complete-mdt-action',
] as const;
export type CommandType = (typeof commandTypes)[number];

/** A command as the workflow receives it: who asked is inside `command.by`. */
export interface CommandRequest {
  /** Chosen by the sender, unique per command; the outcome is kept under it. */
  commandId: string;
  type: CommandType;
  command: unknown;
  /**
   * When it was sent (ISO 8601), stamped by the sender: the time the journey applies it at and
   * checks "not in the past" against, never the journey's own clock. A journey refuses a command
   * without one (journeys started before the `message-times` patch used their clock instead).
   */
  sentAt: string;
  /**
   * The episode the sender meant. The API reads journeys from the record, which may be an earlier,
   * closed episode of the same workflow: the journey refuses a command meant for another episode.
   */
  journeyId?: string;
}

export type RejectionType = 'phase' | 'not-found' | 'invalid' | 'capacity';

export type CommandOutcome =
  | { ok: true; revision: number; phase: c.Phase }
  | { ok: false; type: RejectionType; message: string; issues?: { path: string[]; message: string }[] };

/** Each command's body as a client sends it (who asked is added by the API from the caller's token). */
export const commandPayloads = {
  triage: c.triageCommand,
  assessment: c.assessmentCommand,
  'care-plan': c.carePlanCommand,
  'complete-action': c.completeActionCommand,
  review: c.reviewCommand,
  contact: c.contactCommand,
  'record-measure': c.recordMeasureCommand,
  reassign: c.reassignCommand,
  close: c.closeCommand,
  'reported-discharge': c.reportedDischargeCommand,
  'adopt-rules': c.adoptRulesCommand,
  'mdt-discussion': c.mdtDiscussionCommand,
  'complete-mdt-action': c.completeMdtActionCommand,
} satisfies Record<CommandType, z.ZodType>;

interface CommandRule<A> {
  schema: z.ZodType<A>;
  /** Throws a JourneyRuleError when the command does not fit the journey now. */
  check: (s: J.JourneyState, cmd: A, now: number) => void;
  /** Applies the command; absent when the workflow must first ask the caseload store (reassign). */
  apply?: (s: J.JourneyState, cmd: A, now: number) => void;
}

const rule = <A>(r: CommandRule<A>) => r as CommandRule<unknown>;

/**
 * A co-ordinator's own work — an assessment, a care plan, an action completed, a contact — done by
 * someone else (a team lead, or another co-ordinator, covering an absence) is recorded as cover:
 * each entry it makes names whom it covered for, so the audit trail says who did the work and in
 * whose place (HAZ-07).
 */
const coordinatorWork =
  <A extends { by: c.Actor }>(apply: (s: J.JourneyState, cmd: A, now: number) => void) =>
  (s: J.JourneyState, cmd: A, now: number): void => {
    const before = s.counters.seq;
    apply(s, cmd, now);
    if (cmd.by.sub === s.coordinatorId) return;
    const coverFor = s.coordinatorId;
    for (const e of s.timeline)
      if (e.seq > before) {
        e.data = { ...e.data, coverFor };
        e.detail += coverFor ? ` (as cover for ${coverFor})` : ' (as cover: no co-ordinator named yet)';
      }
  };

export const commandRules: Record<CommandType, CommandRule<unknown>> = {
  triage: rule({
    schema: c.withActor(c.triageCommand),
    check: (s, cmd) => J.checkTriage(s, cmd),
    apply: (s, cmd, now) => J.decideTriage(s, cmd, now),
  }),
  assessment: rule({
    schema: c.withActor(c.assessmentCommand),
    check: (s) => J.checkAssessment(s),
    apply: coordinatorWork((s, cmd, now) => J.recordAssessment(s, cmd, now)),
  }),
  'care-plan': rule({
    schema: c.withActor(c.carePlanCommand),
    check: (s, cmd, now) => J.checkCarePlan(s, cmd, now),
    apply: coordinatorWork((s, cmd, now) => J.agreeCarePlan(s, cmd, now)),
  }),
  'complete-action': rule({
    schema: c.withActor(c.completeActionCommand),
    check: (s, cmd) => J.checkCompleteAction(s, cmd),
    apply: coordinatorWork((s, cmd, now) => J.completeAction(s, cmd, now)),
  }),
  review: rule({
    schema: c.withActor(c.reviewCommand),
    check: (s, cmd) => J.checkReview(s, cmd),
    apply: (s, cmd, now) => J.recordReview(s, cmd, now),
  }),
  contact: rule({
    schema: c.withActor(c.contactCommand),
    check: (s, cmd, now) => J.checkContact(s, cmd, now),
    apply: coordinatorWork((s, cmd, now) => J.recordContact(s, cmd, now)),
  }),
  'record-measure': rule({
    schema: c.withActor(c.recordMeasureCommand),
    check: (s, cmd, now) => void J.checkRecordMeasure(s, cmd, now),
    apply: coordinatorWork((s, cmd, now) => J.recordMeasure(s, cmd, now)),
  }),
  reassign: rule({ schema: c.withActor(c.reassignCommand), check: (s, cmd) => J.checkReassign(s, cmd) }),
  close: rule({
    schema: c.withActor(c.closeCommand),
    check: (s, cmd) => J.checkClose(s, cmd),
    apply: (s, cmd, now) => J.close(s, cmd, now),
  }),
  'reported-discharge': rule({
    schema: c.withActor(c.reportedDischargeCommand),
    check: (s, cmd, now) => J.checkReportedDischarge(s, cmd, now),
    apply: coordinatorWork((s, cmd, now) => J.recordReportedDischarge(s, cmd, now)),
  }),
  // The client sends why; the API adds the programme's current rules (lambdas/routes/journeys.ts).
  'adopt-rules': rule({
    schema: c.withActor(c.adoptRulesWithProgramme),
    check: (s, cmd) => J.checkAdoptRules(s, cmd),
    apply: (s, cmd, now) => J.adoptRules(s, cmd, now),
  }),
  // Sent by the API for each journey of an MDT meeting it has recorded (lambdas/routes/mdtMeetings.ts).
  'mdt-discussion': rule({
    schema: c.withActor(c.mdtDiscussionCommand),
    check: (s, cmd, now) => J.checkMdtDiscussion(s, cmd, now),
    apply: (s, cmd, now) => J.recordMdtDiscussion(s, cmd, now),
  }),
  // Not co-ordinator's work: whoever owns the action (or the team, for them) marks it done.
  'complete-mdt-action': rule({
    schema: c.withActor(c.completeMdtActionCommand),
    check: (s, cmd) => void J.checkCompleteMdtAction(s, cmd),
    apply: (s, cmd, now) => J.completeMdtAction(s, cmd, now),
  }),
};

/**
 * Parses and checks a command against the journey. Returns the parsed command, or the rejection
 * the caller is told about (rule errors by their code, schema errors as `invalid` field by field).
 */
/** The commands a journey still takes after the person died in hospital. */
const AFTER_A_DEATH: readonly CommandType[] = ['close', 'contact', 'reassign', 'complete-mdt-action'];

export function checkCommand(
  s: J.JourneyState,
  type: CommandType,
  raw: unknown,
  now: number,
): { command: unknown } | { rejected: Extract<CommandOutcome, { ok: false }> } {
  const r = commandRules[type];
  const parsed = r.schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    return {
      rejected: {
        ok: false,
        type: 'invalid',
        message: issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
        issues,
      },
    };
  }
  if (s.phase === 'closed')
    return { rejected: { ok: false, type: 'phase', message: `Journey ${s.journeyId} has closed.` } };
  // After a death in hospital nothing new is planned or chased: the journey is closed as
  // deceased. A contact (with the family), a reassignment and an MDT action done are still recorded.
  if (s.hospitalStays.at(-1)?.died && !AFTER_A_DEATH.includes(type))
    return {
      rejected: {
        ok: false,
        type: 'phase',
        message: `The person died in hospital; close journey ${s.journeyId} as deceased.`,
      },
    };
  try {
    r.check(s, parsed.data, now);
  } catch (error) {
    if (error instanceof J.JourneyRuleError)
      return { rejected: { ok: false, type: error.code, message: error.message } };
    throw error;
  }
  return { command: parsed.data };
}
