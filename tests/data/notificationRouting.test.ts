/**
 * Where a journey's notifications go now that journeys keep only their programme's rules (issue
 * 18): the notify activity asks the staff directory, on DynamoDB Local. An absent co-ordinator's
 * alert reaches their cover; an alert for a team with no one in the directory is kept for the team
 * (HAZ-27), never dropped; and erasing the journey finds every inbox its alerts reached, the
 * cover's and the team's included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJourneyActivities } from '../../activities/journeyStore.js';
import { createReadModel } from '../../activities/readModel.js';
import { createRetention } from '../../activities/retention.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { keys } from '../../activities/table.js';
import type { Notification } from '../../domain/journey.js';
import { journeyIdFor, journeyWorkflowId } from '../../domain/journeyIds.js';
import { startLocalTable, type LocalTable } from '../support/dynamoDbLocal.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';

let t: LocalTable;
beforeAll(async () => {
  t = await startLocalTable();
});
afterAll(async () => {
  await t?.service.stop();
});

const AT = '2027-02-01T10:00:00.000Z';

/** That the person has the journey, as the API records it: how erasure finds their journeys. */
const personHas = (patientId: string, journeyId: string) =>
  t.doc.send(
    new PutCommand({ TableName: t.tableName, Item: { ...keys.patientJourney(patientId, journeyId), journeyId } }),
  );

function alert(journeyId: string, teamId: string, over: Partial<Notification> = {}): Notification {
  return {
    id: `${journeyId}/assessment/1`,
    journeyId,
    programmeId: 'frailty-virtual-ward',
    teamId,
    kind: 'overdue',
    level: 0,
    deadline: 'assessment',
    recipients: [],
    audience: { role: 'coordinator', teamId },
    message: 'Assessment overdue',
    createdAt: AT,
    ...over,
  };
}

describe('notifications from a journey that keeps only the rules', () => {
  it("reach an absent co-ordinator's cover, and erasing the journey takes them from the cover's inbox", async () => {
    const acts = createJourneyActivities({ doc: t.doc, tableName: t.tableName });
    const read = createReadModel(t.doc, t.tableName);
    const staff = createStaffDirectory(t.doc, t.tableName);
    await staff.seed([
      { staffId: 'coord-away', name: 'Ada Away', roles: ['coordinator'], teams: ['team-r'], maxCaseload: 10 },
      { staffId: 'coord-cover', name: 'Cy Cover', roles: ['coordinator'], teams: ['team-r'], maxCaseload: 10 },
      { staffId: 'lead-r', name: 'Lee Lead', roles: ['team-lead'], teams: ['team-r'] },
    ]);
    await staff.addAbsence(
      'coord-away',
      { from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), to: '2099-01-01', coverId: 'coord-cover' },
      'lead-r',
    );

    const patientId = 'p0123456789abcdef01234567';
    const journeyId = journeyIdFor(
      journeyWorkflowId('frailty-virtual-ward', patientId),
      '0d6f1c9e-3b7a-4f2e-9a51-6c1d2e3f4a5b',
    );
    await personHas(patientId, journeyId);
    const n = alert(journeyId, 'team-r', {
      audience: { role: 'coordinator', teamId: 'team-r', coordinatorId: 'coord-away' },
    });
    await acts.notify(n);
    await acts.notify(n); // a retried activity: still one item
    expect((await read.inbox('coord-away')).items).toEqual([]);
    expect((await read.inbox('coord-cover')).items).toEqual([
      expect.objectContaining({ id: n.id, recipient: 'coord-cover', onBehalfOf: 'coord-away' }),
    ]);

    const erased = await createRetention(t.doc, t.tableName).erasePerson(patientId, 'IG lead', 'ER-1', new Date());
    expect(erased.map((d) => d.record)).toContain('person');
    expect((await read.inbox('coord-cover')).items).toEqual([]);
  });

  it('for a team with no one in the directory, are kept for the team and listed, not lost, and erased with the journey', async () => {
    const acts = createJourneyActivities({ doc: t.doc, tableName: t.tableName });
    const read = createReadModel(t.doc, t.tableName);
    const patientId = 'p0123456789abcdef0123456f';
    const journeyId = journeyIdFor(
      journeyWorkflowId('frailty-virtual-ward', patientId),
      '7e2a9b1c-5d4f-4e3a-8b62-1f0e9d8c7b6a',
    );
    await personHas(patientId, journeyId);
    const n = alert(journeyId, 'team-nobody', {
      id: `${journeyId}/assessment/2`,
      kind: 'escalation',
      level: 1,
      audience: { role: 'team-lead', teamId: 'team-nobody' },
    });
    await acts.notify(n);
    await acts.notify(n);
    const since = new Date(Date.parse(AT) - 1000);
    expect(await read.unrouted('team-nobody', since)).toEqual([
      expect.objectContaining({ id: n.id, journeyId, kind: 'escalation', message: 'Assessment overdue' }),
    ]);
    // Only that team's, and only since when asked.
    expect(await read.unrouted('team-r', since)).toEqual([]);
    expect(await read.unrouted('team-nobody', new Date(Date.parse(AT) + 1000))).toEqual([]);

    await createRetention(t.doc, t.tableName).erasePerson(patientId, 'IG lead', 'ER-2', new Date());
    expect(await read.unrouted('team-nobody', since)).toEqual([]);
  });
});
