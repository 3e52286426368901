/**
 * Corrections to the record and the access log, on the real stack (dev server, DynamoDB Local,
 * worker, API): an entry marked entered in error stays readable with its mark; demographics are
 * amended only explicitly, with what they were kept; bad corrections change nothing; every read of
 * a person's record is logged and an IG lead can ask who read it.
 */
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { patientIdFor } from '../../activities/pseudonym.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const api = useApiStack(() => programmes);

const patient = {
  nhsNumber: '9434765919',
  givenName: 'Cora',
  familyName: 'Rection',
  birthDate: '1941-04-04',
  postcode: 'TQ2 2BB',
  phone: '01803 111111',
};
const referral = {
  patient,
  programme: 'frailty-virtual-ward',
  teamId: 'south-devon-1',
  source: 'gp',
  reason: 'Falls at home',
  urgency: 'routine',
  conditions: ['copd'],
  admissionsLast12Months: 1,
  consent: { given: true, recordedBy: 'Dr Ng' },
};

type Problem = { status: number; headers: Headers; body: unknown };
const isProblem = (r: Problem, status: number) => {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
};

describe('corrections to the record', () => {
  it('marks an entry entered in error, amends demographics, and refuses bad corrections changing nothing', async () => {
    const { call, token } = api.get();
    const read = createReadModel(currentTable().doc, currentTable().tableName);
    const gp = await token('gp-cor', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const manager = await token('mgr-kim', 'service-manager');
    const outsider = await token('coord-lily', 'coordinator', ['exeter-1']);

    const made = await call('POST', '/referrals', { token: gp, json: referral });
    expect(made.status).toBe(202);
    const journeyId = (made.body as { journeyId: string }).journeyId;
    const path = `/journeys/${journeyId}`;
    expect(
      (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'ok' } })).status,
    ).toBe(200);
    const wrong = await call('POST', `${path}/contacts`, {
      token: ana,
      json: { kind: 'routine', channel: 'visit', notes: 'Visited Cora at home (wrong person: this was Mrs Reed)' },
    });
    expect(wrong.status).toBe(200);
    const contact = (wrong.body as { contacts: { seq: number; notes: string }[] }).contacts.at(-1)!;
    const before = await read.recordEntries(journeyId);
    const recordBefore = (await call('GET', `${path}/record`, { token: ana })).body;

    // Bad corrections: each a problem+json, and nothing changes.
    const reason = 'Recorded against the wrong person';
    isProblem(await call('POST', `${path}/entries/99999/entered-in-error`, { token: ana, json: { reason } }), 404);
    isProblem(await call('POST', `${path}/entries/not-a-seq/entered-in-error`, { token: ana, json: { reason } }), 404);
    isProblem(
      await call(
        'POST',
        `/journeys/frailty-virtual-ward.p000000000000000000000000.000000000000/entries/1/entered-in-error`,
        {
          token: ana,
          json: { reason },
        },
      ),
      404,
    );
    isProblem(
      await call('POST', `${path}/entries/${contact.seq}/entered-in-error`, { token: manager, json: { reason } }),
      403,
    );
    isProblem(
      await call('POST', `${path}/entries/${contact.seq}/entered-in-error`, { token: outsider, json: { reason } }),
      403,
    );
    isProblem(await call('POST', `${path}/entries/${contact.seq}/entered-in-error`, { token: ana, json: {} }), 400);
    isProblem(await call('POST', `${path}/demographics`, { token: manager, json: { phone: '0', reason } }), 403);
    isProblem(
      await call('POST', `${path}/demographics`, { token: ana, json: { nhsNumber: '9434765870', reason } }),
      400,
    );
    isProblem(await call('POST', `${path}/demographics`, { token: ana, json: { reason } }), 400);
    expect(await read.recordEntries(journeyId)).toEqual(before);
    expect((await call('GET', `${path}/record`, { token: ana })).body).toEqual(recordBefore);

    // Entered in error: the entry stays, readable, with who said so, when and why.
    const marked = await call('POST', `${path}/entries/${contact.seq}/entered-in-error`, {
      token: ana,
      json: { reason },
    });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({
      seq: contact.seq,
      content: { type: 'contact', value: { notes: contact.notes } },
      enteredInError: { reason, by: 'coord-ana', role: 'coordinator', at: expect.any(String) },
    });
    isProblem(
      await call('POST', `${path}/entries/${contact.seq}/entered-in-error`, { token: raj, json: { reason } }),
      409,
    );
    // The journey view shows it, marked, where it shows contacts and the timeline.
    const view = (await call('GET', path, { token: ana })).body as {
      contacts: { seq: number; notes: string; enteredInError?: { reason: string } }[];
      timeline: { seq: number; enteredInError?: unknown }[];
      enteredInError: { seq: number }[];
    };
    expect(view.contacts.find((c) => c.seq === contact.seq)).toMatchObject({
      notes: contact.notes,
      enteredInError: { reason },
    });
    expect(view.timeline.find((e) => e.seq === contact.seq)?.enteredInError).toBeTruthy();
    expect(view.enteredInError.map((m) => m.seq)).toEqual([contact.seq]);
    // A later change to the journey (a new revision of its state) keeps the mark.
    expect(
      (await call('POST', `${path}/contacts`, { token: ana, json: { kind: 'routine', channel: 'phone' } })).status,
    ).toBe(200);
    expect(((await call('GET', path, { token: ana })).body as typeof view).enteredInError.map((m) => m.seq)).toEqual([
      contact.seq,
    ]);

    // Demographics: amended explicitly, with what they were kept beside what they are.
    const amended = await call('POST', `${path}/demographics`, {
      token: ana,
      json: { phone: '07700 900123', postcode: null, reason: 'Moved in with her daughter' },
    });
    expect(amended.status).toBe(200);
    const { nhsNumber: _n, ...demographics } = patient;
    const { postcode: _p, ...withoutPostcode } = demographics;
    expect(amended.body).toMatchObject({
      before: demographics,
      after: { ...withoutPostcode, phone: '07700 900123' },
      reason: 'Moved in with her daughter',
      by: 'coord-ana',
    });
    const record = (await call('GET', `${path}/record`, { token: ana })).body as {
      patient: Record<string, unknown>;
      demographicAmendments: { before: unknown; after: unknown }[];
      referralsAsReceived: { referral: { patient: unknown } }[];
      corrections: { seq: number; kind: string }[];
      entries: { seq: number; enteredInError?: unknown }[];
    };
    expect(record.patient).toMatchObject({ ...withoutPostcode, phone: '07700 900123', nhsNumber: patient.nhsNumber });
    expect(record.patient).not.toHaveProperty('postcode');
    expect(record.demographicAmendments).toHaveLength(1);
    // What the referrer said stays as they said it.
    expect(record.referralsAsReceived.map((r) => r.referral.patient)).toEqual([patient]);
    expect(record.corrections).toEqual([
      expect.objectContaining({ kind: 'entered-in-error', seq: contact.seq, reason }),
    ]);
    expect(record.entries.filter((e) => e.enteredInError).map((e) => e.seq)).toEqual([contact.seq]);
    // A new referral does not change them back.
    expect(
      (await call('POST', '/referrals', { token: gp, json: { ...referral, reason: 'Another fall' } })).status,
    ).toBe(202);
    expect(await read.getPatient(patientIdFor(patient.nhsNumber, api.get().pseudonymKey))).toMatchObject({
      phone: '07700 900123',
    });
  }, 120_000);
});

