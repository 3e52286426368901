/**
 * Search attributes cost a Temporal Cloud action each time a journey upserts them, and nothing
 * when a workflow starts with them. A journey the API starts holds them from its start, so its
 * first task upserts none; it upserts when one of them changes, and never for values it holds.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { actionsIn } from '../../bench/billableActions.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import * as SA from '../../temporal/searchAttributes.js';
import { JOURNEY_TASK_QUEUE } from '../../temporal/taskQueue.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { recordActivities } from '../support/recordingActivities.js';
import {
  command,
  journeyWorker,
  newPatientId,
  programme,
  referral,
  useJourneyTestEnv,
} from '../support/journeyTestEnv.js';
import { lead } from '../support/journeySteps.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');

describe('search attributes of a journey the API starts', () => {
  it('are set at its start, so its first task upserts none; a triage that changes its phase upserts once', async () => {
    const { worker } = await journeyWorker(env, JOURNEY_TASK_QUEUE, recordActivities(currentTable()));
    const at = await env.currentTimeMs();
    const gateway = createJourneyGateway(env.client, { now: () => new Date(at) });
    await worker.runUntil(async () => {
      const patientId = newPatientId();
      // A borderline referral, which a person triages: the journey waits for them, as it started.
      const borderline = { receivedAt: new Date(at).toISOString(), age: 78, conditions: ['copd', 'diabetes'] };
      const opened = await gateway.refer(
        frailty,
        patientId,
        referral({ ...borderline, livesAlone: false, admissionsLast12Months: 1 }),
      );
      expect(opened.phase).toBe('triage');
      const handle = env.client.workflow.getHandle(journeyWorkflowId(frailty.id, patientId));

      // The journey has taken the referral in and recorded it.
      await expect
        .poll(async () => (await handle.query(journeyQuery)).counters.audited, { timeout: 15_000 })
        .toBeGreaterThan(0);
      const s = await handle.query(journeyQuery);
      const held = (await handle.describe()).typedSearchAttributes;
      expect(SA.heldSearchAttributes(held)).toEqual(SA.searchAttributesFor(s).map((a) => a.value ?? undefined));
      expect(held.get(SA.CarePhase)).toBe('triage');
      expect(held.get(SA.NextDueAt)).toBeInstanceOf(Date); // triage's own deadline
      expect(actionsIn((await handle.fetchHistory()).events ?? []).searchAttributeUpsert).toBe(0);

      await command(handle, 'triage', { by: lead, decision: 'accept', reason: 'meets criteria' });
      await expect
        .poll(async () => (await handle.describe()).typedSearchAttributes.get(SA.CarePhase))
        .not.toBe('triage');
      expect(actionsIn((await handle.fetchHistory()).events ?? []).searchAttributeUpsert).toBeGreaterThanOrEqual(1);
      await handle.terminate('test finished');
    });
  });
});
