/**
 * The active stage of a journey: scheduled reviews (which may step the risk tier down, set it, or
 * close the journey) and contacts with the person, one kind of which meets the post-discharge
 * follow-up. It is separate because it is the long-running part of a journey, repeated until it
 * closes, and its rules are about what has happened since the plan rather than about the plan.
 */
import { iso, ms } from './durations.js';
import { stepDown } from './risk.js';
import type { By, CloseCommand, ContactCommand, ReviewCommand } from './commands.js';
import type { Deadline } from './deadlines.js';
import {
  JourneyRuleError,
  meet,
  openNextReview,
  openReview,
  phaseError,
  record,
  reviewInterval,
  ruleInForce,
  type JourneyState,
} from './journeyState.js';

type ContactOutcome = NonNullable<ContactCommand['outcome']>;
import { checkClose, close } from './closing.js';

// ---------------------------------------------------------------------------------------------
// Reviews and contacts

export function checkReview(s: JourneyState, cmd: ReviewCommand): void {
  if (s.phase === 'closed' || s.communityPhase !== 'active') throw phaseError(s, 'record a review');
  // A review that closes the journey must satisfy closing's rules before the review is recorded.
  if (cmd.outcome === 'close') checkClose(s, reviewClosure(cmd));
}

const reviewClosure = (cmd: ReviewCommand): CloseCommand => ({
  reason: cmd.closeReason ?? 'goals-met',
  outcome: cmd.closeOutcome ?? {},
});

export function recordReview(s: JourneyState, cmd: By<ReviewCommand>, now: number): void {
  checkReview(s, cmd);
  const due = openReview(s);
  const tier = cmd.riskTier ?? (cmd.outcome === 'step-down' ? stepDown(s.risk.tier) : s.risk.tier);
  if (tier !== s.risk.tier || cmd.riskTier) s.risk = { ...s.risk, tier, tierSetBy: 'person' };
  s.reviews.push({
    at: iso(now),
    by: cmd.by.sub,
    outcome: cmd.outcome,
    riskTier: tier,
    notes: cmd.notes,
    ...(due ? { dueAt: due.dueAt } : {}),
  });
  if (s.reviews.length > 50) s.reviews.splice(0, s.reviews.length - 50);
  record(s, now, 'review.recorded', cmd.by, `review: ${cmd.outcome}, risk ${tier}`, {
    outcome: cmd.outcome,
    riskTier: tier,
  });
  s.reviews.at(-1)!.seq = s.counters.seq;
  meet(s, due, now, cmd.by);
  if (cmd.outcome === 'close') {
    close(s, { ...reviewClosure(cmd), by: cmd.by }, now);
    return;
  }
  openNextReview(s, now, reviewInterval(s, tier));
}

export function checkContact(s: JourneyState, cmd: ContactCommand, now: number): void {
  if (s.phase === 'closed' || s.phase === 'referred') throw phaseError(s, 'record a contact');
  if (cmd.at && ms(cmd.at) > now)
    throw new JourneyRuleError('invalid', `a contact cannot be in the future (${cmd.at})`);
  if (cmd.at && ms(cmd.at) < ms(s.openedAt))
    throw new JourneyRuleError('invalid', `a contact cannot be before the journey opened (${s.openedAt})`);
}

export function recordContact(s: JourneyState, cmd: By<ContactCommand>, now: number): void {
  checkContact(s, cmd, now);
  const at = cmd.at ? ms(cmd.at) : now;
  const outcome = cmd.outcome ?? 'reached';
  const twoWay = ruleInForce(s, 'two-way-contacts');
  s.contacts.push({
    at: iso(at),
    by: cmd.by.sub,
    kind: cmd.kind,
    channel: cmd.channel,
    ...(twoWay ? { outcome } : {}),
    ...(cmd.notes ? { notes: cmd.notes } : {}),
  });
  if (s.contacts.length > 100) s.contacts.splice(0, s.contacts.length - 100);
  const attempt = twoWay && !isConversation(cmd.channel, outcome);
  record(
    s,
    now,
    'contact.recorded',
    cmd.by,
    `${cmd.kind} contact by ${cmd.channel}${twoWay ? `: ${outcome.replace('-', ' ')}` : ''}`,
    { kind: cmd.kind, channel: cmd.channel, at: iso(at), ...(twoWay ? { outcome, attempt } : {}) },
  );
  s.contacts.at(-1)!.seq = s.counters.seq;
  if (cmd.kind === 'carer') return meetBereavementContact(s, cmd, at, outcome);
  if (cmd.kind !== 'post-discharge') return;
  const d = s.deadlines.find((x) => x.name === 'post-discharge-contact' && x.status === 'open');
  // The follow-up is a conversation after the person came home, not an attempt or one before it.
  if (twoWay && (attempt || at < dischargedAt(s, d))) return;
  meet(s, d, at, cmd.by);
}

/**
 * The bereavement contact after a death in hospital is met by speaking with the carer, or by the
 * carer saying they want no call (`declined`): both are an answer from the carer. Not by a call no
 * one answered, a message left, or a contact before the death.
 */
function meetBereavementContact(s: JourneyState, cmd: By<ContactCommand>, at: number, outcome: ContactOutcome): void {
  const d = s.deadlines.find((x) => x.name === 'bereavement-contact' && x.status === 'open');
  if (!d) return;
  const answered = cmd.channel !== 'message' && (outcome === 'reached' || outcome === 'declined');
  const died = [...s.hospitalStays].reverse().find((x) => x.died)?.dischargedAt;
  if (!answered || (died && at < ms(died))) return;
  meet(s, d, at, cmd.by);
}

/** A two-way contact that reached the person: an answered call, a visit or a video call. */
const isConversation = (channel: ContactCommand['channel'], outcome: ContactOutcome): boolean =>
  outcome === 'reached' && channel !== 'message';

/** When the discharge that the open post-discharge deadline follows happened (the latest one home). */
function dischargedAt(s: JourneyState, d: Deadline | undefined): number {
  if (!d) return -Infinity;
  const stay = [...s.hospitalStays].reverse().find((x) => x.dischargedAt && !x.died);
  return stay?.dischargedAt ? ms(stay.dischargedAt) : -Infinity;
}