describe('the access log', () => {
  it("logs every read of a person's record, and an IG lead can ask by person, by user and by period", async () => {
    const { call, token } = api.get();
    const gp = await token('gp-log', 'referrer');
    const joe = await token('coord-joe', 'coordinator', ['south-devon-1']);
    const ig = await token('ig-1', 'ig-lead');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const from = new Date().toISOString();
    const made = await call('POST', '/referrals', {
      token: gp,
      json: { ...referral, patient: { ...patient, nhsNumber: '9434765870', givenName: 'Logan' } },
    });
    const journeyId = (made.body as { journeyId: string }).journeyId;
    expect((await call('GET', `/journeys/${journeyId}`, { token: joe })).status).toBe(200);
    expect((await call('GET', `/journeys/${journeyId}/fhir`, { token: joe })).status).toBe(200);
    expect((await call('GET', `/journeys/${journeyId}/record`, { token: joe })).status).toBe(200);
    // A refused read is logged too, with a second entry saying it was refused.
    expect(
      (await call('GET', `/journeys/${journeyId}`, { token: await token('coord-lily', 'coordinator', ['exeter-1']) }))
        .status,
    ).toBe(403);
    const to = new Date(Date.now() + 1000).toISOString();

    const search = (json: unknown, as = ig) => call('POST', '/access-log/search', { token: as, json });
    const byPerson = await search({ nhsNumber: '9434765870', from, to });
    expect(byPerson.status).toBe(200);
    const items = (
      byPerson.body as { items: { by: string; route: string; journeyId: string; at: string; outcome: string }[] }
    ).items;
    // (The refused request's two entries may share a millisecond, so they are compared as a set.)
    expect(items.slice(0, 3).map((i) => [i.by, i.route, i.outcome])).toEqual([
      ['coord-joe', 'GET /journeys/{id}', 'requested'],
      ['coord-joe', 'GET /journeys/{id}/fhir', 'requested'],
      ['coord-joe', 'GET /journeys/{id}/record', 'requested'],
    ]);
    expect(new Set(items.slice(3).map((i) => `${i.by} ${i.route} ${i.outcome}`))).toEqual(
      new Set(['coord-lily GET /journeys/{id} requested', 'coord-lily GET /journeys/{id} refused']),
    );
    expect(items).toHaveLength(5);
    expect(new Set(items.map((i) => i.journeyId))).toEqual(new Set([journeyId]));
    const byUser = (await search({ user: 'coord-joe', from, to })).body as { items: { journeyId: string }[] };
    expect(byUser.items.filter((i) => i.journeyId === journeyId)).toHaveLength(3);
    const inPeriod = (await search({ from, to })).body as { items: { journeyId: string }[] };
    expect(inPeriod.items.filter((i) => i.journeyId === journeyId)).toHaveLength(5);
    // Only IG leads and admins may ask; a bad question is a problem, not an empty answer.
    isProblem(await search({ nhsNumber: '9434765870', from, to }, ana), 403);
    isProblem(await search({ nhsNumber: '123', from, to }), 400);
    isProblem(await search({ from: to, to: from }), 400);
    isProblem(await search({ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }), 400);
    // The NHS number never appears in what the log holds about a read.
    expect(JSON.stringify(items)).not.toContain('9434765870');
  }, 60_000);
});
