/**
 * The same app behind AWS Lambda: the handler built from the environment (as in AWS, but with dev
 * sign-in and DynamoDB Local) answers API Gateway HTTP API (v2) events.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

const event = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'api.example', 'content-type': 'application/json', ...headers },
  requestContext: {
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    requestId: 'r1',
    stage: '$default',
    domainName: 'api.example',
    accountId: '000000000000',
    apiId: 'api',
    time: '',
    timeEpoch: 0,
  },
  ...(body !== undefined ? { body: JSON.stringify(body), isBase64Encoded: false } : { isBase64Encoded: false }),
});

describe('the Lambda entry point', () => {
  it('serves API Gateway v2 events with the same handlers', async () => {
    Object.assign(process.env, api.get().env, {
      CAREPATH_DEV_AUTH: '1',
      CAREPATH_DEV_AUTH_SECRET: randomBytes(32).toString('hex'),
    });
    const lambda = await import('../../lambdas/lambda.js');
    type Reply = { statusCode: number; body: string; headers?: Record<string, string> };
    const handler = (e: unknown) => lambda.handler(e as never) as unknown as Promise<Reply>;
    const health = await handler(event('GET', '/health'));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', temporal: 'up', dynamodb: 'up' });
    const tokenReply = await handler(
      event(
        'POST',
        '/auth/dev-token',
        { sub: 'gp-9', role: 'referrer', teams: [] },
        // Development sign-in answers only a request addressed to a loopback name.
        { host: 'localhost' },
      ),
    );
    const { token } = JSON.parse(tokenReply.body) as { token: string };
    const referral = await handler(
      event(
        'POST',
        '/referrals',
        {
          patient: { nhsNumber: '9990000018', givenName: 'Iris', familyName: 'Moss', birthDate: '1939-09-09' },
          programme: 'dementia-home',
          source: 'gp',
          reason: 'advanced dementia, carer exhausted',
          urgency: 'urgent',
          conditions: ['dementia'],
          carer: { relationship: 'husband', strain: true },
          consent: { given: true, recordedBy: 'GP' },
        },
        { authorization: `Bearer ${token}` },
      ),
    );
    expect(referral.statusCode).toBe(202);
    expect(JSON.parse(referral.body)).toMatchObject({ merged: false });
    const unauthorised = await handler(event('GET', '/journeys'));
    expect(unauthorised.statusCode).toBe(401);
    expect(unauthorised.headers?.['content-type']).toContain('application/problem+json');
  });
});
