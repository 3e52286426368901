/**
 * careJourney — one patient's episode in one care co-ordination programme, from referral to
 * closure, as a durable Temporal workflow.
 *
 *   referred → triage → assessment → care-planning → active ⇄ in-hospital → closed
 *
 * Handlers take messages in; the main loop applies them (the rules live in domain/journey.ts). It
 * finds the earliest escalation step of every open deadline, sleeps until it or until a message
 * arrives, fires what is due or applies what arrived, carries out queued side effects through
 * activities, writes the record, and goes round again. One timer at a time; every due time is
 * data, so continue-as-new and worker restarts lose none.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../activities/contract.js';
import * as c from '../domain/commands.js';
import * as J from '../domain/journey.js';
import type { Notification } from '../domain/journey.js';
import { journeyIdFor } from '../domain/journeyIds.js';
import { checkCommand, commandRules, type CommandOutcome, type CommandRequest } from '../domain/journeyCommands.js';
import type { Programme } from '../domain/programme.js';
import { attachContent, snapshotOf } from '../domain/record.js';
import { journeyReferralSchema, type JourneyReferral } from '../domain/referral.js';
import { journeySummary } from '../domain/views.js';
import * as SA from '../temporal/searchAttributes.js';
import {
  commandOutcomeQuery,
  commandSignal,
  hospitalEventSignal,
  journeyQuery,
  referralSignal,
  referralStatusQuery,
  refusedBecause,
} from '../temporal/journeyMessages.js';

export type CareJourneyInput = {
  /**
   * History events at which the journey continues as new: counted by the journey itself since the
   * `continue-as-new-by-count` patch (about 500 by default), Temporal's history length before it.
   */
  maxHistoryEvents?: number;
} & (
  | {
      start: { patientId: string; programme: Programme; teamId: string };
      referrals?: JourneyReferral[];
      /**
       * When the sender started it (the API's clock, or the closing episode's for the next one):
       * the journey is opened, and `referrals` received, as of then. Older starts carry none.
       */
      startedAt?: string;
    }
  | { resume: J.JourneyState; outcomes?: [string, CommandOutcome][] }
);

export interface JourneyResult {
  journeyId: string;
  closure: J.JourneyState['closure'];
}

/**
 * The patch that stands for every change listed with it: each is still named where it is used, and
 * still patched on its own for runs recorded before the baseline. The list is fixed; a change made
 * since is patched on its own, baseline or not, until a later baseline takes it in.
 */
const BASELINE = 'baseline-2026-12';
const IN_BASELINE: ReadonlySet<string> = new Set([
  'effects-in-hand',
  'same-however-chunked',
  'message-times',
  'continue-as-new-by-count',
  'search-attributes-carried',
  'notify-with-record',
  'next-step-from-journey-time',
  'past-steps-once',
  'two-way-contacts',
  'person-decides-triage',
  'staff-from-directory',
]);

/** Outcomes are kept for the most recent commands only: senders read theirs within seconds. */
const OUTCOMES_KEPT = 50;

/**
 * A run's length, in history events as the journey counts them and in time. A short run keeps the
 * history Temporal holds for an open journey small (it is replayed whenever the journey leaves the
 * worker's cache), and a run a month long at most keeps a quiet journey's history short too.
 */
const RUN_EVENTS = 500;
const RUN_MS = 30 * 86_400_000;

/**
 * History events as the journey counts them, each an upper estimate of what the step adds: an
 * activity is scheduled, started and completed, and the task that takes its result is scheduled,
 * started and completed; a timer is started, and fires into a task of its own, or is cancelled; a
 * message is a signal and, at most, a task. Counted in the main loop only, as it acts, so the count
 * is the same live and on replay however sdk-core hands the tasks over (Temporal's own
 * `historyLength` is not: it is the length at whichever task the code happens to run in).
 */
const EVENTS = { start: 30, activity: 6, upsert: 1, timerStarted: 1, timerFired: 4, timerCancelled: 1, message: 4 };
type Spend = (events: number) => void;

