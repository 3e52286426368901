/**
 * The chaos run's record invariant (`checkRecord`, scripts/chaosCheck.ts): a journey's record in
 * DynamoDB (its STATE item and its ENTRY items, ADR 0009) is its workflow's state. A record
 * written the way the journey writes it passes; each kind of damage is caught and named `record`,
 * first on a journey built with the real domain rules, then through `checkAll` as the chaos run
 * calls it, then on a small real run whose record is damaged in DynamoDB before the check.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { ReadModel } from '../../activities/readModel.js';
import { keys } from '../../activities/table.js';
import { recordAssessment } from '../../domain/assessmentAndCarePlan.js';
import { assigned } from '../../domain/coordinator.js';
import { hospitalEvent } from '../../domain/hospitalStays.js';
import { decideTriage, newJourney, receiveReferral } from '../../domain/intakeAndTriage.js';
import type { JourneyState, TimelineEntry } from '../../domain/journeyState.js';
import { attachContent, auditCopy, isRecordEntry, snapshotOf, type RecordEntry } from '../../domain/record.js';
import type { RecordContent } from '../../domain/journeyState.js';
import { journeySummary } from '../../domain/views.js';
import { runChaos } from '../../scripts/chaos.js';
import { checkAll, checkRecord, type RecordEvidence } from '../../scripts/chaosCheck.js';
import { coordinator, DAY, HOUR, lead, programme, referral, T0 } from '../domain/stageFixtures.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

interface Recorded {
  live: JourneyState;
  record: RecordEvidence;
  audit: TimelineEntry[];
  /** The STATE as recorded one change before the last. */
  previousSnapshot: RecordEvidence['snapshot'];
}

/**
 * A journey taken through referral, triage by a person, an admission and a discharge, an
 * assessment, a second referral and a review; after each message its entries, audit trail and
 * state are written as the journey writes them (`recordJourney`), and its content dropped.
 */
function recordedJourney(patientId = 'pabcdef'): Recorded {
  const workflowId = `test-programme.${patientId}`;
  const s = newJourney(
    { journeyId: `${workflowId}.0123456789ab`, workflowId, patientId, programme: programme(), teamId: 'team-a' },
    T0,
  );
  const record: RecordEvidence = { snapshot: undefined, entries: [] };
  const audit: TimelineEntry[] = [];
  let previousSnapshot: RecordEvidence['snapshot'];
  const write = (now: number) => {
    while (s.outbox.length) {
      const effect = s.outbox.shift()!;
      if (effect.type === 'assign') assigned(s, 'coord-ana', now);
    }
    const pending = s.timeline.filter((e) => e.seq > s.counters.audited);
    record.entries.push(...clone(pending.filter(isRecordEntry)));
    audit.push(...clone(pending.map(auditCopy)));
    for (const e of pending) delete e.content;
    if (pending.length) s.counters.audited = pending.at(-1)!.seq;
    previousSnapshot = record.snapshot;
    record.snapshot = clone(snapshotOf(s));
  };
  const message = (now: number, kind: RecordContent['kind'], type: string, value: unknown, apply: () => void) => {
    const seq = s.counters.seq;
    apply();
    attachContent(s, seq, kind, type, value);
    write(now);
  };
  const first = referral();
  message(T0, 'referral', 'referral', first, () => receiveReferral(s, first, T0));
  const triage = { decision: 'accept' as const, reason: 'needs co-ordination', by: lead };
  message(T0 + HOUR, 'command', 'triage', triage, () => decideTriage(s, triage, T0 + HOUR));
  const admitted = { controlId: 'ADT-1', event: 'A01' as const, location: 'Ward 3' };
  message(T0 + DAY, 'hospital-event', 'A01', admitted, () => hospitalEvent(s, admitted, T0 + DAY));
  const discharged = { controlId: 'ADT-2', event: 'A03' as const };
  message(T0 + 2 * DAY, 'hospital-event', 'A03', discharged, () => hospitalEvent(s, discharged, T0 + 2 * DAY));
  const assessment = { summary: 'managing with support', needs: [], by: coordinator };
  message(T0 + 3 * DAY, 'command', 'assessment', assessment, () => recordAssessment(s, assessment, T0 + 3 * DAY));
  const second = referral({ referralId: 'r2', source: 'community', reason: 'a fall at home', urgency: 'urgent' });
  message(T0 + 4 * DAY, 'referral', 'referral', second, () => receiveReferral(s, second, T0 + 4 * DAY));
  return { live: s, record, audit, previousSnapshot };
}

const entryOf = (r: Recorded, type: string): RecordEntry => {
  const seq = r.live.timeline.find((e) => e.type === type)!.seq;
  return r.record.entries.find((e) => e.seq === seq)!;
};

