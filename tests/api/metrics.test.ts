/**
 * GET /metrics against a synthetic cohort: a seeded generator writes a cohort's audit trail through
 * the real audit activity; the test keeps its own tally of the right answers as it generates, and
 * the API must report exactly those.
 */
import { describe, expect, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import type { TimelineEntry } from '../../domain/journey.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { seededRandom } from '../../scripts/seededRandom.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

describe('evaluation metrics', () => {
  it('equal the tally of a synthetic cohort, for the period asked and nothing outside it', async () => {
    const random = seededRandom(20261123);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const from = new Date('2026-01-01T00:00:00.000Z');
    const to = new Date('2026-04-01T00:00:00.000Z');
    const DAY = 86_400_000;
    const expected = {
      bySource: {} as Record<string, number>,
      waits: [] as number[],
      onTime: { assessment: [0, 0], 'care-plan': [0, 0], review: [0, 0] } as Record<string, [number, number]>,
      discharges: 0,
      contacted: 0,
      admissions: 0,
      readmissions: 0,
      levels: [0, 0, 0],
      reasons: {} as Record<string, number>,
    };
    const acts = createJourneyActivities({ doc: currentTable().doc, tableName: currentTable().tableName });

    for (let j = 0; j < 40; j += 1) {
      const journeyId = `community-resource-team.psynthetic${j}.000000000000`;
      const events: TimelineEntry[] = [];
      let seq = 0;
      // Some journeys start before the period: their early events must not count.
      const start = from.getTime() + (random() * 100 - 15) * DAY;
      const inside = (t: number) => t >= from.getTime() && t < to.getTime();
      const add = (t: number, type: string, data: TimelineEntry['data']) => {
        seq += 1;
        events.push({ seq, at: new Date(t).toISOString(), type, by: 'synthetic', detail: type, data });
        return inside(t);
      };
      const source = pick(['gp', 'hospital', 'social-care', 'community', 'self'] as const);
      if (add(start, 'referral.received', { source, urgency: 'routine' }))
        expected.bySource[source] = (expected.bySource[source] ?? 0) + 1;
      const waitDays = Math.round(random() * 20 * 100) / 100;
      const assessedAt = start + waitDays * DAY;
      if (add(assessedAt, 'assessment.recorded', { referredAt: new Date(start).toISOString() }))
        expected.waits.push(waitDays);
      for (const deadline of ['assessment', 'care-plan', 'review'] as const) {
        const onTime = random() < 0.7;
        if (add(assessedAt + (deadline === 'assessment' ? 0 : 5 * DAY), 'deadline.met', { deadline, onTime })) {
          expected.onTime[deadline]![0] += 1;
          if (onTime) expected.onTime[deadline]![1] += 1;
        }
      }
      if (random() < 0.5) {
        const readmission = random() < 0.3;
        const admittedAt = assessedAt + 10 * DAY;
        if (add(admittedAt, 'hospital.admitted', { readmission })) {
          expected.admissions += 1;
          if (readmission) expected.readmissions += 1;
        }
        if (add(admittedAt + 3 * DAY, 'hospital.discharged', {})) expected.discharges += 1;
        const inWindow = random() < 0.6;
        if (
          add(admittedAt + 5 * DAY, 'deadline.met', { deadline: 'post-discharge-contact', onTime: inWindow }) &&
          inWindow
        )
          expected.contacted += 1;
      }
      for (const level of [0, 1, 2] as const) {
        if (
          random() < 0.4 &&
          add(assessedAt + (level + 1) * DAY, 'deadline.step', {
            deadline: 'review',
            kind: level === 0 ? 'overdue' : 'escalation',
            level,
          })
        )
          expected.levels[level]! += 1;
      }
      if (random() < 0.5) {
        const reason = pick(['goals-met', 'deceased', 'moved-away'] as const);
        if (add(assessedAt + 30 * DAY, 'journey.closed', { reason, goalsMet: null, placeOfDeathAchieved: null }))
          expected.reasons[reason] = (expected.reasons[reason] ?? 0) + 1;
      }
      await acts.appendAudit({ journeyId, programmeId: 'community-resource-team', teamId: 'crt-valleys', events });
    }

    const { call, token } = api.get();
    const lead = await token('lead-carys', 'team-lead', ['crt-valleys']);
    const r = await call(
      'GET',
      `/metrics?programme=community-resource-team&team=crt-valleys&from=${from.toISOString()}&to=${to.toISOString()}`,
      { token: lead },
    );
    expect(r.status).toBe(200);
    const waits = [...expected.waits].sort((a, b) => a - b);
    const nearestRank = (p: number) => waits[Math.ceil((p / 100) * waits.length) - 1];
    const share = ([met, onTime]: [number, number]) => ({
      met,
      onTime,
      rate: met ? Math.round((onTime / met) * 1000) / 1000 : null,
    });
    expect(r.body).toMatchObject({
      referrals: { total: Object.values(expected.bySource).reduce((a, b) => a + b, 0), bySource: expected.bySource },
      referralToAssessmentDays: { count: waits.length, median: nearestRank(50), p90: nearestRank(90) },
      onTime: {
        assessment: share(expected.onTime.assessment!),
        'care-plan': share(expected.onTime['care-plan']!),
        review: share(expected.onTime.review!),
      },
      postDischargeContact: { discharges: expected.discharges, contactedInWindow: expected.contacted },
      readmissions: { admissions: expected.admissions, within30Days: expected.readmissions },
      escalationsByLevel: { '0': expected.levels[0], '1': expected.levels[1], '2': expected.levels[2] },
      closures: { total: Object.values(expected.reasons).reduce((a, b) => a + b, 0), byReason: expected.reasons },
    });
    expect(expected.waits.length).toBeGreaterThan(10); // the cohort is big enough to mean something
    expect(
      (r.body as { caseload: { coordinatorId: string; capacity: number }[] }).caseload.map((c) => [
        c.coordinatorId,
        c.capacity,
      ]),
    ).toEqual([
      ['coord-dafydd', 35],
      ['coord-megan', 35],
      ['coord-aled', 35],
    ]);

    // Outside the team (a service manager, ops), counts from 1 to 4 are "<5" and what is worked out
    // from them is left out; the lead above saw them all.
    const asManager = await call(
      'GET',
      `/metrics?programme=community-resource-team&team=crt-valleys&from=${from.toISOString()}&to=${to.toISOString()}`,
      { token: await token('mgr-gareth', 'service-manager') },
    );
    expect(asManager.status).toBe(200);
    expect((r.body as Record<string, unknown>).smallNumbersBelow).toBeUndefined();
    expect((asManager.body as Record<string, unknown>).smallNumbersBelow).toBe(5);
    let hidden = 0;
    let kept = 0;
    const compare = (own: unknown, outside: unknown, path: string): void => {
      if (own === null || typeof own !== 'object') return;
      const o = own as Record<string, unknown>;
      const x = outside as Record<string, unknown>;
      const small = Object.entries(o).some(
        ([k, v]) => !['rate', 'median', 'p90'].includes(k) && typeof v === 'number' && v > 0 && v < 5,
      );
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'number' && ['rate', 'median', 'p90'].includes(k))
          expect(x[k], `${path}.${k}`).toBe(small ? null : v);
        else if (typeof v === 'number' && v > 0 && v < 5) {
          expect(x[k], `${path}.${k}`).toBe('<5');
          hidden += 1;
        } else if (typeof v === 'number') {
          expect(x[k], `${path}.${k}`).toBe(v);
          kept += 1;
        } else compare(v, x[k], `${path}.${k}`);
      }
    };
    const { caseload: _own, ...ownCounts } = r.body as Record<string, unknown>;
    const { caseload: _outside, smallNumbersBelow: _b, ...outsideCounts } = asManager.body as Record<string, unknown>;
    compare(ownCounts, outsideCounts, 'metrics');
    expect(hidden).toBeGreaterThan(0); // the cohort has small counts to hide…
    expect(kept).toBeGreaterThan(0); // …and large ones to show
    // Caseloads are staff's, not people's: shown as they are.
    expect((asManager.body as { caseload: unknown }).caseload).toEqual((r.body as { caseload: unknown }).caseload);

    // Another team's lead may not see these; an ops user may.
    expect(
      (
        await call('GET', '/metrics?team=crt-valleys', {
          token: await token('lead-raj', 'team-lead', ['south-devon-1']),
        })
      ).status,
    ).toBe(403);
    expect((await call('GET', '/metrics?team=crt-valleys', { token: await token('ops-1', 'ops') })).status).toBe(200);
    expect((await call('GET', '/metrics?from=2026-05-01&to=2026-04-01', { token: lead })).status).toBe(400);
    expect(
      (await call('GET', '/metrics', { token: await token('coord-megan', 'coordinator', ['crt-valleys']) })).status,
    ).toBe(403);
  });
});
