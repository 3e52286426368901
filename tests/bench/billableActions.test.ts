/**
 * The cost bench counts Temporal Cloud's billable actions from history events
 * (docs.temporal.io/cloud/actions): what bills, what does not, and how retried activities count.
 */
import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { actionsIn, totalActions } from '../../bench/billableActions.js';

const E = proto.temporal.api.enums.v1.EventType;
const json = (v: unknown) => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(v)),
});
const upsert = (fields: Record<string, unknown>) => ({
  eventType: E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, json(v)])) },
  },
});

describe('billable actions in a history', () => {
  it('bills a start, signals, timers started, upserts of care attributes and every activity attempt', () => {
    const actions = actionsIn([
      { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
      { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      { eventType: E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED },
      { eventType: E.EVENT_TYPE_TIMER_STARTED },
      { eventType: E.EVENT_TYPE_TIMER_FIRED },
      { eventType: E.EVENT_TYPE_TIMER_STARTED },
      { eventType: E.EVENT_TYPE_TIMER_CANCELED },
      upsert({ CarePhase: 'active', NextDueAt: '2027-01-04T09:00:00.000Z' }),
      { eventType: E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED },
      { eventType: E.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 3 } },
      { eventType: E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED },
      { eventType: E.EVENT_TYPE_ACTIVITY_TASK_STARTED, activityTaskStartedEventAttributes: { attempt: 1 } },
      { eventType: E.EVENT_TYPE_MARKER_RECORDED },
    ]);
    expect(actions).toEqual({
      workflowStarted: 1,
      signal: 2,
      timer: 2,
      searchAttributeUpsert: 1,
      activityAttempt: 4,
      query: 0,
    });
    expect(totalActions(actions)).toBe(10);
  });

  it("does not bill sdk-core's TemporalChangeVersion upsert for a patch, nor a patch marker", () => {
    const actions = actionsIn([
      { eventType: E.EVENT_TYPE_MARKER_RECORDED },
      upsert({ TemporalChangeVersion: ['message-times'] }),
      upsert({ TemporalChangeVersion: ['message-times', 'search-attributes-carried'] }),
    ]);
    expect(totalActions(actions)).toBe(0);
  });
});
