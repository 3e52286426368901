/**
 * Every notification delivered to a person in a chaos run was emailed to them once, although SES
 * refused a share of the sends (scripts/fakeSes.ts). From each inbox item the check works out the
 * email that should have gone (`emailFor`, the channel's own) and counts the ones SES accepted:
 *
 * - none: the email was lost (a refused send not tried again, or a send skipped);
 * - more than one: sent twice. SES takes no idempotency key, so one case is inherent: SES accepted
 *   the email and the worker died (or DynamoDB went) before the send was recorded, and the retry
 *   sent it again. A repeat with such an interruption between its copies is counted as that;
 *   any other repeat is a violation.
 * - an accepted email no inbox item explains is a violation too.
 */
import { emailFor, type EmailSettings } from '../activities/channels.js';
import type { Violation } from '../domain/invariants.js';
import type { Notification } from '../domain/journey.js';
import type { AcceptedEmail } from './fakeSes.js';

export interface EmailCheck {
  /** Emails the inbox items called for. */
  expected: number;
  accepted: number;
  refused: number;
  /** Emails sent again after an interruption fell between the copies (the inherent case). */
  repeatedAfterInterruption: number;
  violations: Violation[];
}

type Delivered = Pick<Notification, 'journeyId' | 'kind' | 'level' | 'deadline' | 'message'> & { recipient: string };

export function checkEmails(opts: {
  inbox: Delivered[];
  accepted: AcceptedEmail[];
  refused: number;
  settings: EmailSettings;
  interruptions: number[];
}): EmailCheck {
  const keyOf = (e: { to: string; subject: string; text: string }) => JSON.stringify([e.to, e.subject, e.text]);
  const wanted = new Map<string, { count: number; journeyId: string }>();
  for (const item of opts.inbox) {
    const key = keyOf(emailFor(item.recipient, item, opts.settings));
    const w = wanted.get(key) ?? { count: 0, journeyId: item.journeyId };
    wanted.set(key, { ...w, count: w.count + 1 });
  }
  const sent = new Map<string, number[]>();
  for (const e of opts.accepted) sent.set(keyOf(e), [...(sent.get(keyOf(e)) ?? []), e.at]);

  const result: EmailCheck = {
    expected: opts.inbox.length,
    accepted: opts.accepted.length,
    refused: opts.refused,
    repeatedAfterInterruption: 0,
    violations: [],
  };
  const say = (journeyId: string, detail: string) =>
    result.violations.push({ journeyId, invariant: 'emailed-once', detail });
  for (const [key, { count, journeyId }] of wanted) {
    const times = (sent.get(key) ?? []).sort((a, b) => a - b);
    const [to, subject] = JSON.parse(key) as [string, string];
    if (times.length < count) say(journeyId, `${subject} to ${to}: ${count} due, ${times.length} sent`);
    for (let i = count; i < times.length; i += 1) {
      const interrupted = opts.interruptions.some((t) => t > times[i - 1]! && t < times[i]!);
      if (interrupted) result.repeatedAfterInterruption += 1;
      else say(journeyId, `${subject} to ${to}: sent ${times.length} times for ${count}, with no interruption between`);
    }
  }
  for (const [key, times] of sent)
    if (!wanted.has(key)) {
      const [to, subject] = JSON.parse(key) as [string, string];
      say('(none)', `${subject} to ${to}: sent ${times.length} times, with no inbox item`);
    }
  return result;
}