const acts = proxyActivities<JourneyActivities>({
  // Each activity is a few DynamoDB or SES calls, each cut off after 4 s (activities/dynamo.ts).
  // The timeout is what frees a journey whose worker died mid-activity — until it passes, the
  // journey waits, commands included — so it is kept short.
  startToCloseTimeout: '10 seconds',
  // No attempt limit: a DynamoDB outage delays the journey's side effects, it never drops them.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function careJourney(input: CareJourneyInput): Promise<JourneyResult> {
  const info = workflowInfo();
  // Started by someone other than carepath (the codec refused its input): it ends at once, so that
  // it holds no journey's workflow id and fails no task.
  const startRefused = refusedBecause(input);
  if (startRefused !== undefined) {
    log.warn('journey start refused: carepath did not send it', { workflowId: info.workflowId, reason: startRefused });
    return { journeyId: '', closure: undefined };
  }
  const startedAt = 'start' in input && input.startedAt ? Date.parse(input.startedAt) : Date.now();
  // The episode is named after its first run as started: an operator's reset (temporal/journeyReset.ts)
  // gives the workflow a new run id, not the journey a new id.
  const s: J.JourneyState =
    'resume' in input
      ? input.resume
      : J.newJourney(
          {
            ...input.start,
            workflowId: info.workflowId,
            journeyId: journeyIdFor(info.workflowId, info.originalExecutionRunId),
          },
          startedAt,
        );
  // Every change below is in force for a run started under the baseline: one patch marker (and the
  // one `TemporalChangeVersion` upsert sdk-core adds to it, a visibility write on the server) where
  // there were eleven of each in every run's first task. Runs recorded before it replay through the
  // changes' own markers.
  const baseline = patched(BASELINE);
  const since = (change: string): boolean => (baseline && IN_BASELINE.has(change)) || patched(change);
  // Journeys started before effects were carried out in hand (see carryOutEffects) replay as they ran.
  const effectsInHand = since('effects-in-hand');
  // Journeys started before messages waited for the main loop (see `receive`) replay as they ran.
  const sameHoweverChunked = since('same-however-chunked');
  // Journeys started before every message carried its time (temporal/journeyMessages.ts) fall back
  // to the clock of the task that applies a message; later ones never do.
  const messageTimes = since('message-times');
  // Journeys started before the journey counted its own history continue as new on Temporal's
  // history length, which sdk-core's folding of tasks on replay can change.
  const byCount = since('continue-as-new-by-count');
  // Journeys started before a run knew the search attributes it was started with upsert them all
  // again in each run's first round; later runs upsert only what changed (a billable action each).
  const attributesCarried = since('search-attributes-carried');
  // Journeys started before notifications went out with the record write that follows them send
  // each in an activity of its own (two billable actions per ladder step, where one does).
  const notifyWithRecord = since('notify-with-record');
  // Journeys started before the next step's time was reckoned from the journey's own time (the
  // latest message or timer) read the task's clock for it, which sdk-core's folding of tasks on
  // replay can change; it matters only on a working calendar, for a step already due.
  const journeyTime = since('next-step-from-journey-time');
  /** Notifications taken from the outbox, to go out with the next record write (`notifyWithRecord`). */
  const notifying: Notification[] = [];
  let spent = EVENTS.start;
  const spend: Spend = (events) => void (spent += events);
  /** The latest time the journey has acted at (a message's, a timer's): the run's age is measured to it. */
  let latest = info.runStartTime.getTime();
  const saw = (at: number): void => void (latest = Math.max(latest, at));
  // Rule changes a running journey could notice apply to journeys started since (domain/journeyState.ts).
  for (const rule of J.RULE_CHANGES)
    if (since(rule) && !J.ruleInForce(s, rule)) s.rulesInForce = [...(s.rulesInForce ?? []), rule];
  /** Referrals that arrived as the episode closed, with when each was sent: they open the next one. */
  const lateReferrals: { referral: JourneyReferral; sentAt: string }[] = [];
  const outcomes = new Map<string, CommandOutcome>('resume' in input ? (input.outcomes ?? []) : []);
  let changed = true;
  /**
   * Messages as they arrived, each to be applied by the main loop when it next waits (in
   * `untilArrivedOrDue`), never by its handler.
   *
   * Why: after a worker restart, sdk-core can hand a fresh worker the events of one workflow task
   * in two activations live — a timer's firing or an activity's result first, then the signals
   * that arrived after the task was scheduled — and in one activation on every replay, with the
   * signals first. A message applied by its handler would be applied at a different point of the
   * loop live than on replay, and the loop would then set a different timer or schedule a different
   * activity (`[TMPRL1100]`, seen in the chaos runs). Applied at the wait, a message takes effect at
   * the same point of the loop however the task was handed over, and a timer that fired with it
   * goes first, as it does live.
   */
  const arrived: { sentAt: number; apply: () => void }[] = [];
  const receive = (sentAt: unknown, apply: () => void): void => {
    if (!sameHoweverChunked) return apply();
    const at = typeof sentAt === 'string' ? Date.parse(sentAt) : NaN;
    arrived.push({
      sentAt: Number.isNaN(at) ? Infinity : at,
      apply: () => {
        spend(EVENTS.message);
        if (!Number.isNaN(at)) saw(at);
        apply();
      },
    });
  };
  /** Applies the messages sent before `sentBefore` (all of them without it), in the order they arrived. */
  const applyArrived = (sentBefore?: number): void => {
    const now = arrived.filter((m) => sentBefore === undefined || m.sentAt < sentBefore);
    arrived.splice(0, arrived.length, ...arrived.filter((m) => !now.includes(m)));
    for (const m of now) m.apply();
  };

  const decided = (commandId: string, outcome: CommandOutcome): void => {
    outcomes.set(commandId, outcome);
    for (const oldest of outcomes.keys()) {
      if (outcomes.size <= OUTCOMES_KEPT) break;
      outcomes.delete(oldest);
    }
  };
  const accepted = (): CommandOutcome => ({ ok: true, revision: s.counters.revision, phase: s.phase });
  /**
   * Before anything that arrives is applied, the ladder steps that fell due before it was sent
   * fire, in that order. Decided from the message's own time (history), not from whether the
   * timer's firing was seen first: sdk-core has handed a signal and a timer in one task to the
   * journey in one order live and the other on replay.
   *
   * The steps are stamped with the time each fell due, not the message's: the same step fires on
   * the timer when the timer's firing is handed over first, and it must read the same either way.
   * A message is applied at its own time too, never the activation's clock, which differs between
   * a task handed over in two activations and the same task replayed in one.
   */
  const catchUp = (sentAt: string | undefined): number => {
    const at = sentAt === undefined ? NaN : Date.parse(sentAt);
    if (Number.isNaN(at)) return Date.now();
    J.fireDueSteps(s, at, sameHoweverChunked ? 'when-due' : at);
    return at;
  };

  setHandler(journeyQuery, () => s);
  setHandler(commandOutcomeQuery, (commandId) => outcomes.get(commandId));
  setHandler(referralStatusQuery, (referralId) => {
    if (lateReferrals.some((r) => r.referral.referralId === referralId)) return { nextEpisode: true };
    if (!s.referrals.some((r) => r.referralId === referralId)) return undefined;
    return { journeyId: s.journeyId, merged: s.referrals[0]!.referralId !== referralId, phase: s.phase };
  });

  /**
   * A message the payload codec refused (not sealed and signed by carepath's API: a forged command
   * in someone's name, say) is logged and goes no further: it changes nothing, and decides nothing.
   */
  const refused = (signal: string, ...message: unknown[]): boolean => {
    const reason = refusedBecause(...message);
    if (reason !== undefined)
      log.warn('message refused: carepath did not send it', { journeyId: s.journeyId, signal, reason });
    return reason !== undefined;
  };
  setHandler(referralSignal, (referral, sent) => {
    if (refused('referral', referral, sent)) return;
    receive(sent?.sentAt ?? referral?.receivedAt, () => applyReferral(referral, sent?.sentAt));
  });
  setHandler(hospitalEventSignal, (event) => {
    if (refused('hospitalEvent', event)) return;
    receive(event?.receivedAt, () => applyHospitalEvent(event));
  });
  setHandler(commandSignal, (request) => {
    if (refused('command', request)) return;
    receive(request?.sentAt, () => applyCommand(request));
  });

  function applyReferral(referral: JourneyReferral, sentAt: string | undefined): void {
    const parsed = journeyReferralSchema.safeParse(referral);
    if (!parsed.success) return log.warn('referral signal ignored: invalid', { journeyId: s.journeyId });
    if (s.phase === 'closed') lateReferrals.push({ referral: parsed.data, sentAt: sentAt ?? parsed.data.receivedAt });
    else {
      const at = catchUp(sameHoweverChunked ? (sentAt ?? parsed.data.receivedAt) : parsed.data.receivedAt);
      try {
        const seq = s.counters.seq;
        J.receiveReferral(s, parsed.data, sameHoweverChunked ? at : Date.now()); // checks before it changes anything
        attachContent(s, seq, 'referral', 'referral', parsed.data);
      } catch (error) {
        // The API checked it already; a refusal here must not fail the workflow task (that stops the journey).
        if (!(error instanceof J.JourneyRuleError)) throw error;
        log.warn('referral signal refused', { journeyId: s.journeyId, reason: error.code });
      }
    }
    changed = true;
  }
  function applyHospitalEvent(event: c.HospitalEvent): void {
    const parsed = c.hospitalEventSchema.safeParse(event);
    if (!parsed.success) return log.warn('hospital event ignored: invalid', { journeyId: s.journeyId });
    if (messageTimes && !isTime(parsed.data.receivedAt))
      return log.warn('hospital event ignored: it does not say when carepath received it', { journeyId: s.journeyId });
    const at = catchUp(parsed.data.receivedAt);
    const seq = s.counters.seq;
    J.hospitalEvent(s, parsed.data, sameHoweverChunked ? at : Date.now());
    attachContent(s, seq, 'hospital-event', parsed.data.event, parsed.data);
    changed = true;
  }
  function applyCommand(request: CommandRequest): void {
    if (typeof request?.commandId !== 'string' || !(request.type in commandRules))
      return log.warn('command signal ignored: malformed', { journeyId: s.journeyId });
    if (outcomes.has(request.commandId)) return; // sent twice: it has been decided already
    if (messageTimes && !isTime(request.sentAt))
      return decided(request.commandId, {
        ok: false,
        type: 'invalid',
        message: 'A command must say when it was sent (sentAt, an ISO 8601 time).',
      });
    // Sent to an earlier episode of this workflow (the API read the record of one that has closed).
    if (request.journeyId !== undefined && request.journeyId !== s.journeyId)
      return decided(request.commandId, {
        ok: false,
        type: 'phase',
        message: `Journey ${request.journeyId} has closed; refer again to open a new episode.`,
      });
    // The command is checked again here (the journey may have moved on since the sender looked) and
    // applied as of when it was sent: the sender's clock travels in the signal, so "not in the past"
    // means the same live and on replay, and the timeline says when the person acted.
    const at = catchUp(typeof request.sentAt === 'string' ? request.sentAt : undefined);
    const checked = checkCommand(s, request.type, request.command, at);
    if ('rejected' in checked) return decided(request.commandId, checked.rejected);
    const apply = commandRules[request.type].apply;
    if (apply) {
      try {
        const seq = s.counters.seq;
        apply(s, checked.command, at); // rules check before they change anything
        attachContent(s, seq, 'command', request.type, checked.command);
      } catch (error) {
        // A refusal must never fail the workflow task: that would stop the journey.
        if (!(error instanceof J.JourneyRuleError)) throw error;
        return decided(request.commandId, { ok: false, type: error.code, message: error.message });
      }
      decided(request.commandId, accepted());
    } else {
      // Reassignment waits for the caseload store, which may refuse; the main loop asks it.
      s.outbox.push({
        type: 'reassign',
        commandId: request.commandId,
        command: checked.command as J.ReassignEffect['command'],
        at,
      });
    }
    changed = true;
  }

  // ---- Main loop ----------------------------------------------------------------------------
  for (const referral of 'start' in input ? (input.referrals ?? []) : []) {
    const seq = s.counters.seq;
    J.receiveReferral(s, referral, startedAt);
    attachContent(s, seq, 'referral', 'referral', referral);
  }
  const maxHistory = input.maxHistoryEvents ?? (byCount ? RUN_EVENTS : 2000);
  let projected = -1;
  // A run starts with search attributes: the API's, for a journey it started, or the last run's,
  // which continue-as-new carries over (the server copies them when the command names none). What
  // it already holds need not be upserted.
  let searchKey = attributesCarried
    ? SA.searchKeyOf(SA.heldSearchAttributes(workflowInfo().typedSearchAttributes))
    : '';
  /** The ladder time the last timer was set for, once that timer has fired. */
  let timerFiredFor: number | undefined;
  /** The timer set for the next ladder step (`untilArrivedOrDue`). */
  let alarm: Alarm | undefined;

  const effectOptions: EffectOptions = {
    inHand: effectsInHand,
    effectTimes: messageTimes,
    spend,
    ...(notifyWithRecord ? { notifying } : {}),
  };

  for (;;) {
    changed = false;
    // Steps fire when the timer set for them fires, never by reading the clock: a worker that
    // picks a journey up after a restart can be handed a stale clock for that task (an sdk-core
    // quirk seen in the chaos runs), and a decision taken from it would not replay.
    if (timerFiredFor !== undefined) {
      saw(timerFiredFor);
      J.fireDueSteps(s, timerFiredFor, sameHoweverChunked ? 'when-due' : Math.max(timerFiredFor, Date.now()));
    }
    timerFiredFor = undefined;
    await carryOutEffects(s, decided, effectOptions);
    await writeAuditAndReadModel();
    if (s.phase === 'closed') break;
    const longEnough = byCount
      ? spent >= maxHistory || latest - info.runStartTime.getTime() >= RUN_MS
      : workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxHistory;
    if (longEnough && arrived.length === 0) {
      await condition(allHandlersFinished);
      await settle();
      return continueAsNew<typeof careJourney>({ resume: s, outcomes: [...outcomes], maxHistoryEvents: maxHistory });
    }
    // Effects queued while the last ones were carried out go now, before any wait.
    if (s.outbox.length > 0) continue;
    // Out of quiet hours on a working calendar (the same instant for a programme without one).
    const next = J.nextStepFires(s, journeyTime ? latest : Date.now());
    if (sameHoweverChunked) timerFiredFor = await untilArrivedOrDue(next);
    else if (next === undefined) await condition(() => changed);
    else timerFiredFor = await untilChangedOrDue(next);
  }

  await condition(allHandlersFinished);
  await settle();
  if (lateReferrals.length > 0) {
    // Referrals that arrived while this episode closed open the next one, under the same workflow id.
    const first = lateReferrals[0]!;
    return continueAsNew<typeof careJourney>({
      start: { patientId: s.patientId, programme: s.programme, teamId: first.referral.teamId },
      referrals: lateReferrals.map((r) => r.referral),
      ...(messageTimes ? { startedAt: first.sentAt } : {}),
      maxHistoryEvents: maxHistory,
    });
  }
  return { journeyId: s.journeyId, closure: s.closure };

  /** Applies what arrived, carries out every queued effect and records the journey, until nothing is left to do. */
  async function settle(): Promise<void> {
    do {
      applyArrived();
      await carryOutEffects(s, decided, effectOptions);
      await writeAuditAndReadModel();
    } while (s.outbox.length > 0 || arrived.length > 0);
  }

  /**
   * Waits for a message or for the ladder step due at `next`. Answers `next` if the timer fired
   * (the loop then fires what is due), or applies what arrived and answers undefined.
   *
   * The timer is set again only when `next` moved, so a message that leaves the ladder as it was
   * costs no timer. When the timer fired with messages waiting, those sent before the step fell
   * due are applied first (so work done in time is not chased), then the step fires, and the rest
   * wait for the next wait: a message that came with the timer in one task was sent after the
   * task was scheduled, so after the step fell due, and live sdk-core hands the timer over first
   * (see `arrived`). The timer's firing is read from its own flag, set one microtask after the
   * timer's job; the loop looks only after yielding past it.
   */
  async function untilArrivedOrDue(next: number | undefined): Promise<number | undefined> {
    if (!alarm?.fired && alarm?.at !== next) {
      if (alarm) spend(EVENTS.timerCancelled);
      alarm?.scope.cancel();
      alarm = next === undefined ? undefined : setAlarm(next);
      if (alarm) spend(EVENTS.timerStarted);
    }
    await condition(() => arrived.length > 0 || alarm?.fired === true);
    for (let i = 0; i < 3; i += 1) await Promise.resolve(); // let this activation's other jobs land
    if (alarm?.fired) {
      const at = alarm.at;
      spend(EVENTS.timerFired);
      alarm = undefined;
      applyArrived(at);
      return at;
    }
    applyArrived();
    return undefined;
  }

  /**
   * For journeys started before `same-however-chunked`: waits for a change or for the ladder step
   * due at `next`; answers `next` if its timer fired. A step already due still waits for a (1 ms)
   * timer, so that firing it is a history event.
   *
   * The timer's firing is read from its own flag, not from which of the two woke the loop first:
   * when a signal and the timer land in the same activation, sdk-core has handed them over in one
   * order live and the other on replay, and the journey must decide the same both times. All jobs
   * of an activation are applied before any continuation runs; the flag is set one microtask after
   * the timer's job, and the loop looks only after yielding past it.
   */
  async function untilChangedOrDue(next: number): Promise<number | undefined> {
    let fired = false;
    const timer = new CancellationScope();
    const done = timer
      .run(() => {
        const due = sleep(Math.max(1, next - Date.now()));
        due.then(
          () => void (fired = true),
          () => undefined,
        );
        return due;
      })
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    await condition(() => changed || fired);
    for (let i = 0; i < 3; i += 1) await Promise.resolve(); // let this activation's other jobs land
    if (!fired) {
      timer.cancel();
      await done;
    }
    return fired ? next : undefined;
  }

  async function writeAuditAndReadModel(): Promise<void> {
    const pending = s.timeline.filter((e) => e.seq > s.counters.audited);
    const revision = s.counters.revision;
    // Sent after the record is written, in the same activity: one billable action, not two.
    const notifications = notifying.splice(0);
    if (pending.length > 0 || projected !== revision || notifications.length > 0) {
      // The activity writes the entries and audit trail before the state, so the state it records
      // can already say they are written: the record is the state as it stands after this write.
      const asked = pending.length > 0 ? pending.at(-1)!.seq : s.counters.audited;
      spend(EVENTS.activity);
      const recorded = await acts.recordJourney({
        ...(pending.length > 0
          ? { audit: { journeyId: s.journeyId, programmeId: s.programme.id, teamId: s.teamId, events: pending } }
          : {}),
        ...(projected !== revision
          ? {
              summary: journeySummary(s, Date.now()),
              snapshot: { ...snapshotOf(s), counters: { ...s.counters, audited: asked } },
            }
          : {}),
        ...(notifications.length > 0 ? { notifications } : {}),
      });
      // What was written is what the activity says (history keeps its result), not what this
      // continuation computed: after a worker restart sdk-core can hand a task's events to the
      // journey in two activations live and one on replay, so a message applied between them live
      // is already in the state here on replay (README, "Reliability and security"). A result
      // from before activities said so (undefined) is what was asked.
      const audited = recorded ? (recorded.audited ?? s.counters.audited) : asked;
      projected = recorded ? (recorded.revision ?? projected) : revision;
      // The record has what was entered now; the journey's state need not carry it any further.
      for (const e of s.timeline) if (e.seq <= audited) delete e.content;
      s.counters.audited = audited;
    }
    const attributes = SA.searchAttributesFor(s);
    const key = SA.searchKeyOf(attributes.map((a) => a.value));
    if (key !== searchKey) {
      searchKey = key;
      spend(EVENTS.upsert);
      upsertSearchAttributes(
        attributes.map(({ key, value }) => ({ key, value })) as Parameters<typeof upsertSearchAttributes>[0],
      );
    }
  }
}

/** Whether a message's time is an ISO 8601 time the journey can apply it at. */
const isTime = (t: unknown): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t));