describe('the record invariant (checkRecord)', () => {
  it('passes a record written the way the journey writes it', () => {
    const r = recordedJourney();
    // The journey really has entries of every kind, and events that carry none.
    expect(new Set(r.record.entries.map((e) => e.content.kind))).toEqual(
      new Set(['referral', 'command', 'hospital-event']),
    );
    expect(r.live.timeline.length).toBeGreaterThan(r.record.entries.length);
    expect(checkRecord(r.live, r.record, r.audit)).toEqual([]);
  });

  const damaged: [string, (r: Recorded) => void, RegExp][] = [
    ['no STATE item', (r) => (r.record.snapshot = undefined), /^no STATE item recorded/],
    [
      'a stale STATE (the one before the last change)',
      (r) => (r.record.snapshot = r.previousSnapshot),
      /^STATE \(revision \d+\) differs from the workflow's state \(revision \d+\) in \d+ places?: .*referrals: 1 items recorded, 2 in the workflow/,
    ],
    [
      'a STATE at the right revision that says something else',
      (r) => (r.record.snapshot!.hospitalStays[0]!.location = 'Ward 9'),
      /hospitalStays\[0\]\.location: recorded "Ward 9", workflow "Ward 3"/,
    ],
    [
      'a STATE whose counters lag',
      (r) => (r.record.snapshot!.counters.audited -= 1),
      /counters\.audited: recorded \d+, workflow \d+/,
    ],
    [
      'a STATE still carrying what was entered',
      (r) => (r.record.snapshot!.timeline[0]!.content = { kind: 'referral', type: 'referral', value: {} }),
      /timeline\[0\]\.content: recorded \{.*\}, workflow absent/,
    ],
    [
      'a missing command ENTRY',
      (r) => (r.record.entries = r.record.entries.filter((e) => e !== entryOf(r, 'assessment.recorded'))),
      /^no ENTRY for event \d+ \(assessment\.recorded\), caused by command assessment$/,
    ],
    [
      'a missing hospital-event ENTRY',
      (r) => (r.record.entries = r.record.entries.filter((e) => e !== entryOf(r, 'hospital.discharged'))),
      /^no ENTRY for event \d+ \(hospital\.discharged\), caused by a hospital event$/,
    ],
    [
      'a missing referral ENTRY',
      (r) => (r.record.entries = r.record.entries.filter((e) => e !== entryOf(r, 'referral.merged'))),
      /^1 referral ENTRY items for the journey's 2 referrals$/,
    ],
    [
      'an ENTRY written twice',
      (r) => r.record.entries.push(clone(entryOf(r, 'triage.decided'))),
      /^ENTRY seqs repeated: \d+$/,
    ],
    [
      'an ENTRY beyond what the journey has written',
      (r) => r.record.entries.push({ ...clone(entryOf(r, 'triage.decided')), seq: r.live.counters.seq + 1 }),
      /^ENTRY items beyond the journey's last written event/,
    ],
    [
      "an ENTRY that is not the journey's event",
      (r) => (entryOf(r, 'triage.decided').detail = 'decline: not eligible'),
      /^ENTRY \d+ is not the journey's event \d+: detail: recorded "decline: not eligible"/,
    ],
    [
      'an ENTRY recording the wrong kind of thing',
      (r) => (entryOf(r, 'triage.decided').content.type = 'close'),
      /^ENTRY \d+ \(triage\.decided\) records command close, not command triage$/,
    ],
    [
      'a referral ENTRY that is not the referral as the journey took it in',
      (r) => ((entryOf(r, 'referral.received').content.value as { reason: string }).reason = 'something else'),
      /^ENTRY \d+ records referral r1 otherwise than the journey holds it: reason: recorded "something else"/,
    ],
  ];
  it.each(damaged)('catches %s', (_name, damage, detail) => {
    const r = recordedJourney();
    damage(r);
    const violations = checkRecord(r.live, r.record, r.audit);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.invariant === 'record' && v.journeyId === r.live.journeyId)).toBe(true);
    expect(violations.map((v) => v.detail)).toContainEqual(expect.stringMatching(detail));
  });

  /** `checkAll` over recorded journeys, through a Temporal client and a read model that answer from them. */
  const checkAllOf = (recorded: Recorded[], reachedNoOne: { id: string; journeyId: string }[] = []) => {
    const journeys = new Map(recorded.map((r) => [r.live.journeyId, r]));
    const byWorkflow = new Map(recorded.map((r) => [r.live.workflowId, r]));
    const client = {
      workflow: {
        getHandle: (workflowId: string) => ({
          query: async () => clone(byWorkflow.get(workflowId)!.live),
          describe: async () => ({ raw: {} }),
        }),
      },
    } as unknown as Client;
    const read = {
      inbox: async () => ({ items: [] }),
      unrouted: async () => clone(reachedNoOne),
      auditTrail: async (id: string) => ({ items: clone(journeys.get(id)!.audit) }),
      getJourney: async (id: string) => journeySummary(journeys.get(id)!.live, Date.now()),
      journeySnapshot: async (id: string) => clone(journeys.get(id)!.record.snapshot),
      recordEntries: async (id: string) => clone(journeys.get(id)!.record.entries),
      // The directory does not know the team: recipients are checked against the journey's own lists.
      staff: { teamView: async () => ({ members: [], away: new Map() }) },
    } as unknown as ReadModel;
    return checkAll({ client, read, programme: programme(), journeyIds: [...journeys.keys()], graceMs: 0 });
  };

  it('is checked by checkAll for every settled journey, and counted', async () => {
    const healthy = recordedJourney('paaaaaa');
    const stale = recordedJourney('pbbbbbb');
    stale.record.snapshot = stale.previousSnapshot;
    const result = await checkAllOf([healthy, stale]);
    expect(result.journeys).toBe(2);
    expect(result.recordEntries).toBe(healthy.record.entries.length + stale.record.entries.length);
    expect(result.violations).toEqual([
      { journeyId: stale.live.journeyId, invariant: 'record', detail: expect.stringMatching(/^STATE \(revision/) },
    ]);
  });

  it("fails a journey whose alert reached no one, since a run's teams always have people (HAZ-30)", async () => {
    const healthy = recordedJourney('paaaaaa');
    const alert = { id: `${healthy.live.journeyId}/triage/0`, journeyId: healthy.live.journeyId };
    const result = await checkAllOf([healthy], [alert]);
    expect(result.violations).toEqual([
      {
        journeyId: healthy.live.journeyId,
        invariant: 'notified-once',
        detail: `${alert.id} reached no one, though the team has people in the staff directory`,
      },
    ]);
  });
});

