/**
 * A journey on the real stack: the Temporal dev server (the CLI this project builds), the real
 * activities and DynamoDB Local. Then DynamoDB Local is stopped in the middle of the journey:
 * activities fail and retry, the journey keeps taking messages in, and once DynamoDB is back it
 * applies them, and the audit trail, inbox and read model catch up with nothing lost or doubled.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, ensureTable } from '../../activities/dynamo.js';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel } from '../../activities/readModel.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { journeySummary } from '../../domain/views.js';
import { freePort, startDynamoDbLocal, type Service } from '../../scripts/localServices.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { command, hospitalMessage, newPatientId, refer, referral } from '../support/journeyTestEnv.js';
import { activate, asCoordinator, lead } from '../support/journeySteps.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { startDevServer } from '../support/devServer.js';

// Short durations make the timers observable in seconds on a real-time server.
const base = parseProgrammes({ programmes: builtInProgrammes }, 'built-in').find(
  (p) => p.id === 'frailty-virtual-ward',
)!;
const quick = {
  ...base,
  deadlines: {
    ...base.deadlines,
    assessment: { urgent: 'PT20S', routine: 'PT20S' },
    carePlan: 'PT20S',
    postDischargeContact: 'PT6S',
    review: { high: 'PT30S', medium: 'PT30S', low: 'PT30S' },
    reviewAfterDischarge: 'PT20S',
  },
  escalation: [
    { at: '-PT2S', notify: 'coordinator' as const, kind: 'reminder' as const },
    { at: 'PT0S', notify: 'coordinator' as const, kind: 'overdue' as const },
    { at: 'PT2S', notify: 'team-lead' as const, kind: 'escalation' as const },
  ],
};

let env: TestWorkflowEnvironment;
let dynamo: Service;
let port: number;
const dbPath = mkdtempSync(join(tmpdir(), 'carepath-ddb-'));
const tableName = 'carepath-journeys';
const waitFor = async (check: () => Promise<boolean>, what: string, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  port = await freePort();
  dynamo = await startDynamoDbLocal(inject('toolchain'), { port, dbPath });
  env = await startDevServer();
});
afterAll(async () => {
  await env?.teardown();
  await dynamo?.stop();
});

describe('a journey on the dev server with DynamoDB', () => {
  it('survives DynamoDB going away mid-journey: nothing lost, nothing doubled', async () => {
    const doc = createDocumentClient({ tableName, endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-2' });
    await ensureTable(doc, tableName);
    const read = createReadModel(doc, tableName);
    const taskQueue = `dynamo-${newPatientId()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createJourneyActivities({ doc, tableName }),
    });
    await worker.runUntil(async () => {
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: quick,
        referral: referral({ receivedAt: new Date().toISOString() }),
      });
      const s = await activate(j.handle, Date.now());
      expect(s.phase).toBe('active');
      const journeyId = s.journeyId;
      await waitFor(
        async () => (await read.getJourney(journeyId))?.phase === 'active',
        'the read model to show the journey active',
      );
      expect((await read.caseloads('south-devon-1')).find((c) => c.coordinatorId === s.coordinatorId)?.count).toBe(1);

      // DynamoDB goes away. The hospital still sends its discharge; the co-ordinator still records work.
      await dynamo.stop();
      await hospitalMessage(j.handle, { controlId: 'A01-1', event: 'A01' });
      await hospitalMessage(j.handle, { controlId: 'A03-1', event: 'A03' });
      await new Promise((r) => setTimeout(r, 9_000)); // the post-discharge ladder falls due meanwhile (6 s)
      // The contact is taken in now and applied when the journey's loop is next free: once the
      // activity it is retrying gets through (docs/reliability.md, why messages wait for the loop).
      const contact = command(j.handle, 'contact', {
        by: asCoordinator(s.coordinatorId!),
        kind: 'post-discharge',
        channel: 'phone',
      });
      const during = await j.handle.describe();
      expect(during.raw.pendingActivities?.[0]?.attempt ?? 0).toBeGreaterThan(1); // failing and retrying

      dynamo = await startDynamoDbLocal(inject('toolchain'), { port, dbPath });
      await contact;
      await command(j.handle, 'close', { by: lead, reason: 'goals-met', outcome: { goalsMet: 'all' } });
      await j.handle.result();
      const final = await j.handle.query(journeyQuery);

      // The audit trail is complete and has no duplicates.
      const trail = (await read.auditTrail(journeyId)).items.map((e) => e.seq);
      expect(trail).toEqual(Array.from({ length: final.counters.seq }, (_, i) => i + 1));
      // The read model equals the workflow's own state.
      const { overdue: _o, ...projected } = (await read.getJourney(journeyId))!;
      const { overdue: _p, ...expected } = journeySummary(final, Date.now());
      expect(projected).toEqual(expected);
      // What an answer polls while it waits for the record (lambdas/routes/recorded.ts) says the same.
      expect(await read.recordedSoFar(journeyId)).toEqual({
        revision: final.counters.revision,
        referralIds: final.referrals.map((r) => r.referralId),
      });
      // Every ladder step that fell due reached the inbox exactly once.
      const inbox = (await read.inbox(s.coordinatorId!, 200)).items.filter((i) => i.journeyId === journeyId);
      const fired = final.timeline.filter((e) => e.type === 'deadline.step' && e.data?.level === 0).length;
      expect(new Set(inbox.map((i) => i.id)).size).toBe(inbox.length);
      expect(inbox.filter((i) => i.kind !== 'notice')).toHaveLength(fired);
      expect(inbox.map((i) => i.deadline)).toEqual(
        expect.arrayContaining(['post-discharge-contact', 'hospital-admission']),
      );
      // Closing gave the place back.
      expect((await read.caseloads('south-devon-1')).find((c) => c.coordinatorId === s.coordinatorId)?.count).toBe(0);
    });
  });
});
