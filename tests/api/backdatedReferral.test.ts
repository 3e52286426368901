/**
 * A backdated referral (HAZ-06): a letter that took ten days to reach the hub is referred with the
 * date it was made, so its triage deadline is already behind it. The team hears once that triage
 * is overdue, not a reminder, an overdue notice and two escalations at the same moment. Through
 * the API, on the Temporal dev server and DynamoDB Local, with the real worker.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

describe('a backdated referral', () => {
  it('fires its overdue assessment notice once, and neither the reminder nor the escalations', async () => {
    const { call, token } = api.get();
    const hub = await token('hub-1', 'referrer');
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    // Made twenty days ago: the assessment (due ten days after the referral was made) is ten days overdue.
    const made = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const r = await call('POST', '/referrals', {
      token: hub,
      json: {
        patient: {
          nhsNumber: '9434765870',
          givenName: 'Ada',
          familyName: 'Pike',
          birthDate: '1937-09-14',
          postcode: 'TQ2 5AA',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'letter: frailty, lives alone, two falls',
        urgency: 'routine',
        conditions: ['frailty'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'GP' },
        referredAt: made,
      },
    });
    expect(r).toMatchObject({ status: 202, body: { phase: 'triage' } });
    const journeyId = (r.body as { journeyId: string }).journeyId;
    const accepted = await call('POST', `/journeys/${journeyId}/triage`, {
      token: lead,
      json: { decision: 'accept', reason: 'frail, lives alone' },
    });
    expect(accepted).toMatchObject({ status: 200, body: { phase: 'assessment' } });

    const steps = async () => {
      const d = (await call('GET', `/journeys/${journeyId}`, { token: lead })).body as {
        timeline: { type: string; detail: string }[];
      };
      return d.timeline
        .filter((e) => e.type === 'deadline.step' && e.detail.startsWith('assessment'))
        .map((e) => e.detail);
    };
    await expect.poll(steps).toEqual(['assessment: overdue to coordinator']);

    // One inbox item for it in the whole team, and none for the service manager.
    const items = async (sub: string, role: string) =>
      (
        (await call('GET', '/inbox', { token: await token(sub, role, ['south-devon-1']) })).body as {
          items: { journeyId: string; deadline: string; kind: string }[];
        }
      ).items.filter((i) => i.journeyId === journeyId && i.deadline === 'assessment');
    const everyone = async () =>
      (
        await Promise.all(
          [
            ['lead-raj', 'team-lead'],
            ['coord-ana', 'coordinator'],
            ['coord-joe', 'coordinator'],
            ['mgr-kim', 'service-manager'],
          ].map(([sub, role]) => items(sub!, role!)),
        )
      ).flat();
    await expect.poll(everyone).toEqual([expect.objectContaining({ kind: 'overdue' })]);
    expect(await steps()).toEqual(['assessment: overdue to coordinator']);
  });
});