/** A timer for a ladder step; `fired` is set once it fires, not when it is cancelled. */
interface Alarm {
  at: number;
  scope: CancellationScope;
  fired: boolean;
}

/** A timer for the ladder step due at `at` (at least 1 ms, so a step already due is a history event). */
function setAlarm(at: number): Alarm {
  const alarm: Alarm = { at, scope: new CancellationScope(), fired: false };
  alarm.scope
    .run(() => sleep(Math.max(1, at - Date.now())))
    .then(
      () => void (alarm.fired = true),
      (error: unknown) => {
        if (!isCancellation(error)) throw error;
      },
    );
  return alarm;
}

interface EffectOptions {
  inHand: boolean;
  effectTimes: boolean;
  spend: Spend;
  /** Where notifications go to be sent with the record write that follows (`notify-with-record`). */
  notifying?: Notification[];
}

/**
 * Carries out queued side effects in order; each is removed only once its activity succeeded.
 * With `inHand`, only the effects queued when it starts: one a message queues meanwhile waits for
 * the next round. Live, sdk-core may hand that message over after this call's continuation ran;
 * on replay, before it — and what this call does must not depend on which.
 *
 * With `effectTimes`, an assignment is recorded at the time of the decision that queued it (the
 * triage, the reassign command), not at the clock of the task its result comes back in. Each
 * activity is counted towards the run's length (`spend`). With `notifying`, a notification is not
 * an activity of its own: it is handed on, to go out with the record write that follows.
 */
