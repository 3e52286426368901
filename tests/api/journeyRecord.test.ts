/**
 * The clinical record on the real stack (dev server, DynamoDB Local, worker, API): everything a
 * person enters is kept and shown, the record outlives the journey's workflow history, and
 * journeys are read without their worker.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { patientIdFor } from '../../activities/pseudonym.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseJourneyId } from '../../domain/journeyIds.js';
import type { RecordEntry } from '../../domain/record.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const api = useApiStack(() => programmes);
const HOUR = 3_600_000;

/** HL7 v2 DTM with an explicit offset (UTC), so the time read is the time meant. */
const hl7Time = (at: number) => `${new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
const adt = (id: string, event: string, nhs: string, at: number) =>
  [
    `MSH|^~\\&|PAS|RBZ|CAREPATH|ICS|${hl7Time(at)}||ADT^${event}|${id}|P|2.4`,
    `EVN|${event}|${hl7Time(at)}`,
    `PID|1||H1^^^RBZ^MR~${nhs}^^^NHS^NH||Record^Rita||19400101|F`,
    'PV1|1|I|WARD9^BED1^RDE',
  ].join('\r');

type View = Record<string, unknown> & {
  id: string;
  phase: string;
  referrals: Record<string, unknown>[];
  triage: Record<string, unknown>;
  assessment: Record<string, unknown>;
  carePlan: { version: number; actions: Record<string, unknown>[] } & Record<string, unknown>;
  reviews: Record<string, unknown>[];
  contacts: Record<string, unknown>[];
  hospitalStays: Record<string, unknown>[];
  closure: Record<string, unknown>;
  coordinatorId: string;
};

describe('the clinical record', () => {
  let journeyId = '';
  let beforeDelete: { detail: unknown; fhir: Record<string, unknown> } | undefined;

  it('keeps every field of every command, and reads the same after the workflow history is deleted', async () => {
    const { call, token, rawClient, pseudonymKey } = api.get();
    const read = createReadModel(currentTable().doc, currentTable().tableName);
    const gp = await token('gp-rec', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const feed = await token('tie-1', 'integration');
    const nhs = '9434765919';
    const patient = {
      nhsNumber: nhs,
      givenName: 'Rita',
      familyName: 'Record',
      birthDate: '1940-01-01',
      postcode: 'TQ1 1AA',
      phone: '01803 000001',
    };
    const referral = {
      patient,
      programme: 'frailty-virtual-ward',
      teamId: 'south-devon-1',
      source: 'gp',
      referrer: { name: 'Dr Okafor', organisation: 'Paignton Surgery' },
      reason: 'Recurrent falls; lives alone since her husband died',
      urgency: 'routine',
      conditions: ['copd'],
      livesAlone: false,
      carer: { name: 'Sam Record', relationship: 'son', strain: false },
      admissionsLast12Months: 1,
      consent: { given: true, recordedBy: 'Dr Okafor' },
    };
    const first = await call('POST', '/referrals', { token: gp, json: referral });
    expect(first.status).toBe(202);
    journeyId = (first.body as { journeyId: string }).journeyId;
    const path = `/journeys/${journeyId}`;
    // A second referral with other details: kept as it arrived, and it changes nobody's demographics.
    const moved = { ...patient, postcode: 'TQ9 9ZZ', phone: '07700 900999', givenName: 'Margarita' };
    const second = await call('POST', '/referrals', {
      token: gp,
      json: { ...referral, patient: moved, source: 'community', reason: 'Community nurse: more falls' },
    });
    expect(second).toMatchObject({ status: 202, body: { journeyId, merged: true } });
    // The merged referral is in the record by the time it is answered.
    expect(((await call('GET', path, { token: ana })).body as View).referrals).toHaveLength(2);

    const send = async (token: string, route: string, json: unknown) => {
      const r = await call('POST', `${path}/${route}`, { token, json });
      expect(r.status, `${route}: ${r.text}`).toBe(200);
      return r.body as View;
    };
    const triage = { decision: 'accept', reason: 'MDT: frail, falls, carer support needed', riskTier: 'high' };
    await send(raj, 'triage', triage);
    const assessment = {
      summary: 'Frail, two falls, COPD; wants to stay at home',
      needs: [
        { domain: 'physical', description: 'Mobility: walks with a frame indoors' },
        { domain: 'housing', description: 'Stairs to the only toilet' },
      ],
      whatMatters: 'Staying in her own home with her cat',
      conditions: ['falls'],
      livesAlone: true,
      carer: { present: true, relationship: 'son', strain: true, assessmentOffered: true, needs: 'Respite' },
      riskTier: 'high',
    };
    await send(ana, 'assessment', assessment);
    const due = (days: number) => new Date(Date.now() + days * 24 * HOUR).toISOString();
    const planV1 = {
      goals: [{ id: 'home', description: 'Stay safely at home' }],
      actions: [
        { id: 'rail', description: 'Fit a stair rail', owner: 'OT', due: due(10) },
        { id: 'meds', description: 'Medication review', owner: 'GP', due: due(20) },
      ],
      agreedWithPatient: false,
      agreedWithCarer: true,
      notAgreedReason: 'Best-interests decision with her son',
    };
    await send(ana, 'care-plan', planV1);
    const planV2 = {
      ...planV1,
      goals: [...planV1.goals, { id: 'social', description: 'Back to the lunch club' }],
      agreedWithPatient: true,
      notAgreedReason: undefined,
    };
    await send(ana, 'care-plan', planV2);
    const completion = { notes: 'Rail fitted by the council handyperson scheme' };
    await send(ana, 'actions/rail/complete', completion);
    const review = { outcome: 'continue', riskTier: 'medium', notes: 'Steadier; son coping better with respite' };
    const { openedAt } = await send(raj, 'reviews', review);
    const opened = Date.parse(openedAt as string);
    const contact = {
      kind: 'carer',
      channel: 'phone',
      outcome: 'message-left',
      // Earlier than now, and (as a contact must be) after the journey opened.
      at: new Date(Math.floor((opened + Date.now()) / 2)).toISOString(),
      notes: 'Son asked about a carer’s allowance',
    };
    await send(ana, 'contacts', contact);

    // A stay in hospital, from the ADT feed, in whole seconds after the journey opened.
    await new Promise((r) => setTimeout(r, Math.max(0, opened + 2_500 - Date.now())));
    const now = Date.now();
    for (const [id, event, at] of [
      ['REC-A01', 'A01', now - 1_500],
      ['REC-A03', 'A03', now],
    ] as const) {
      const r = await call('POST', '/adt', { token: feed, body: adt(id, event, nhs, at) });
      expect(r.text).toMatch(/MSA\|AA/);
    }
    await expect
      .poll(async () => ((await call('GET', path, { token: ana })).body as View).hospitalStays)
      .toEqual([
        expect.objectContaining({ dischargedAt: expect.any(String), location: expect.stringContaining('WARD9') }),
      ]);

    const reassign = { coordinatorId: 'coord-joe' };
    await send(raj, 'coordinator', reassign);
    const joe = await token('coord-joe', 'coordinator', ['south-devon-1']);
    const closing = {
      reason: 'goals-met',
      outcome: { goalsMet: 'some', notes: 'Home with support; lunch club weekly' },
    };
    const closed = await send(joe, 'close', closing);
    expect(closed.phase).toBe('closed');

    // ---- In the journey view: every field, where a person would look for it.
    const view = (await call('GET', path, { token: ana })).body as View;
    expect(view.referrals).toEqual([
      expect.objectContaining({
        source: 'gp',
        referrerOrganisation: 'Paignton Surgery',
        reason: referral.reason,
        urgency: 'routine',
        conditions: ['copd'],
        livesAlone: false,
        carer: { relationship: 'son', strain: false },
        admissionsLast12Months: 1,
        consentGiven: true,
      }),
      expect.objectContaining({ source: 'community', reason: 'Community nurse: more falls' }),
    ]);
    expect(view.triage).toMatchObject({ decision: 'accept', reason: triage.reason, by: 'lead-raj' });
    expect(view.assessment).toMatchObject({ ...assessment, by: 'coord-ana' });
    const { notAgreedReason: _dropped, ...planV2Sent } = planV2;
    expect(view.carePlan).toMatchObject({
      ...planV2Sent,
      version: 2,
      actions: [
        expect.objectContaining({
          id: 'rail',
          description: 'Fit a stair rail',
          owner: 'OT',
          completedAt: expect.any(String),
          completedBy: 'coord-ana',
          completionNotes: completion.notes,
        }),
        expect.objectContaining({ id: 'meds', description: 'Medication review', owner: 'GP' }),
      ],
    });
    expect(view.reviews).toEqual([expect.objectContaining({ ...review, by: 'lead-raj' })]);
    expect(view.contacts).toEqual([
      expect.objectContaining({ ...contact, at: new Date(contact.at).toISOString(), by: 'coord-ana' }),
    ]);
    expect(view.coordinatorId).toBe('coord-joe');
    expect(view.closure).toMatchObject({ ...closing, by: 'coord-joe' });
    // …and never who the person is: the view is the journey's, not the patient's. The person is
    // named beside it, read from the patient record (as amended), not from the journey.
    const { person, ...journeyItself } = view as typeof view & { person: { name: string; phone?: string } };
    expect(person.name).toBe('RECORD, Rita');
    const viewText = JSON.stringify(journeyItself);
    for (const identifying of [nhs, 'Rita', 'Margarita', 'Record', '01803', '07700', 'TQ1 1AA', '1940-01-01'])
      expect(viewText).not.toContain(identifying);

    // ---- In the record: every command as accepted, whole, once, in order.
    const entries = await read.recordEntries(journeyId);
    const contentOf = (type: string) => entries.filter((e) => e.content.type === type).map((e) => e.content.value);
    expect(contentOf('referral')).toEqual([
      expect.objectContaining({ reason: referral.reason, referrerOrganisation: 'Paignton Surgery' }),
      expect.objectContaining({ reason: 'Community nurse: more falls', source: 'community' }),
    ]);
    expect(contentOf('triage')).toEqual([expect.objectContaining(triage)]);
    expect(contentOf('assessment')).toEqual([expect.objectContaining(assessment)]);
    const { notAgreedReason: _none, ...v2 } = planV2;
    expect(contentOf('care-plan')).toEqual([expect.objectContaining(planV1), expect.objectContaining(v2)]);
    expect(contentOf('complete-action')).toEqual([expect.objectContaining({ actionId: 'rail', ...completion })]);
    expect(contentOf('review')).toEqual([expect.objectContaining(review)]);
    expect(contentOf('contact')).toEqual([expect.objectContaining(contact)]);
    expect(contentOf('A01')).toEqual([expect.objectContaining({ controlId: 'RBZ:REC-A01', event: 'A01' })]);
    expect(contentOf('A03')).toEqual([expect.objectContaining({ controlId: 'RBZ:REC-A03', event: 'A03' })]);
    expect(contentOf('reassign')).toEqual([expect.objectContaining(reassign)]);
    expect(contentOf('close')).toEqual([expect.objectContaining(closing)]);
    for (const e of entries as RecordEntry[])
      if (e.content.kind === 'command')
        expect(e.by, `${e.content.type} is recorded as by who sent it`).toBe(
          (e.content.value as { by: { sub: string } }).by.sub,
        );
    expect(new Set(entries.map((e) => e.seq)).size).toBe(entries.length);
    // The audit trail (which period metrics read) has the entries, but none of the free text.
    const audit = (await read.auditTrail(journeyId, 1000)).items;
    expect(audit.length).toBeGreaterThan(entries.length);
    const auditText = JSON.stringify(audit);
    for (const said of [completion.notes, review.notes, contact.notes, assessment.summary, closing.outcome.notes])
      expect(auditText).not.toContain(said);

    // Each referral as it arrived, demographics and all; the person's own stay as first given.
    const patientId = patientIdFor(nhs, pseudonymKey);
    const referralIds = view.referrals.map((r) => r.referralId as string);
    const asReceived = await Promise.all(referralIds.map((id) => read.referralAsReceived(patientId, id)));
    expect(asReceived.map((r) => (r?.referral as { patient: unknown }).patient)).toEqual([patient, moved]);
    expect(asReceived.map((r) => r?.receivedBy)).toEqual(['gp-rec', 'gp-rec']);
    expect(await read.getPatient(patientId)).toMatchObject(patient);

    // ---- Temporal forgets the journey: the record does not.
    const fhir = await call('GET', `${path}/fhir`, { token: ana });
    expect(fhir.status).toBe(200);
    beforeDelete = { detail: view, fhir: fhir.body as Record<string, unknown> };
    const { workflowId } = parseJourneyId(journeyId)!;
    const handle = rawClient.workflow.getHandle(workflowId);
    const { runId } = await handle.describe();
    await rawClient.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId },
    });
    // The server deletes asynchronously (about half a minute on the dev server): wait until it has.
    await expect
      .poll(
        () =>
          handle.describe().then(
            () => 'still there',
            (error: unknown) => (error instanceof WorkflowNotFoundError ? 'gone' : String(error)),
          ),
        { timeout: 90_000, interval: 500 },
      )
      .toBe('gone');
    expect((await call('GET', path, { token: ana })).body).toEqual(beforeDelete.detail);
    const after = await call('GET', `${path}/fhir`, { token: ana });
    expect(after.status).toBe(200);
    const { timestamp: _t1, ...fhirAfter } = after.body as Record<string, unknown>;
    const { timestamp: _t2, ...fhirBefore } = beforeDelete.fhir;
    expect(fhirAfter).toEqual(fhirBefore);
    // A command to it now is refused as closed, not lost.
    const late = await call('POST', `${path}/contacts`, { token: ana, json: { kind: 'routine', channel: 'phone' } });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toContain('application/problem+json');
  }, 180_000);

  it('is read with the worker stopped: open and closed journeys, the team lists and the FHIR export', async () => {
    const { call, token, stopWorker } = api.get();
    const gp = await token('gp-rec', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const opened = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: { nhsNumber: '9434765870', givenName: 'Olive', familyName: 'Open', birthDate: '1938-03-03' },
        programme: 'frailty-virtual-ward',
        teamId: 'south-devon-1',
        source: 'hospital',
        reason: 'Discharged after a fall',
        urgency: 'routine',
        conditions: ['copd'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'Ward 9' },
      },
    });
    expect(opened.status).toBe(202);
    const openId = (opened.body as { journeyId: string }).journeyId;
    const live = await call('GET', `/journeys/${openId}`, { token: ana });
    expect(live).toMatchObject({ status: 200, body: { phase: 'triage' } });

    await stopWorker();
    for (const [id, expected] of [
      [openId, live.body],
      [journeyId, beforeDelete!.detail],
    ] as const) {
      const detail = await call('GET', `/journeys/${id}`, { token: ana });
      expect(detail.status).toBe(200);
      expect(detail.body).toEqual(expected);
      const fhir = await call('GET', `/journeys/${id}/fhir`, { token: ana });
      expect(fhir.status).toBe(200);
      expect(fhir.headers.get('content-type')).toContain('application/fhir+json');
    }
    const ids = async (query: string) => {
      const list = await call('GET', `/journeys?team=south-devon-1${query}`, { token: ana });
      expect(list.status).toBe(200);
      return (list.body as { items: { id: string }[] }).items.map((j) => j.id);
    };
    expect(await ids('')).toContain(openId);
    expect(await ids('&phase=closed')).toContain(journeyId);
  }, 60_000);
});
