/**
 * Journeys ask the staff directory (issue 18), on the time-skipping server with the real DynamoDB
 * activities: a co-ordinator who joins is given the next journey, and can be given a running one;
 * an absent co-ordinator's reminders reach their cover; a lead who left is never escalated to.
 * Each test has a team of its own, so the directory of one never reaches another.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import type { Programme } from '../../domain/programme.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import {
  command,
  CommandRefused,
  DAY,
  newPatientId,
  programme,
  refer,
  referral,
  useJourneyTestEnv,
  withJourneyWorker,
} from '../support/journeyTestEnv.js';

let env: TestWorkflowEnvironment;
useJourneyTestEnv((started) => (env = started));

const frailty = programme('frailty-virtual-ward');
let teams = 0;
/**
 * The frailty virtual ward with a team of its own. The journey's snapshot still names the built-in
 * team's people (coord-ana, lead-raj…); the directory names others, and it is the directory that
 * the journey's notifications and assignments follow.
 */
function ownTeam(): { programme: Programme; teamId: string } {
  teams += 1;
  const teamId = `directory-team-${process.pid}-${teams}`;
  return { programme: { ...frailty, teams: [{ ...frailty.teams[0]!, id: teamId }] }, teamId };
}

const directory = () => createStaffDirectory(currentTable().doc, currentTable().tableName);
const lead = (sub: string) => ({ sub, role: 'team-lead' as const });

/** Staff of one team: each a coordinator, lead or service manager, with a capacity for co-ordinators. */
async function staffTeam(
  teamId: string,
  people: Record<string, 'coordinator' | 'team-lead' | 'service-manager' | number>,
) {
  for (const [id, what] of Object.entries(people))
    await directory().putMember(
      id,
      typeof what === 'number'
        ? { name: id, roles: ['coordinator'], teams: [teamId], maxCaseload: what }
        : { name: id, roles: [what], teams: [teamId] },
      'test',
    );
}

describe('journeys ask the staff directory', () => {
  it('gives the next journey to a co-ordinator who joined, and a running one to a co-ordinator who joined after it began', async () => {
    await withJourneyWorker(env, async ({ taskQueue }) => {
      const { programme: p, teamId } = ownTeam();
      // The only co-ordinator there before is full; the one who joined has room.
      await staffTeam(teamId, { 'ana-1': 0, 'lead-1': 'team-lead', 'mgr-1': 'service-manager' });
      await staffTeam(teamId, { 'new-1': 5 });
      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: p,
        referral: referral({ teamId, receivedAt: new Date(now).toISOString() }),
      });
      await expect.poll(async () => (await j.state()).coordinatorId).toBe('new-1');

      // Joined after the journey started: the journey's team, as it began, never named her.
      await staffTeam(teamId, { 'late-1': 5 });
      const moved = await command(j.handle, 'reassign', { by: lead('lead-1'), coordinatorId: 'late-1' });
      expect(moved.coordinatorId).toBe('late-1');
      // The snapshot's co-ordinators are no longer the team's: the directory is asked, and refuses.
      const refused = await command(j.handle, 'reassign', { by: lead('lead-1'), coordinatorId: 'coord-ana' }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(CommandRefused);
      expect(refused).toMatchObject({ type: 'invalid', message: expect.stringMatching(/not a co-ordinator/) });
      expect((await j.state()).coordinatorId).toBe('late-1');
    });
  });

  it('sends an absent co-ordinator’s reminders to their cover, and an absent lead’s escalation up to the service manager', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const { programme: p, teamId } = ownTeam();
      await staffTeam(teamId, { 'ana-2': 5, 'joe-2': 0, 'lead-2': 'team-lead', 'mgr-2': 'service-manager' });
      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: p,
        referral: referral({ teamId, receivedAt: new Date(now).toISOString() }),
      });
      await expect.poll(async () => (await j.state()).coordinatorId).toBe('ana-2');
      // Away from yesterday for two months (the activity asks the directory on the wall clock),
      // with Joe covering; the lead away too, with no one named.
      const wall = Date.now();
      const period = { from: new Date(wall - DAY).toISOString(), to: new Date(wall + 60 * DAY).toISOString() };
      await directory().addAbsence('ana-2', { ...period, coverId: 'joe-2', reason: 'annual leave' }, 'lead-2');
      await directory().addAbsence('lead-2', period, 'mgr-2');

      // The assessment falls due 10 days after the referral: reminder at 9, overdue at 10, lead at 11.
      await env.sleep(11.5 * DAY);
      // Newest first, as the inbox reads.
      const inbox = async (who: string) => (await seen.read.inbox(who)).items;
      const mine = (items: Awaited<ReturnType<typeof inbox>>) =>
        items.filter((i) => i.deadline === 'assessment').map((i) => [i.kind, i.onBehalfOf]);
      await expect
        .poll(async () => mine(await inbox('joe-2')))
        .toEqual([
          ['overdue', 'ana-2'],
          ['reminder', 'ana-2'],
        ]);
      expect(mine(await inbox('ana-2'))).toEqual([]);
      // The lead's step: no lead there and no cover named, so the service manager has it.
      await expect.poll(async () => mine(await inbox('mgr-2'))).toEqual([['escalation', undefined]]);
      expect(mine(await inbox('lead-2'))).toEqual([]);
      // The journey itself knew only the snapshot's people: it is the directory that decided.
      expect(seen.notifications.find((n) => n.deadline === 'assessment' && n.kind === 'reminder')?.recipients).toEqual([
        'ana-2',
      ]);
    });
  });

  it('never escalates to a lead who left, and gives no new journey to a co-ordinator who left', async () => {
    await withJourneyWorker(env, async ({ taskQueue, seen }) => {
      const { programme: p, teamId } = ownTeam();
      await staffTeam(teamId, {
        'gone-3': 50,
        'sam-3': 5,
        'lead-3': 'team-lead',
        'lead-3b': 'team-lead',
        'mgr-3': 'service-manager',
      });
      await directory().markLeft('gone-3', 'admin');
      await directory().markLeft('lead-3', 'admin');
      const now = await env.currentTimeMs();
      const j = await refer(env, taskQueue, {
        patientId: newPatientId(),
        programme: p,
        referral: referral({ teamId, receivedAt: new Date(now).toISOString() }),
      });
      await expect.poll(async () => (await j.state()).coordinatorId).toBe('sam-3');
      await env.sleep(11.5 * DAY);
      const escalations = async (who: string) =>
        (await seen.read.inbox(who)).items.filter((i) => i.deadline === 'assessment' && i.kind === 'escalation');
      await expect.poll(async () => (await escalations('lead-3b')).length).toBe(1);
      expect(await escalations('lead-3')).toEqual([]);
      expect(await escalations('gone-3')).toEqual([]);
    });
  });
});
