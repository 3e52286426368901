/**
 * Retention and erasure (`npm run retention`, activities/retention.ts) on the real stack: records
 * past their programme's retention are listed and deleted with their workflow runs, each deletion
 * logged without naming the person; erasure removes everything about one person and is refused
 * while their care goes on; nobody else's record is touched.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { patientIdFor } from '../../activities/pseudonym.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseJourneyId } from '../../domain/journeyIds.js';
import { retentionCommand } from '../../scripts/retention.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
// The same service, keeping its records for 20 years after closure.
const longKept = {
  ...frailty,
  id: 'frailty-long-kept',
  name: 'Frailty (records kept 20 years)',
  retention: { yearsAfterClosure: 20 },
};
const programmes = parseProgrammes({ programmes: [...builtInProgrammes, longKept] }, 'test');
const api = useApiStack(() => programmes);

const YEAR_MS = 365.25 * 86_400_000;

describe('npm run retention', () => {
  it('lists and deletes records past retention, erases a person on request, and touches nobody else', async () => {
    const stack = api.get();
    const { call, token, rawClient } = stack;
    const read = createReadModel(currentTable().doc, currentTable().tableName);
    const gp = await token('gp-ret', 'referrer');
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const retention = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await retentionCommand(argv, stack.env, (l) => lines.push(l));
      return {
        code,
        lines,
        json: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
      };
    };
    const refer = async (nhsNumber: string, programme: string) => {
      const r = await call('POST', '/referrals', {
        token: gp,
        json: {
          patient: { nhsNumber, givenName: 'Ret', familyName: 'Ention', birthDate: '1939-09-09', postcode: 'TQ3 3CC' },
          programme,
          teamId: 'south-devon-1',
          source: 'gp',
          reason: 'Frailty',
          urgency: 'routine',
          conditions: ['copd'],
          admissionsLast12Months: 1,
          consent: { given: true, recordedBy: 'Dr Ret' },
        },
      });
      expect(r.status).toBe(202);
      return (r.body as { journeyId: string }).journeyId;
    };
    const decline = async (journeyId: string) => {
      const r = await call('POST', `/journeys/${journeyId}/triage`, {
        token: raj,
        json: { decision: 'decline', reason: 'Already known to the community team', closeReason: 'declined' },
      });
      expect(r).toMatchObject({ status: 200, body: { phase: 'closed' } });
      return (r.body as { closedAt: string }).closedAt;
    };
    const detail = async (journeyId: string) => (await call('GET', `/journeys/${journeyId}`, { token: raj })).status;
    const workflowGone = (journeyId: string) =>
      rawClient.workflow
        .getHandle(parseJourneyId(journeyId)!.workflowId)
        .describe()
        .then(
          () => false,
          (error: unknown) => error instanceof WorkflowNotFoundError,
        );

    const eight = await refer('9434765919', 'frailty-virtual-ward');
    const twenty = await refer('9434765870', 'frailty-long-kept');
    // Both discussed at the team's MDT: what was said about each goes with their record, the meeting stays.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const held = await call('POST', '/teams/south-devon-1/mdt-meetings', {
      token: raj,
      json: {
        heldOn: today,
        attendees: ['lead-raj'],
        discussed: [eight, twenty].map((journeyId) => ({
          journeyId,
          presenterId: 'lead-raj',
          decision: 'Known to the community team already: decline',
        })),
      },
    });
    expect(held.status).toBe(201);
    const discussedAtMdt = async () =>
      (
        (await call('GET', '/teams/south-devon-1/mdt-meetings', { token: raj })).body as {
          items: { discussed: { journeyId: string }[] }[];
        }
      ).items.map((m) => m.discussed.map((d) => d.journeyId));
    expect(await discussedAtMdt()).toEqual([[eight, twenty]]);
    const closedAt = Date.parse(await decline(eight));
    await decline(twenty);
    // A correction of the record, kept beside the journey (its own partition): deleted with it.
    const [first] = await read.recordEntries(eight);
    const marked = await call('POST', `/journeys/${eight}/entries/${first!.seq}/entered-in-error`, {
      token: raj,
      json: { reason: 'Recorded against the wrong person' },
    });
    expect(marked.status).toBe(200);
    expect(await read.journeyAmendments(eight)).toHaveLength(1);
    const at = (years: number, days: number) => new Date(closedAt + years * YEAR_MS + days * 86_400_000).toISOString();

    // Past retention: the 8-year record a day after its eight years, never the 20-year one.
    expect((await retention('list', '--at', at(8, -2))).json).toEqual([]);
    expect((await retention('list', '--at', at(8, 2))).json.map((r) => r.journeyId)).toEqual([eight]);
    expect((await retention('list', '--at', at(21, 0))).json.map((r) => r.journeyId).sort()).toEqual(
      [eight, twenty].sort(),
    );

    // Without --confirm nothing is deleted.
    const dry = await retention('delete', '--at', at(8, 2));
    expect(dry.lines[0]).toMatch(/1 record\(s\) past retention/);
    expect(await detail(eight)).toBe(200);
    // A deletion says who made it.
    await expect(retention('delete', '--at', at(8, 2), '--confirm')).rejects.toThrow(/--by/);
    expect(await detail(eight)).toBe(200);

    const deleted = await retention('delete', '--at', at(8, 2), '--confirm', '--by', 'Jo Bloggs (IG lead)');
    expect(deleted.json).toEqual([
      expect.objectContaining({
        reason: 'retention',
        programmeId: 'frailty-virtual-ward',
        by: 'Jo Bloggs (IG lead)',
        workflowRunsDeleted: 1,
        meetingRecordsChanged: 1,
      }),
    ]);
    expect(deleted.json[0]!.itemsDeleted).toBeGreaterThan(5);
    expect(await detail(eight)).toBe(404);
    expect(await read.recordEntries(eight)).toEqual([]);
    expect(await read.journeyAmendments(eight)).toEqual([]);
    expect((await read.auditTrail(eight)).items).toEqual([]);
    expect(await read.getJourney(eight)).toBeUndefined();
    // The server deletes workflow runs asynchronously (about half a minute on the dev server).
    await expect.poll(() => workflowGone(eight), { timeout: 90_000, interval: 500 }).toBe(true);
    expect((await retention('list', '--at', at(8, 2))).json).toEqual([]);
    expect(await discussedAtMdt()).toEqual([[twenty]]);
    // The 20-year record is untouched.
    expect(await detail(twenty)).toBe(200);
    expect(await read.recordEntries(twenty)).not.toEqual([]);
    // The deletion is logged: which record, when, why and by whom; never whose.
    const log = await retention('deletions', '--year', at(8, 2).slice(0, 4));
    expect(log.json).toEqual([
      expect.objectContaining({
        reason: 'retention',
        record: `frailty-virtual-ward.${parseJourneyId(eight)!.episode}`,
      }),
    ]);
    expect(JSON.stringify(log.json)).not.toContain(patientIdFor('9434765919', stack.pseudonymKey));

    // Erasure of a person: refused while any of their journeys is open, and then changes nothing.
    const pid = patientIdFor('9434765870', stack.pseudonymKey);
    const open = await refer('9434765870', 'frailty-virtual-ward');
    expect(await detail(open)).toBe(200);
    const erase = (...more: string[]) =>
      retention('erase', '--nhs-number', '943 476 5870', '--by', 'Jo Bloggs (IG lead)', '--note', 'ER-2034-7', ...more);
    expect((await erase()).lines).toEqual([expect.stringMatching(/--confirm/)]);
    const unknown = await retention('erase', '--nhs-number', '9434765838', '--by', 'Jo', '--note', 'ER-0', '--confirm');
    expect(unknown).toMatchObject({ code: 2, lines: [expect.stringMatching(/^refused: no record is held/)] });
    const refused = await erase('--confirm');
    expect(refused.code).toBe(2);
    expect(refused.lines).toEqual([expect.stringMatching(/^refused: .*1 open journey/)]);
    expect(await detail(twenty)).toBe(200);
    expect(await detail(open)).toBe(200);
    expect(await read.getPatient(pid)).toBeDefined();

    await decline(open);
    const erased = await erase('--confirm');
    expect(erased.code).toBe(0);
    expect(erased.json.map((d) => [d.reason, d.record])).toEqual(
      expect.arrayContaining([
        ['erasure', `frailty-long-kept.${parseJourneyId(twenty)!.episode}`],
        ['erasure', `frailty-virtual-ward.${parseJourneyId(open)!.episode}`],
        ['erasure', 'person'],
      ]),
    );
    expect(erased.json).toHaveLength(3);
    expect(await discussedAtMdt()).toEqual([[]]);
    // Nothing of theirs is left, not even who read it (a later request is logged afresh, as any is).
    expect(await read.accessToPatient(pid, '2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z')).toEqual([]);
    expect(await read.getPatient(pid)).toBeUndefined();
    expect(await read.journeysOfPatient(pid)).toEqual([]);
    for (const id of [twenty, open]) {
      expect(await detail(id)).toBe(404);
      expect(await read.recordEntries(id)).toEqual([]);
    }
    await expect.poll(() => workflowGone(twenty), { timeout: 90_000, interval: 500 }).toBe(true);
    await expect.poll(() => workflowGone(open), { timeout: 90_000, interval: 500 }).toBe(true);
  }, 300_000);
});