async function carryOutEffects(
  s: J.JourneyState,
  decided: (commandId: string, outcome: CommandOutcome) => void,
  { inHand, effectTimes, spend, notifying }: EffectOptions,
): Promise<void> {
  let left = inHand ? s.outbox.length : Infinity;
  while (s.outbox.length > 0 && left-- > 0) {
    const effect = s.outbox[0]!;
    if (effect.type === 'notify' && notifying) {
      notifying.push(effect.notification);
      s.outbox.shift();
      continue;
    }
    // Every effect but a reassignment of a closed journey is one activity.
    spend(EVENTS.activity);
    if (effect.type === 'notify') await acts.notify(effect.notification);
    else if (effect.type === 'release')
      await acts.releaseCoordinator({ journeyId: s.journeyId, teamId: s.teamId, coordinatorId: effect.coordinatorId });
    else if (effect.type === 'reassign') await reassign(s, effect, decided, effectTimes);
    else {
      const t = J.team(s);
      const { coordinatorId } = await acts.assignCoordinator({
        journeyId: s.journeyId,
        programmeId: s.programme.id,
        teamId: t.id,
        coordinators: t.coordinators,
      });
      s.outbox.shift();
      J.assigned(s, coordinatorId, effectTimes && effect.at !== undefined ? effect.at : Date.now());
      continue;
    }
    s.outbox.shift();
  }
}

