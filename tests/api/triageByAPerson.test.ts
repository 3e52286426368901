/**
 * Nothing closes a referral without a person (HAZ-01). Through the API, on the Temporal dev server
 * and DynamoDB Local with the real worker: a referral failing an eligibility criterion waits at
 * triage with its reasons shown, unless the programme lets that criterion close it and the
 * referral is routine; and every decline reaches the referrer's inbox with its reason.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

interface Inbox {
  items: { journeyId: string; deadline: string; message: string }[];
}

const referral = (nhsNumber: string, over: Record<string, unknown>) => ({
  patient: { nhsNumber, givenName: 'Alfie', familyName: 'Moss', birthDate: '1956-04-11', postcode: 'TQ2 5AB' },
  programme: 'frailty-virtual-ward',
  source: 'gp',
  referrer: { name: 'Dr Ravi Shah', organisation: 'Riverside Surgery' },
  reason: 'breathless on exertion, daughter worried',
  urgency: 'urgent',
  conditions: [],
  consent: { given: true, recordedBy: 'Dr Shah' },
  ...over,
});

describe('triage decided by a person', () => {
  it('an urgent referral below the minimum risk waits with its reason shown, and the decline reaches the GP', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-ravi', 'referrer');
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const r = await call('POST', '/referrals', { token: gp, json: referral('9434765919', {}) });
    // 70 years old with nothing else scores 0.05, under frailty's 0.3: once closed at once, unseen.
    expect(r).toMatchObject({
      status: 202,
      body: { merged: false, phase: 'triage', triageConcerns: ['risk score 0.05 is below 0.3'] },
    });
    const { journeyId } = r.body as { journeyId: string };
    await expect
      .poll(async () => (await call('GET', `/journeys/${journeyId}`, { token: lead })).body)
      .toMatchObject({ phase: 'triage', triageConcerns: ['risk score 0.05 is below 0.3'], closedAt: null });

    const declined = await call('POST', `/journeys/${journeyId}/triage`, {
      token: lead,
      json: { decision: 'decline', reason: 'known to the community matron, who will visit this week' },
    });
    expect(declined.status).toBe(200);
    await expect
      .poll(async () => ((await call('GET', '/inbox', { token: gp })).body as Inbox).items)
      .toEqual([
        expect.objectContaining({
          journeyId,
          deadline: 'referral-declined',
          message: 'Your referral was declined: known to the community matron, who will visit this week.',
        }),
      ]);
  });

  it('a routine referral under an adult service’s minimum age closes at once, and the referrer is told why', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-ravi', 'referrer');
    const r = await call('POST', '/referrals', {
      token: gp,
      json: referral('9434765927', {
        programme: 'palliative-care-home',
        urgency: 'routine',
        patient: { nhsNumber: '9434765927', givenName: 'Ellie', familyName: 'Moss', birthDate: '2011-09-30' },
      }),
    });
    expect(r).toMatchObject({
      status: 202,
      body: {
        phase: 'closed',
        triage: { decision: 'decline', reason: expect.stringMatching(/^age 1\d is under 18$/) },
      },
    });
    const { journeyId } = r.body as { journeyId: string };
    await expect
      .poll(async () =>
        ((await call('GET', '/inbox', { token: gp })).body as Inbox).items.filter((i) => i.journeyId === journeyId),
      )
      .toEqual([
        expect.objectContaining({
          deadline: 'referral-declined',
          message: expect.stringMatching(/^Your referral was declined: age 1\d is under 18\.$/),
        }),
      ]);

    // The same referral sent as urgent is never closed by itself: a person decides.
    const urgent = await call('POST', '/referrals', {
      token: gp,
      json: referral('9434765935', {
        programme: 'palliative-care-home',
        patient: { nhsNumber: '9434765935', givenName: 'Ellie', familyName: 'Moss', birthDate: '2011-09-30' },
      }),
    });
    expect(urgent).toMatchObject({
      status: 202,
      body: { phase: 'triage', triageConcerns: [expect.stringMatching(/^age 1\d is under 18$/)] },
    });
  });
});
