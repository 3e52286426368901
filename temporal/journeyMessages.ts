/**
 * The careJourney workflow's messages: what the API and the worker agree on. Everything that
 * changes a journey arrives as a signal (docs/adr explains why not updates); senders read what
 * became of it through the queries. Sandbox-safe: the workflow bundle imports this file, so it
 * may import only `@temporalio/workflow` and domain types. The names are part of every recorded
 * history: renaming one breaks the replay of open journeys.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type * as c from '../domain/commands.js';
import type * as J from '../domain/journey.js';
import type { CommandOutcome, CommandRequest } from '../domain/journeyCommands.js';
import type { JourneyReferral } from '../domain/referral.js';

/**
 * Every message carries the time it was sent, stamped by its sender (the API, or the worker for a
 * caseload move), and the journey applies it as of then: its decisions never read the clock of
 * the workflow task that happens to apply it, which sdk-core can hand over differently live and on
 * replay (ADR 0010). Older senders sent none; journeys started since the `message-times` patch
 * refuse a command without one and ignore a hospital event without one.
 */

/**
 * What a message carepath did not send arrives as: the payload codec puts `{ [REFUSED]: reason }`
 * in its place (temporal/payloadCodec.ts, signed payloads), and the journey refuses it.
 */
export const REFUSED = 'carepath-refused';
/** Why a message was refused by the codec, or undefined for one carepath sent. */
export const refusedBecause = (...message: unknown[]): string | undefined => {
  for (const part of message)
    if (typeof part === 'object' && part !== null && REFUSED in part)
      return String((part as Record<string, unknown>)[REFUSED]);
  return undefined;
};

/**
 * A referral for an open journey. `sent.sentAt` is when the API signalled it: the journey applies
 * it as of then (its `receivedAt` may be earlier, the referrer's date).
 */
export const referralSignal = defineSignal<[JourneyReferral, { sentAt: string }]>('referral');
/** A hospital's admission, discharge or transfer; `receivedAt` is when carepath received it. */
export const hospitalEventSignal = defineSignal<[HospitalEventMessage]>('hospitalEvent');
export type HospitalEventMessage = c.HospitalEvent & { receivedAt: string };
/** A co-ordinator's or lead's action: triage, assessment, care plan, review, contact, reassign, close. */
export const commandSignal = defineSignal<[CommandRequest]>('command');
export const journeyQuery = defineQuery<J.JourneyState>('journey');
/** What became of a command: undefined until the journey has taken it in. */
export const commandOutcomeQuery = defineQuery<CommandOutcome | undefined, [string]>('commandOutcome');
/** What became of a referral sent by signal-with-start: undefined until the journey has taken it in. */
export const referralStatusQuery = defineQuery<ReferralStatus | undefined, [string]>('referralStatus');

export type ReferralStatus =
  | { journeyId: string; merged: boolean; phase: c.Phase }
  /** It arrived as the journey closed: it opens the next episode, which the caller should ask about. */
  | { nextEpisode: true };