async function reassign(
  s: J.JourneyState,
  effect: J.ReassignEffect,
  decided: (commandId: string, outcome: CommandOutcome) => void,
  effectTimes: boolean,
): Promise<void> {
  const { command } = effect;
  if (s.phase === 'closed')
    return decided(effect.commandId, { ok: false, type: 'phase', message: `Journey ${s.journeyId} has closed.` });
  const t = J.team(s);
  const { coordinatorId, notInTeam } = await acts.assignCoordinator({
    journeyId: s.journeyId,
    programmeId: s.programme.id,
    teamId: s.teamId,
    coordinators: t.coordinators,
    to: command.coordinatorId,
    from: s.coordinatorId,
  });
  if (!coordinatorId)
    return decided(
      effect.commandId,
      notInTeam
        ? { ok: false, type: 'invalid', message: `${command.coordinatorId} is not a co-ordinator in team ${s.teamId}` }
        : { ok: false, type: 'capacity', message: `${command.coordinatorId} has no capacity` },
    );
  // A close command may have arrived while the caseload store was answering.
  if ((s.phase as c.Phase) === 'closed') {
    // Closed while the place was being moved: closing released the old place; give back the new one.
    s.outbox.push({ type: 'release', coordinatorId });
    return decided(effect.commandId, {
      ok: false,
      type: 'phase',
      message: `Journey ${s.journeyId} closed during the reassignment.`,
    });
  }
  const seq = s.counters.seq;
  J.reassigned(s, command, effectTimes && effect.at !== undefined ? effect.at : Date.now());
  attachContent(s, seq, 'command', 'reassign', command);
  decided(effect.commandId, { ok: true, revision: s.counters.revision, phase: s.phase });
}