describe('the record invariant on a real run', () => {
  it('fails a run whose record was damaged in DynamoDB, naming the journeys, and passes the rest', async () => {
    const lines: string[] = [];
    let staleState = '';
    let lostReferral = '';
    const report = await runChaos({
      journeys: 4,
      arrivalMs: 2_000,
      lifeMs: 20_000,
      workerKills: 0,
      dynamoDbOutageMs: 0,
      temporalDownMs: 0,
      emailRefusalRate: 0,
      graceMs: 30_000,
      seed: 15,
      log: (line) => lines.push(line),
      beforeCheck: async ({ doc, tableName: TableName, journeyIds }) => {
        staleState = journeyIds[0]!;
        lostReferral = journeyIds[1]!;
        // A stale STATE: the last event taken out again. Its revision is put out of reach, so
        // the journey's own later writes (refused below a newer revision) cannot mend it.
        // The load ends a journey's life early if it could not read it back (a slow first write on a
        // busy machine), so its STATE may still be on its way: wait for it.
        let Item: Record<string, unknown> | undefined;
        for (let waited = 0; !Item && waited < 60_000; waited += 500) {
          ({ Item } = await doc.send(new GetCommand({ TableName, Key: keys.journeyState(staleState) })));
          if (!Item) await new Promise((r) => setTimeout(r, 500));
        }
        const snapshot = JSON.parse(gunzipSync(Item!.state as Uint8Array).toString('utf8')) as JourneyState;
        snapshot.timeline.pop();
        snapshot.counters.seq -= 1;
        snapshot.counters.revision -= 1;
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...Item, revision: Number.MAX_SAFE_INTEGER, state: gzipSync(JSON.stringify(snapshot)) },
          }),
        );
        // A referral's ENTRY lost. Entries are written once and never again.
        const { Items = [] } = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
            ExpressionAttributeValues: { ':pk': `JOURNEY#${lostReferral}`, ':entry': 'ENTRY#' },
          }),
        );
        const entry = Items.find((i) => (JSON.parse(i.content as string) as RecordContent).kind === 'referral')!;
        await doc.send(new DeleteCommand({ TableName, Key: { pk: entry.pk, sk: entry.sk } }));
      },
    });
    expect(report.checked.journeys, lines.join('\n')).toBe(4);
    // Every journey's referral has its entry, but the one taken out.
    expect(report.checked.recordEntries).toBeGreaterThanOrEqual(3);
    expect(report.byInvariant).toEqual({ record: report.violations });
    const details = (id: string) => report.violationSamples.filter((v) => v.journeyId === id).map((v) => v.detail);
    expect(details(staleState)).toEqual([expect.stringMatching(/^STATE \(revision \d+\) differs .*timeline: /)]);
    expect(details(lostReferral)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no ENTRY for event \d+ \(referral\.received\), caused by a referral$/),
        "0 referral ENTRY items for the journey's 1 referrals",
      ]),
    );
    expect(new Set(report.violationSamples.map((v) => v.journeyId))).toEqual(new Set([staleState, lostReferral]));
  }, 300_000);
});
