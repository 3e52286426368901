/**
 * When Temporal or DynamoDB is down or too slow, the API says so — 503 with Retry-After (an AE ACK
 * on the ADT feed, so the engine sends again) — instead of a 500 that reads as a bug. A real bug
 * is still a 500.
 */
import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { closedDeps } from '../security/stubDeps.js';

const auth = devAuthenticator('x'.repeat(40));
const journeyId = 'frailty-virtual-ward.p0a1b2c3d4e5f6a7b8c9d0e1f.0123456789ab';

function appFailingWith(error: Error) {
  const fail = async () => {
    throw error;
  };
  return createApp(
    closedDeps(auth, {
      gateway: { refer: fail, command: fail, outcome: fail, hospitalEvent: fail, startCaseloadMove: fail },
      read: {
        getJourney: fail,
        // The person a journey is about, read beside it.
        getPatient: fail,
        journeySnapshot: fail,
        recordedJourney: fail,
        recordAccess: fail,
        recordPatientJourney: fail,
        patientJourney: fail,
        isNewAdtMessage: fail,
        registerPatient: fail,
        recordReferralAsReceived: fail,
      } as never,
    }),
  );
}

const adt = [
  'MSH|^~\\&|PAS|DGH|CAREPATH|ICS|20261123090000||ADT^A01|MSG1|P|2.4',
  'EVN|A01|20261123090000',
  'PID|1||9434765919^^^NHS^NH||Doe^Jane',
  'PV1|1|I',
].join('\r');

describe('dependencies unavailable', () => {
  const cases: [string, Error][] = [
    [
      'Temporal unreachable',
      new ServiceError('Failed to query Workflow', { cause: new Error('14 UNAVAILABLE: No connection established') }),
    ],
    ['a query timing out', Object.assign(new Error('context deadline exceeded'), { code: 4 })],
    [
      'DynamoDB refusing connections',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ],
    [
      'DynamoDB throttling',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
    ],
  ];
  for (const [what, error] of cases) {
    it(`answers 503 with Retry-After for ${what}`, async () => {
      const app = appFailingWith(error);
      const lead = await auth.devToken!({ sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] });
      const r = await app.request(`/journeys/${journeyId}`, { headers: { authorization: `Bearer ${lead}` } });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const feed = await auth.devToken!({ sub: 'tie-1', role: 'integration', teams: [] });
      const a = await app.request('/adt', {
        method: 'POST',
        headers: { authorization: `Bearer ${feed}`, 'content-type': 'application/hl7-v2' },
        body: adt,
      });
      expect(a.status).toBe(503);
      expect(await a.text()).toMatch(/MSA\|AE\|/);
    });
  }

  it('still answers 500 for a fault of its own', async () => {
    const app = appFailingWith(new TypeError("Cannot read properties of undefined (reading 'phase')"));
    const lead = await auth.devToken!({ sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] });
    expect((await app.request(`/journeys/${journeyId}`, { headers: { authorization: `Bearer ${lead}` } })).status).toBe(
      500,
    );
  });
});
