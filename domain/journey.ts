/**
 * The state of one patient's journey through a programme, and the rules that change it.
 *
 * The state is one plain serialisable object: it is the workflow's query answer, the source of
 * the read model and the argument to continue-as-new. Rules are pure functions `(state, command,
 * now) → state'`; each checks that the command fits the journey first (`check*`, used by the
 * API before it sends a command and by the workflow when it arrives, so a refused command changes
 * nothing), then applies it,
 * recording a timeline entry for the audit trail and queueing any side effect (assign a
 * co-ordinator, notify someone) in `outbox` for the workflow to carry out.
 *
 * The rules live in one file per stage; this module gathers them so that callers import one place.
 * `journeyState.ts` holds the state and the helpers the stages share (only what was public before
 * is re-exported here); each stage file imports it, and the core imports no stage.
 */
export {
  calendarOf,
  deliverable,
  fireDueSteps,
  nextStepFires,
  findDeadline,
  JourneyRuleError,
  nextDueAt,
  openReview,
  recipientsFor,
  record,
  RULE_CHANGES,
  ruleInForce,
  team,
  TIMELINE_KEPT,
  type CarePlan,
  type CommunityPhase,
  type Effect,
  type HospitalStay,
  type JourneyState,
  type Notification,
  type RecordedMeasure,
  type ReassignEffect,
  type RecordContent,
  type RuleChange,
  type TimelineEntry,
} from './journeyState.js';
export * from './intakeAndTriage.js';
export * from './coordinator.js';
export * from './assessmentAndCarePlan.js';
export * from './reviewsAndContacts.js';
export * from './hospitalStays.js';
export * from './closing.js';
export * from './adoptRules.js';
export * from './measuresDue.js';
export * from './mdtActions.js';
