/**
 * The data layer against a real DynamoDB Local: every access pattern is a GetItem or Query,
 * caseload places are never oversold under concurrency, and retried writes land once.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../activities/dynamo.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { patientIdFor } from '../../activities/pseudonym.js';
import { createReadModel } from '../../activities/readModel.js';
import type { Notification } from '../../domain/journey.js';
import type { JourneySummary } from '../../domain/views.js';
import { startLocalTable, type LocalTable } from '../support/dynamoDbLocal.js';

let t: LocalTable;
beforeAll(async () => {
  t = await startLocalTable();
});
afterAll(async () => {
  await t?.service.stop();
});

const summary = (id: string, over: Partial<JourneySummary> = {}): JourneySummary => ({
  id,
  programme: 'frailty-virtual-ward',
  teamId: 'team-a',
  phase: 'active',
  coordinatorId: 'coord-1',
  riskTier: 'high',
  nextDueAt: '2026-12-01T09:00:00.000Z',
  nextDeadline: 'review',
  overdue: false,
  lastReadmissionAt: null,
  revision: 1,
  openedAt: '2026-11-01T09:00:00.000Z',
  closedAt: null,
  closeReason: null,
  ...over,
});

describe('access patterns', () => {
  it('answers every one with GetItem or Query — no Scan', async () => {
    const acts = createJourneyActivities({ doc: t.doc, tableName: t.tableName });
    const read = createReadModel(t.doc, t.tableName);
    const key = Buffer.from('k'.repeat(32));
    const patientId = patientIdFor('943 476 5919', key);
    expect(patientId).toMatch(/^p[0-9a-f]{24}$/);
    expect(patientId).not.toContain('9434765919');
    await read.registerPatient({
      patientId,
      nhsNumber: '9434765919',
      givenName: 'Ada',
      familyName: 'Lovelace',
      birthDate: '1940-12-10',
    });
    for (const [i, due] of [
      '2026-11-20T09:00:00.000Z',
      '2026-11-25T09:00:00.000Z',
      '2026-12-05T09:00:00.000Z',
    ].entries()) {
      await acts.projectJourney(summary(`j${i}`, { nextDueAt: due, coordinatorId: i === 2 ? 'coord-2' : 'coord-1' }));
    }
    await acts.projectJourney(
      summary('j-closed', { phase: 'closed', nextDueAt: null, closedAt: '2026-11-10T00:00:00.000Z' }),
    );
    await acts.appendAudit({
      journeyId: 'j0',
      programmeId: 'p',
      teamId: 'team-a',
      events: [1, 2, 3].map((seq) => ({ seq, at: '2026-11-01T00:00:00.000Z', type: 't', by: 'x', detail: `e${seq}` })),
    });
    const n: Notification = {
      id: 'j0/assessment#1/0',
      journeyId: 'j0',
      programmeId: 'p',
      teamId: 'team-a',
      kind: 'reminder',
      level: 0,
      deadline: 'assessment',
      recipients: ['coord-1'],
      message: 'due',
      createdAt: '2026-11-19T09:00:00.000Z',
    };
    await acts.notify(n);
    await acts.notify({ ...n, id: 'j1/review#1/0', journeyId: 'j1', createdAt: '2026-11-24T09:00:00.000Z' });
    await acts.assignCoordinator({
      journeyId: 'j0',
      programmeId: 'p',
      teamId: 'team-a',
      coordinators: [{ id: 'coord-1', maxCaseload: 5 }],
    });

    t.commands.length = 0;
    expect(await read.getPatient(patientId)).toMatchObject({ givenName: 'Ada' });
    expect(await read.getJourney('j1')).toMatchObject({ id: 'j1', phase: 'active' });
    expect((await read.journeysByTeamPhase('team-a', 'active')).items.map((j) => j.id)).toEqual(['j0', 'j1', 'j2']);
    expect((await read.journeysByCoordinator('coord-1')).items.map((j) => j.id)).toEqual(['j0', 'j1']);
    expect((await read.overdueByTeam('team-a', new Date('2026-11-26T00:00:00.000Z'))).items.map((j) => j.id)).toEqual([
      'j0',
      'j1',
    ]);
    expect((await read.auditTrail('j0')).items.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await read.inbox('coord-1')).items.map((i) => i.id)).toEqual(['j1/review#1/0', 'j0/assessment#1/0']); // newest first
    expect(await read.recordAdtMessage('RBZ', 'MSG001', new Date())).toBe(true);
    expect(await read.recordAdtMessage('RBZ', 'MSG001', new Date())).toBe(false);
    expect(await read.caseloads('team-a')).toEqual([{ coordinatorId: 'coord-1', count: 1 }]);
    // Pages: a cursor carries on where the last page stopped.
    const first = await read.journeysByTeamPhase('team-a', 'active', 2);
    const second = await read.journeysByTeamPhase('team-a', 'active', 2, first.nextCursor);
    expect([...first.items, ...second.items].map((j) => j.id)).toEqual(['j0', 'j1', 'j2']);

    expect(t.commands.length).toBeGreaterThan(0);
    // Reads are GetItem or Query; the one write is the ADT dedupe record.
    expect(new Set(t.commands)).toEqual(new Set(['GetItemCommand', 'QueryCommand', 'PutItemCommand']));
    expect(t.commands.filter((c) => c === 'PutItemCommand')).toHaveLength(2);
  });
});

describe('caseload places', () => {
  it('50 concurrent assignments into a team with 40 places: exactly 40 assigned, nobody over capacity, 10 unassigned', async () => {
    const acts = createJourneyActivities({ doc: t.doc, tableName: t.tableName });
    const coordinators = [
      { id: 'c-a', maxCaseload: 15 },
      { id: 'c-b', maxCaseload: 15 },
      { id: 'c-c', maxCaseload: 10 },
    ];
    // As Temporal would: a transaction that lost a conflict is retried.
    const retrying = async <T>(attempt: () => Promise<T>): Promise<T> => {
      for (let i = 0; ; i += 1) {
        try {
          return await attempt();
        } catch (error) {
          if (i >= 10) throw error;
          await new Promise((r) => setTimeout(r, 20 * (i + 1)));
        }
      }
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        retrying(() =>
          acts.assignCoordinator({ journeyId: `busy-${i}`, programmeId: 'p', teamId: 'busy', coordinators }),
        ),
      ),
    );
    const assigned = results.filter((r) => r.coordinatorId);
    expect(assigned).toHaveLength(40);
    expect(results.filter((r) => r.coordinatorId === null)).toHaveLength(10);
    const counts = Object.fromEntries(
      (await createReadModel(t.doc, t.tableName).caseloads('busy')).map((c) => [c.coordinatorId, c.count]),
    );
    expect(counts).toEqual({ 'c-a': 15, 'c-b': 15, 'c-c': 10 });

    // A retry of an assignment that succeeded returns the same place and takes no other.
    const held = results.findIndex((r) => r.coordinatorId); // which ten lost the race varies from run to run
    const again = await acts.assignCoordinator({
      journeyId: `busy-${held}`,
      programmeId: 'p',
      teamId: 'busy',
      coordinators,
    });
    expect(again.coordinatorId).toBe(results[held]!.coordinatorId);
    // Releasing frees exactly one place, once, however often it is retried.
    await acts.releaseCoordinator({ journeyId: `busy-${held}`, teamId: 'busy', coordinatorId: again.coordinatorId! });
    await acts.releaseCoordinator({ journeyId: `busy-${held}`, teamId: 'busy', coordinatorId: again.coordinatorId! });
    const after = Object.fromEntries(
      (await createReadModel(t.doc, t.tableName).caseloads('busy')).map((c) => [c.coordinatorId, c.count]),
    );
    expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(39);
    // Reassignment moves the place in one transaction; into a full co-ordinator it is refused.
    const target = again.coordinatorId!;
    const movers = results
      .map((r, i) => ({ journeyId: `busy-${i}`, from: r.coordinatorId }))
      .filter((m) => m.from && m.from !== target);
    const moved = await acts.assignCoordinator({
      ...movers[0]!,
      programmeId: 'p',
      teamId: 'busy',
      coordinators,
      to: target,
    });
    expect(moved.coordinatorId).toBe(target);
    const refused = await acts.assignCoordinator({
      ...movers[1]!,
      programmeId: 'p',
      teamId: 'busy',
      coordinators,
      to: target,
    });
    expect(refused.coordinatorId).toBeNull();
    const final = await createReadModel(t.doc, t.tableName).caseloads('busy');
    expect(final.find((c) => c.coordinatorId === target)!.count).toBe(
      coordinators.find((c) => c.id === target)!.maxCaseload,
    );
    expect(final.reduce((sum, c) => sum + c.count, 0)).toBe(39);
  });
});

describe('caseload places on DynamoDB proper', () => {
  it('takes a place in the same activity attempt when DynamoDB cancels the transaction for a conflict', async () => {
    // DynamoDB cancels a transaction that meets another on the same item (TransactionConflict);
    // DynamoDB Local serializes them and never does, so the first two are cancelled here as
    // DynamoDB would, before they reach it.
    const doc = createDocumentClient({ tableName: t.tableName, endpoint: t.endpoint, region: 'eu-west-2' });
    let cancelled = 0;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && cancelled < 2) {
          cancelled += 1;
          throw new TransactionCanceledException({
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]',
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'transactionConflicts' },
    );
    const acts = createJourneyActivities({ doc, tableName: t.tableName });
    const coordinators = [{ id: 'c-x', maxCaseload: 5 }];
    const taken = await acts.assignCoordinator({
      journeyId: 'conflicted',
      programmeId: 'p',
      teamId: 'conflicts',
      coordinators,
    });
    expect(cancelled).toBe(2);
    expect(taken.coordinatorId).toBe('c-x');
    expect(await createReadModel(t.doc, t.tableName).caseloads('conflicts')).toEqual([
      { coordinatorId: 'c-x', count: 1 },
    ]);
  });
});

describe('idempotent writes', () => {
  it('a retried audit append and a retried notify write once; out-of-order projections keep the newest', async () => {
    const acts = createJourneyActivities({ doc: t.doc, tableName: t.tableName });
    const read = createReadModel(t.doc, t.tableName);
    const events = [1, 2].map((seq) => ({
      seq,
      at: '2026-11-01T00:00:00.000Z',
      type: 'x',
      by: 'y',
      detail: `first ${seq}`,
    }));
    await acts.appendAudit({ journeyId: 'idem', programmeId: 'p', teamId: 'team-i', events });
    await acts.appendAudit({
      journeyId: 'idem',
      programmeId: 'p',
      teamId: 'team-i',
      events: events.map((e) => ({ ...e, detail: 'retried' })),
    });
    const trail = (await read.auditTrail('idem')).items;
    expect(trail.map((e) => e.detail)).toEqual(['first 1', 'first 2']);

    const n: Notification = {
      id: 'idem/review#1/2',
      journeyId: 'idem',
      programmeId: 'p',
      teamId: 'team-i',
      kind: 'escalation',
      level: 1,
      deadline: 'review',
      recipients: ['lead-x', 'lead-y'],
      message: 'late',
      createdAt: '2026-11-05T00:00:00.000Z',
    };
    await acts.notify(n);
    await acts.notify(n);
    expect((await read.inbox('lead-x')).items).toHaveLength(1);
    expect((await read.inbox('lead-y')).items).toHaveLength(1);

    await acts.projectJourney(summary('idem', { revision: 7, phase: 'care-planning', teamId: 'team-i' }));
    await acts.projectJourney(summary('idem', { revision: 5, phase: 'assessment', teamId: 'team-i' }));
    expect(await read.getJourney('idem')).toMatchObject({ revision: 7, phase: 'care-planning' });
    // Only the newest projection is indexed: the older phase does not linger in the team's lists.
    expect((await read.journeysByTeamPhase('team-i', 'assessment')).items).toEqual([]);
    await acts.projectJourney(summary('idem', { revision: 9, phase: 'closed', teamId: 'team-i', nextDueAt: null }));
    expect((await read.journeysByCoordinator('coord-1')).items.map((j) => j.id)).not.toContain('idem');
    expect((await read.overdueByTeam('team-i', new Date('2030-01-01'))).items).toEqual([]);
  });
});
