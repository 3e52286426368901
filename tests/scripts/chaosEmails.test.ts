/**
 * The chaos run's email check (scripts/chaosEmails.ts) catches what it is there for: an email
 * lost, an email sent twice with nothing to explain it, and an email no inbox item asked for. A
 * repeat with a worker kill or an outage between its copies is counted, not failed.
 */
import { describe, expect, it } from 'vitest';
import { emailFor } from '../../activities/channels.js';
import { checkEmails } from '../../scripts/chaosEmails.js';

const settings = { from: 'carepath@x.nhs.uk', addressTemplate: '{id}@nhs.net', dashboardUrl: 'https://carepath.x' };
const item = (journeyId: string, recipient: string, level: 0 | 1 | 2 = 1) => ({
  journeyId,
  recipient,
  kind: 'escalation' as const,
  level,
  deadline: 'review',
  message: `review was due (${journeyId})`,
});
const sent = (i: ReturnType<typeof item>, at: number) => ({ ...emailFor(i.recipient, i, settings), at });

describe('the chaos email check', () => {
  const a = item('j1', 'lead-1');
  const b = item('j2', 'mgr-1', 2);

  it('passes each inbox item emailed once', () => {
    const r = checkEmails({
      inbox: [a, b],
      accepted: [sent(a, 10), sent(b, 20)],
      refused: 3,
      settings,
      interruptions: [],
    });
    expect(r).toMatchObject({ expected: 2, accepted: 2, refused: 3, repeatedAfterInterruption: 0, violations: [] });
  });

  it('fails an email that was never sent (a refused send not tried again)', () => {
    const r = checkEmails({ inbox: [a, b], accepted: [sent(a, 10)], refused: 1, settings, interruptions: [] });
    expect(r.violations).toEqual([
      { journeyId: 'j2', invariant: 'emailed-once', detail: expect.stringMatching(/1 due, 0 sent/) },
    ]);
  });

  it('fails an email sent twice with no interruption between, and counts one with a kill between', () => {
    const twice = [sent(a, 10), sent(a, 30), sent(b, 40)];
    expect(
      checkEmails({ inbox: [a, b], accepted: twice, refused: 0, settings, interruptions: [5, 35] }).violations,
    ).toEqual([
      {
        journeyId: 'j1',
        invariant: 'emailed-once',
        detail: expect.stringMatching(/sent 2 times for 1, with no interruption/),
      },
    ]);
    const explained = checkEmails({ inbox: [a, b], accepted: twice, refused: 0, settings, interruptions: [20] });
    expect(explained).toMatchObject({ repeatedAfterInterruption: 1, violations: [] });
  });

  it('fails an email no inbox item asked for', () => {
    const r = checkEmails({
      inbox: [a],
      accepted: [sent(a, 10), sent(b, 20)],
      refused: 0,
      settings,
      interruptions: [],
    });
    expect(r.violations).toEqual([
      {
        journeyId: '(none)',
        invariant: 'emailed-once',
        detail: expect.stringMatching(
          /^\[carepath\] Escalation \(level 2\): review to mgr-1@nhs.net: sent 1 times, with no inbox item/,
        ),
      },
    ]);
  });
});
