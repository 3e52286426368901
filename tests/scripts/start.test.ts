/**
 * `npm start` as a person uses it: it comes up, serves the API, stops everything on Ctrl-C, and
 * started again on the same data directory carries every journey on — including a deadline that
 * fell due while it was stopped, whose ladder steps then fire once each.
 */
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { ProgrammeInput } from '../../domain/programme.js';
import { platform } from '../support/platform.js';

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start', () => {
  it('runs the platform, stops cleanly, and resumes every journey and due deadline on restart', async () => {
    // A programme whose assessment falls due 25 seconds after the referral.
    const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
    const quick = {
      ...frailty,
      deadlines: { ...frailty.deadlines, assessment: { urgent: 'PT25S', routine: 'PT25S' } },
      escalation: [
        { at: '-PT10S', notify: 'coordinator', kind: 'reminder' },
        { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
      ],
    };
    const stack = await platform([quick as ProgrammeInput]);
    const { ports, json, tokenFor } = stack;
    try {
      await stack.start();
      expect(stack.output()).toContain(`API             http://127.0.0.1:${ports.api}`);
      expect(stack.output()).toContain(`Dashboard       http://127.0.0.1:${ports.api}/`);
      expect(stack.output()).toContain(`Temporal Web UI http://127.0.0.1:${ports.ui}`);
      expect((await json('/health')).body).toEqual({ status: 'ok', temporal: 'up', dynamodb: 'up' });
      const gp = await tokenFor('gp-1', 'referrer', []);
      const referral = await json('/referrals', {
        method: 'POST',
        token: gp,
        body: JSON.stringify({
          patient: {
            nhsNumber: '9434765919',
            givenName: 'Jane',
            familyName: 'Doe',
            birthDate: '1940-01-01',
            postcode: 'TQ1 2AB',
          },
          programme: 'frailty-virtual-ward',
          source: 'gp',
          reason: 'falls',
          urgency: 'routine',
          conditions: ['falls', 'copd', 'heart failure'],
          livesAlone: true,
          admissionsLast12Months: 2,
          consent: { given: true, recordedBy: 'GP' },
        }),
      });
      expect(referral.status).toBe(202);
      const journeyId = referral.body.journeyId as string;
      const referredAt = Date.now();
      await stack.stop();
      for (const port of Object.values(ports))
        expect(await answers(port), `port ${port} still open after Ctrl-C`).toBe(false);

      // The assessment falls due while everything is stopped.
      await new Promise((r) => setTimeout(r, Math.max(0, referredAt + 30_000 - Date.now())));
      await stack.start();
      const lead = await tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
      // Stopped straight after the referral, the journey may not have had its co-ordinator yet: it
      // gets one once the worker is back.
      const journey = async () => (await json(`/journeys/${journeyId}`, { token: lead })).body;
      await expect
        .poll(async () => (await journey()).coordinatorId, { timeout: 30_000, interval: 500 })
        .toMatch(/^coord-/);
      expect(await journey()).toMatchObject({ id: journeyId, phase: 'assessment' });
      const coordinator = (await journey()).coordinatorId as string;
      const mine = await tokenFor(coordinator, 'coordinator', ['south-devon-1']);
      const ladder = async () =>
        (
          ((await json('/inbox', { token: mine })).body.items as { journeyId: string; kind: string }[] | undefined) ??
          []
        )
          .filter((i) => i.journeyId === journeyId)
          .map((i) => i.kind)
          .sort();
      await expect.poll(ladder, { timeout: 30_000, interval: 500 }).toEqual(['overdue', 'reminder']);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await ladder()).toEqual(['overdue', 'reminder']); // once each, not again
    } finally {
      // Also when an assertion fails: no dev server, DynamoDB Local or worker outlives the test.
      await stack.stop();
    }
  }, 300_000);
});
