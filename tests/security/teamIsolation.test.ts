/**
 * Team isolation on the real stack: a co-ordinator or team lead of another team reaches nothing
 * of a journey outside their teams — not by its id, not its FHIR export, not any update, not its
 * inbox items (acknowledging someone else's item id is 404 and leaves it unacknowledged), not
 * lists, caseloads or metrics, not through a forged list cursor — and every refused attempt leaves
 * the journey exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

const cursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('another team reaches nothing', () => {
  it('by journey id, FHIR export, actions, inbox items, lists, caseloads, metrics or forged cursors', async () => {
    const { call, token, rawClient } = api.get();
    const gp = await token('gp-1', 'referrer');
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const made = await call('POST', '/referrals', {
      token: gp,
      json: {
        // Risk in the middle: it waits for triage, so the lead gets the triage reminder at once.
        patient: {
          nhsNumber: '4010232137',
          givenName: 'Edith',
          familyName: 'Crabtree',
          birthDate: '1948-06-06',
          postcode: 'TQ4 5AA',
        },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'falls',
        urgency: 'urgent',
        conditions: ['copd'],
        livesAlone: false,
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(made.status).toBe(202);
    const { journeyId } = made.body as { journeyId: string };
    const path = `/journeys/${journeyId}`;
    expect(made.body).toMatchObject({ phase: 'triage' });
    // The lead's inbox has the triage reminder (sent at referral, as nobody is named yet).
    let rajItems: { id: string; journeyId: string; ackedAt?: string }[] = [];
    await expect
      .poll(
        async () => {
          rajItems = ((await call('GET', '/inbox', { token: raj })).body as { items: typeof rajItems }).items.filter(
            (i) => i.journeyId === journeyId,
          );
          return rajItems.length;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    const item = rajItems[0]!;
    expect(item.ackedAt).toBeUndefined();
    expect(
      (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'frail' } })).status,
    ).toBe(200);
    const handle = rawClient.workflow.getHandle(journeyId.slice(0, journeyId.lastIndexOf('.')));
    await expect.poll(async () => (await handle.query(journeyQuery)).coordinatorId, { timeout: 15_000 }).toBeTruthy();
    const coordinator = (await handle.query(journeyQuery)).coordinatorId!;
    const own = await token(coordinator, 'coordinator', ['south-devon-1']);
    expect(
      (await call('POST', `${path}/assessment`, { token: own, json: { summary: 'seen', needs: [] } })).status,
    ).toBe(200);
    const planned = await call('POST', `${path}/care-plan`, {
      token: own,
      json: {
        goals: [{ id: 'g1', description: 'stay home' }],
        actions: [
          {
            id: 'rails',
            description: 'grab rails',
            owner: 'OT',
            due: new Date(Date.now() + 9 * 86_400_000).toISOString(),
          },
        ],
        agreedWithPatient: true,
      },
    });
    expect(planned).toMatchObject({ status: 200, body: { phase: 'active' } });

    const state = async () => {
      const s = await handle.query(journeyQuery);
      return {
        revision: s.counters.revision,
        seq: s.counters.seq,
        phase: s.phase,
        coordinatorId: s.coordinatorId,
        plan: s.carePlan,
        closure: s.closure ?? null,
      };
    };
    const before = await state();

    const lily = await token('coord-lily', 'coordinator', ['exeter-1']);
    const sian = await token('lead-sian', 'team-lead', ['exeter-1']);
    const nobody = await token('coord-new', 'coordinator', []);
    for (const [who, bearer] of [
      ['co-ordinator of exeter-1', lily],
      ['lead of exeter-1', sian],
      ['co-ordinator with no teams', nobody],
    ] as const) {
      for (const p of [path, `${path}/fhir`]) {
        const r = await call('GET', p, { token: bearer });
        expect(r.status, `${who} GET ${p}`).toBe(403);
        expect(r.text, who).not.toMatch(/4010232137|Crabtree|Edith|1948-06-06/);
      }
      for (const [action, json] of [
        ['triage', { decision: 'decline', reason: 'x' }],
        ['assessment', { summary: 'overwritten', needs: [] }],
        ['care-plan', { goals: [{ id: 'g2', description: 'other' }], actions: [], agreedWithPatient: true }],
        ['actions/rails/complete', {}],
        ['reviews', { outcome: 'close', notes: 'x', closeReason: 'withdrawn' }],
        ['contacts', { kind: 'routine', channel: 'phone' }],
        ['coordinator', { coordinatorId: 'coord-lily' }],
        ['close', { reason: 'withdrawn' }],
      ] as const) {
        expect((await call('POST', `${path}/${action}`, { token: bearer, json })).status, `${who} POST ${action}`).toBe(
          403,
        );
      }
      expect((await call('GET', '/journeys?team=south-devon-1', { token: bearer })).status, who).toBe(403);
      expect((await call('GET', '/caseloads?team=south-devon-1', { token: bearer })).status, who).toBe(403);
      // Someone else's inbox item id is nobody else's to acknowledge.
      expect((await call('POST', `/inbox/${item.id}/ack`, { token: bearer })).status, who).toBe(404);
    }
    expect((await call('GET', '/metrics?team=south-devon-1', { token: sian })).status).toBe(403);
    // Filtering by a co-ordinator of another team shows none of their journeys.
    const byCoordinator = await call('GET', `/journeys?coordinator=${coordinator}`, { token: lily });
    expect(byCoordinator.status).toBe(200);
    expect(
      (byCoordinator.body as { items: { teamId: string }[] }).items.filter((j) => j.teamId !== 'exeter-1'),
    ).toEqual([]);

    // Forged cursors pointing into another user's inbox or another team's lists find nothing of theirs.
    const forgedInbox = await call('GET', `/inbox?cursor=${cursor({ pk: 'INBOX#lead-raj', sk: 'Z' })}`, {
      token: lily,
    });
    expect(forgedInbox.status).toBe(400);
    const forgedList = await call(
      'GET',
      `/journeys?team=exeter-1&cursor=${cursor({ pk: `JOURNEY#${journeyId}`, sk: 'SUMMARY', gsi1pk: 'TEAM#south-devon-1', gsi1sk: 'A' })}`,
      { token: lily },
    );
    expect(forgedList.status).toBe(400);
    expect((await call('GET', '/inbox?cursor=not-a-cursor', { token: lily })).status).toBe(400);

    // A co-ordinator's list is read across teams and filtered after: its next-page cursor is sealed
    // (lambdas/cursors.ts), so it carries no journey id, and opens for that caller and list only.
    const firstPage = await call('GET', `/journeys?coordinator=${coordinator}&limit=1`, { token: lily });
    const next = (firstPage.body as { nextCursor?: string }).nextCursor;
    expect(next).toBeDefined();
    const inside = Buffer.from(next!, 'base64url').toString('latin1');
    expect(inside).not.toContain('JOURNEY#');
    expect(inside).not.toContain(journeyId);
    expect(inside).not.toContain('COORD#');
    expect(
      (await call('GET', `/journeys?coordinator=${coordinator}&limit=1&cursor=${next}`, { token: lily })).status,
    ).toBe(200);
    expect((await call('GET', `/journeys?team=exeter-1&limit=1&cursor=${next}`, { token: lily })).status).toBe(400);
    expect((await call('GET', `/inbox?cursor=${next}`, { token: lily })).status).toBe(400);
    const edited = `${next!.slice(0, -2)}${next!.endsWith('A') ? 'B' : 'A'}${next!.slice(-1)}`;
    expect(
      (await call('GET', `/journeys?coordinator=${coordinator}&limit=1&cursor=${edited}`, { token: lily })).status,
    ).toBe(400);

    // A co-ordinator cannot refer into a team that is not theirs either.
    const misrouted = await call('POST', '/referrals', {
      token: lily,
      json: {
        patient: {
          nhsNumber: '9434765870',
          givenName: 'A',
          familyName: 'B',
          birthDate: '1940-01-01',
          postcode: 'TQ1 1AA',
        },
        programme: 'frailty-virtual-ward',
        source: 'community',
        reason: 'x',
        urgency: 'routine',
        consent: { given: true, recordedBy: 'Lily' },
      },
    });
    expect(misrouted.status).toBe(403);

    // Nothing changed: the journey, and the lead's inbox item.
    expect(await state()).toEqual(before);
    const after = ((await call('GET', '/inbox', { token: raj })).body as { items: typeof rajItems }).items.find(
      (i) => i.id === item.id,
    );
    expect(after?.ackedAt).toBeUndefined();
    // The owner can, which shows the id was a real one.
    expect((await call('POST', `/inbox/${item.id}/ack`, { token: raj })).status).toBe(204);
    // And the team's own co-ordinator sees the journey and its export.
    expect((await call('GET', `${path}/fhir`, { token: own })).status).toBe(200);
  });
});
