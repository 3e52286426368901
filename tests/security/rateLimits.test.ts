/**
 * Per-caller rate limits on the two doors the outside world pushes through, on the real stack:
 * past its limit a caller gets 429 with Retry-After — problem+json on intake, an HL7 AR ACK on the
 * ADT feed — and the refused request starts or changes nothing; other callers carry on unaffected.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { patientIdFor } from '../../activities/pseudonym.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { useApiStack } from '../support/apiStack.js';

const INTAKE = 3;
const ADT = 4;
const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), {
  rateLimits: { intakePerMinute: INTAKE, adtPerMinute: ADT },
});

const referral = (nhsNumber: string) => ({
  patient: { nhsNumber, givenName: 'Rita', familyName: 'Moss', birthDate: '1941-02-02', postcode: 'TQ3 1AA' },
  programme: 'frailty-virtual-ward',
  source: 'gp',
  reason: 'falls',
  urgency: 'routine',
  conditions: ['copd'],
  admissionsLast12Months: 1,
  consent: { given: true, recordedBy: 'GP' },
});
const NHS = ['9434765919', '4010232137', '9434765870', '9434765862', '9434765854'];
const adt = (controlId: string, nhs: string) =>
  [
    `MSH|^~\\&|PAS|RBZ^Royal Devon^L|CAREPATH|ICS|20261123093000||ADT^A01^ADT_A01|${controlId}|P|2.4`,
    'EVN|A01|20261123093000',
    `PID|1||${nhs}^^^NHS^NH||Moss^Rita`,
    'PV1|1|I|WARD7^BED3^RDE',
  ].join('\r');

function expectRetryAfter(headers: Headers) {
  const retry = Number(headers.get('retry-after'));
  expect(Number.isInteger(retry) && retry > 0 && retry <= 60, `Retry-After ${headers.get('retry-after')}`).toBe(true);
}

describe('rate limits', () => {
  it('intake: 429 problem+json with Retry-After past the limit, nothing started, other callers unaffected', async () => {
    const { call, token, rawClient, pseudonymKey } = api.get();
    const flood = await token('gp-flood', 'referrer');
    for (const nhs of NHS.slice(0, INTAKE))
      expect((await call('POST', '/referrals', { token: flood, json: referral(nhs) })).status).toBe(202);
    const refused = await call('POST', '/referrals', { token: flood, json: referral(NHS[INTAKE]!) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, title: 'Too many requests' });
    expectRetryAfter(refused.headers);
    // The refused referral opened no journey.
    await expect(
      rawClient.workflow
        .getHandle(journeyWorkflowId('frailty-virtual-ward', patientIdFor(NHS[INTAKE]!, pseudonymKey)))
        .describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // Even a new token for the same person is the same caller.
    expect(
      (await call('POST', '/referrals', { token: await token('gp-flood', 'referrer'), json: referral(NHS[INTAKE]!) }))
        .status,
    ).toBe(429);
    // Someone else is not held up by it.
    expect(
      (await call('POST', '/referrals', { token: await token('gp-calm', 'referrer'), json: referral(NHS[INTAKE]!) }))
        .status,
    ).toBe(202);
  });

  it('ADT: 429 with an AR ACK and Retry-After past the limit, nothing changed or recorded, other feeds unaffected', async () => {
    const { call, token, rawClient, pseudonymKey } = api.get();
    // A journey the refused message would move.
    const made = await call('POST', '/referrals', {
      token: await token('gp-adt', 'referrer'),
      json: referral(NHS[4]!),
    });
    expect(made.status).toBe(202);
    const handle = rawClient.workflow.getHandle(
      journeyWorkflowId('frailty-virtual-ward', patientIdFor(NHS[4]!, pseudonymKey)),
    );
    const flood = await token('tie-2', 'integration');
    for (let i = 0; i < ADT; i += 1)
      expect((await call('POST', '/adt', { token: flood, body: adt(`RL-NONE-${i}`, '9434765919') })).status).toBe(200);
    const before = (await handle.query(journeyQuery)).counters.revision;
    const refused = await call('POST', '/adt', { token: flood, body: adt('RL-ADMIT-1', NHS[4]!) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/hl7-v2/);
    expect(refused.text).toMatch(/^MSH\|/);
    expect(refused.text).toMatch(/\rMSA\|AR\|/);
    expectRetryAfter(refused.headers);
    expect((await handle.query(journeyQuery)).counters.revision).toBe(before);
    // The discharge team's feed is a different caller: the same message goes through, as new (the refused one was never recorded).
    const other = await call('POST', '/adt', {
      token: await token('discharge-rde', 'discharge-team'),
      body: adt('RL-ADMIT-1', NHS[4]!),
    });
    expect(other.status).toBe(200);
    expect(other.text).toMatch(/\rMSA\|AA\|RL-ADMIT-1\|applied to 1 journey/);
  });
});
