/**
 * The API over HTTP on the real stack (dev server, DynamoDB Local, worker, API): a whole journey
 * from referral to a new episode, the errors a client gets, roles and team scoping, and the
 * hospital ADT feed with real HL7 v2 messages.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { patientIdFor } from '../../activities/pseudonym.js';
import { nhsCheckDigit } from '../../domain/nhsNumber.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

/** POST with node:http, which reads an early answer (413) even while the server stops the upload. */
function rawPost(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(body);
  });
}

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const api = useApiStack(() => programmes);

let nhsSeq = 100_000_00;
/** A fresh valid NHS number (Modulus 11) for each patient. */
function nhsNumber(): string {
  for (;;) {
    nhsSeq += 1;
    const stem = String(nhsSeq).padStart(9, '9');
    const check = nhsCheckDigit(stem);
    if (check !== undefined) return `${stem}${check}`;
  }
}

const referral = (nhs: string, over: Record<string, unknown> = {}) => ({
  patient: { nhsNumber: nhs, givenName: 'Jane', familyName: 'Doe', birthDate: '1948-05-17', postcode: 'TQ2 5AB' },
  programme: 'frailty-virtual-ward',
  source: 'gp',
  referrer: { name: 'Dr Patel', organisation: 'Torbay Medical Group' },
  reason: 'Two falls in a month, lives alone',
  urgency: 'routine',
  conditions: ['copd'],
  livesAlone: false,
  admissionsLast12Months: 1,
  consent: { given: true, recordedBy: 'Dr Patel' },
  ...over,
});

describe('a new referral', () => {
  it('is answered with the phase the journey then shows, whichever way triage decides at once', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const cases = [
      // Under the programme's minimum age, which this programme does not let close a referral by
      // itself: waits for a person's decision (HAZ-01; tests/api/triageByAPerson.test.ts).
      {
        over: {
          patient: {
            nhsNumber: nhsNumber(),
            givenName: 'Ann',
            familyName: 'Young',
            birthDate: '1986-02-03',
            postcode: 'TQ2 5AB',
          },
        },
        phase: 'triage',
      },
      // Middling risk: waits for a person's triage decision.
      { over: {}, phase: 'triage' },
      // High risk with consent: accepted at once, assessment due.
      {
        over: {
          conditions: ['falls', 'copd', 'heart failure', 'dementia'],
          livesAlone: true,
          admissionsLast12Months: 3,
          patient: {
            nhsNumber: nhsNumber(),
            givenName: 'Bea',
            familyName: 'Old',
            birthDate: '1932-02-03',
            postcode: 'TQ2 5AB',
          },
        },
        phase: 'assessment',
      },
    ];
    for (const c of cases) {
      const r = await call('POST', '/referrals', { token: gp, json: referral(nhsNumber(), c.over) });
      expect(r.status).toBe(202);
      const answer = r.body as { journeyId: string; merged: boolean; phase: string };
      expect(answer).toMatchObject({ merged: false, phase: c.phase });
      // The journey, once it has taken the referral in, agrees (and its id is the one the referrer was given).
      await expect
        .poll(async () => (await call('GET', `/journeys/${answer.journeyId}`, { token: lead })).body, {
          timeout: 10_000,
        })
        .toMatchObject({ id: answer.journeyId, phase: c.phase });
    }
  });
});

describe('a whole journey through the API', () => {
  it('referral, merge, triage, assessment, care plan, action, review, contact, reassign, close, new episode', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    const ana = await token('coord-ana', 'coordinator', ['south-devon-1']);
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const nhs = nhsNumber();

    const first = await call('POST', '/referrals', { token: gp, json: referral(nhs) });
    expect(first.status).toBe(202);
    const { journeyId } = first.body as { journeyId: string; merged: boolean; phase: string };
    expect(first.body).toMatchObject({ merged: false, phase: 'triage' });
    expect(journeyId).not.toContain(nhs);

    const second = await call('POST', '/referrals', {
      token: gp,
      json: referral(nhs, { source: 'community', urgency: 'urgent' }),
    });
    expect(second).toMatchObject({ status: 202, body: { journeyId, merged: true, phase: 'triage' } });

    const path = `/journeys/${journeyId}`;

    // Nobody is named yet, so the triage reminder (a day before a one-day deadline: now) goes to the lead.
    let inbox: { status: number; body: unknown } = { status: 0, body: { items: [] } };
    const mine = () =>
      (
        inbox.body as {
          items: { id: string; journeyId: string; kind: string; deadline: string; level: number; ackedAt?: string }[];
        }
      ).items.filter((i) => i.journeyId === journeyId);
    for (let i = 0; i < 300 && mine().length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      inbox = await call('GET', '/inbox', { token: raj });
    }
    expect(mine()).toEqual([expect.objectContaining({ kind: 'reminder', deadline: 'triage', level: 0 })]);
    const item = mine()[0]!;
    expect((await call('POST', `/inbox/${item.id}/ack`, { token: ana })).status).toBe(404); // not Ana's item
    expect((await call('POST', `/inbox/${item.id}/ack`, { token: raj })).status).toBe(204);
    inbox = await call('GET', '/inbox', { token: raj });
    expect(mine()[0]!.ackedAt).toBeTruthy();
    expect((await call('POST', '/inbox/bm9wZQ/ack', { token: raj })).status).toBe(404);
    let detail = await call('GET', path, { token: ana });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: journeyId, phase: 'triage', teamId: 'south-devon-1', urgency: 'urgent' });
    expect((detail.body as { referrals: unknown[] }).referrals).toHaveLength(2);
    // The person is named beside the journey, from the patient record; the journey itself never names them.
    const { person, ...journeyItself } = detail.body as { person: { name: string; nhsNumber: string } };
    expect(person).toMatchObject({
      name: 'DOE, Jane',
      nhsNumber: `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`,
    });
    expect(JSON.stringify(journeyItself)).not.toContain(nhs);
    expect(JSON.stringify(journeyItself)).not.toContain('Jane');

    // Wrong phase → 409, unchanged; bad payload → 400 with the failing fields.
    const early = await call('POST', `${path}/reviews`, {
      token: ana,
      json: { outcome: 'continue', notes: 'too early' },
    });
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toContain('application/problem+json');
    const bad = await call('POST', `${path}/triage`, { token: raj, json: { decision: 'perhaps' } });
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['decision', 'reason']),
    );

    const triage = {
      token: raj,
      json: { decision: 'accept', reason: 'MDT agreed: frailty and falls' },
      headers: { 'idempotency-key': 'triage-1' },
    };
    expect(
      (await call('POST', `${path}/triage`, { ...triage, headers: { 'idempotency-key': 'not a key!' } })).status,
    ).toBe(400);
    detail = await call('POST', `${path}/triage`, triage);
    expect(detail).toMatchObject({ status: 200, body: { phase: 'assessment' } });
    // Sent again with the same key (a retry after a timeout): the first answer, and nothing done twice.
    const retried = await call('POST', `${path}/triage`, triage);
    expect(retried).toMatchObject({ status: 200, body: { phase: 'assessment' } });
    expect(
      (retried.body as { timeline: { type: string }[] }).timeline.filter((e) => e.type.startsWith('triage.')),
    ).toHaveLength(1);
    // Without the key it is a new command, which no longer fits.
    expect((await call('POST', `${path}/triage`, { ...triage, headers: {} })).status).toBe(409);
    // Urgent (merged) referral: assessment due two days after the first referral.
    const assessmentDue = (detail.body as { deadlines: { name: string; dueAt: string }[] }).deadlines.find(
      (d) => d.name === 'assessment',
    )!.dueAt;
    expect(Date.parse(assessmentDue) - Date.now()).toBeLessThan(2 * 86_400_000 + 60_000);
    // The named co-ordinator is assigned by the journey just after acceptance.
    for (let i = 0; i < 300 && !(detail.body as { coordinatorId: string | null }).coordinatorId; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      detail = await call('GET', path, { token: ana });
    }
    expect((detail.body as { coordinatorId: string }).coordinatorId).toMatch(/^coord-/);

    detail = await call('POST', `${path}/assessment`, {
      token: ana,
      json: {
        summary: 'Seen at home with daughter',
        needs: [{ domain: 'physical', description: 'falls risk' }],
        carer: { present: true, relationship: 'daughter', strain: true, assessmentOffered: true },
      },
    });
    expect(detail).toMatchObject({ status: 200, body: { phase: 'care-planning' } });
    const due = new Date(Date.now() + 5 * 86_400_000).toISOString();
    detail = await call('POST', `${path}/care-plan`, {
      token: ana,
      json: {
        goals: [{ id: 'g1', description: 'No falls for three months' }],
        actions: [{ id: 'rails', description: 'Fit grab rails', owner: 'OT', due }],
        agreedWithPatient: true,
        agreedWithCarer: true,
      },
    });
    expect(detail).toMatchObject({ status: 200, body: { phase: 'active' } });
    expect((await call('POST', `${path}/actions/nope/complete`, { token: ana, json: {} })).status).toBe(404);
    detail = await call('POST', `${path}/actions/rails/complete`, { token: ana, json: {} });
    expect(
      (detail.body as { carePlan: { actions: { completedAt?: string }[] } }).carePlan.actions[0]!.completedAt,
    ).toBeTruthy();
    detail = await call('POST', `${path}/reviews`, { token: ana, json: { outcome: 'continue', notes: 'steady' } });
    expect(detail.status).toBe(200);
    detail = await call('POST', `${path}/contacts`, { token: ana, json: { kind: 'routine', channel: 'phone' } });
    expect(detail.status).toBe(200);

    // Reassignment is the team lead's.
    expect(
      (await call('POST', `${path}/coordinator`, { token: ana, json: { coordinatorId: 'coord-joe' } })).status,
    ).toBe(403);
    const current = (detail.body as { coordinatorId: string }).coordinatorId;
    const other = current === 'coord-ana' ? 'coord-joe' : 'coord-ana';
    detail = await call('POST', `${path}/coordinator`, { token: raj, json: { coordinatorId: other } });
    expect(detail).toMatchObject({ status: 200, body: { coordinatorId: other } });

    // Lists: by team (open), by co-ordinator, by phase.
    // The read model follows the workflow a moment later.
    const listed = async (query: string) =>
      (
        (await call('GET', `/journeys?${query}`, { token: raj })).body as {
          items: { id: string; coordinatorId: string }[];
        }
      ).items;
    await expect
      .poll(() => listed('team=south-devon-1').then((items) => items.map((j) => j.id)), { timeout: 10_000 })
      .toContain(journeyId);
    await expect
      .poll(
        () => listed(`coordinator=${other}`).then((items) => items.find((j) => j.id === journeyId)?.coordinatorId),
        { timeout: 10_000 },
      )
      .toBe(other);

    detail = await call('POST', `${path}/close`, {
      token: raj,
      json: { reason: 'goals-met', outcome: { goalsMet: 'all' } },
    });

    // The finished journey as FHIR R4.
    const fhir = await call('GET', `${path}/fhir`, { token: ana });
    expect(fhir.status).toBe(200);
    expect(fhir.headers.get('content-type')).toContain('application/fhir+json');
    const bundle = fhir.body as {
      resourceType: string;
      entry: {
        resource: { resourceType: string; identifier?: { system: string; value: string }[]; status?: string };
      }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    const types = bundle.entry.map((e) => e.resource.resourceType);
    expect(new Set(types)).toEqual(new Set(['Patient', 'EpisodeOfCare', 'CareTeam', 'CarePlan', 'Goal', 'Task']));
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
    expect(patient.identifier).toEqual([{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs }]);
    expect(bundle.entry.find((e) => e.resource.resourceType === 'EpisodeOfCare')!.resource.status).toBe('finished');
    expect(bundle.entry.find((e) => e.resource.resourceType === 'Task')!.resource.status).toBe('completed');
    expect((await call('GET', `${path}/fhir`, { token: await token('ops-1', 'ops') })).status).toBe(403);
    expect(detail).toMatchObject({ status: 200, body: { phase: 'closed', closeReason: 'goals-met' } });
    expect(
      (await call('POST', `${path}/contacts`, { token: ana, json: { kind: 'routine', channel: 'phone' } })).status,
    ).toBe(409);

    const again = await call('POST', '/referrals', { token: gp, json: referral(nhs) });
    expect(again.status).toBe(202);
    expect((again.body as { journeyId: string }).journeyId).not.toBe(journeyId);
    expect(again.body).toMatchObject({ merged: false });
    // The closed episode is still readable, from the read model and audit trail.
    const closed = await call('GET', path, { token: raj });
    expect(closed).toMatchObject({ status: 200, body: { id: journeyId, phase: 'closed' } });
  });

  it('refuses bad requests clearly, and lets nobody in without the right role and team', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    expect((await call('POST', '/referrals', { json: referral(nhsNumber()) })).status).toBe(401);
    expect((await call('POST', '/referrals', { token: 'not-a-token', json: referral(nhsNumber()) })).status).toBe(401);
    const ops = await token('ops-1', 'ops');
    expect((await call('POST', '/referrals', { token: ops, json: referral(nhsNumber()) })).status).toBe(403);
    const badNhs = await call('POST', '/referrals', { token: gp, json: referral('9434765918') });
    expect(badNhs.status).toBe(400);
    expect((badNhs.body as { errors: { path: string; message: string }[] }).errors).toEqual([
      { path: 'patient.nhsNumber', message: 'is not a valid NHS number (Modulus 11 check failed)' },
    ]);
    expect(
      (await call('POST', '/referrals', { token: gp, json: referral(nhsNumber(), { programme: 'nope' }) })).status,
    ).toBe(422);
    const stale = await call('POST', '/referrals', {
      token: gp,
      json: referral(nhsNumber(), { referredAt: new Date(Date.now() - 100 * 86_400_000).toISOString() }),
    });
    expect(stale).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'referredAt', message: 'must be within the last 90 days' }] },
    });
    expect(
      (
        await call('POST', '/referrals', {
          token: gp,
          json: referral(nhsNumber(), {
            patient: { ...referral('x').patient, nhsNumber: nhsNumber(), postcode: 'ZZ1 1ZZ' },
          }),
        })
      ).status,
    ).toBe(422);
    const huge = await rawPost(
      `${api.get().base}/referrals`,
      gp,
      JSON.stringify(referral(nhsNumber(), { reason: 'x'.repeat(300_000) })),
    );
    expect(huge).toBe(413);

    const made = await call('POST', '/referrals', { token: gp, json: referral(nhsNumber()) });
    const { journeyId } = made.body as { journeyId: string };
    const outsider = await token('coord-lily', 'coordinator', ['exeter-1']);
    expect((await call('GET', `/journeys/${journeyId}`, { token: outsider })).status).toBe(403);
    expect(
      (
        await call('POST', `/journeys/${journeyId}/triage`, {
          token: await token('lead-sian', 'team-lead', ['exeter-1']),
          json: { decision: 'accept', reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect((await call('GET', '/journeys?team=south-devon-1', { token: outsider })).status).toBe(403);
    expect((await call('GET', `/journeys/${journeyId}`, { token: gp })).status).toBe(403);
    const manager = await token('mgr-kim', 'service-manager');
    expect((await call('GET', `/journeys/${journeyId}`, { token: manager })).status).toBe(200);
    expect(
      (await call('GET', '/journeys/frailty-virtual-ward.p000000000000000000000000.000000000000', { token: manager }))
        .status,
    ).toBe(404);
    expect((await call('GET', '/health')).body).toEqual({ status: 'ok', temporal: 'up', dynamodb: 'up' });
  });
});

describe('the hospital ADT feed', () => {
  const msh = (id: string, event: string) => `MSH|^~\\&|PAS|RBZ|CAREPATH|ICS|20261123090000||ADT^${event}|${id}|P|2.4`;
  const message = (id: string, event: string, nhs: string, sep = '\r', extra: string[] = []) =>
    [
      msh(id, event),
      `EVN|${event}|20261123090000`,
      `PID|1||H${id}^^^RBZ^MR~${nhs}^^^NHS^NH||Doe^Jane||19480517|F`,
      'PV1|1|I|WARD7^BED3^RDE',
      'ZUK|local|stuff',
      ...extra,
    ].join(sep);

  it('admits, transfers, discharges, cancels both ways, ignores duplicates — with CR, LF or CRLF', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    const feed = await token('tie-1', 'integration');
    const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const nhs = nhsNumber();
    const made = await call('POST', '/referrals', {
      token: gp,
      json: referral(nhs, {
        conditions: ['copd', 'falls', 'heart failure'],
        livesAlone: true,
        admissionsLast12Months: 2,
        birthDate: '1940-01-01',
      }),
    });
    const { journeyId } = made.body as { journeyId: string };
    await call('POST', `/journeys/${journeyId}/triage`, {
      token: raj,
      json: { decision: 'accept', reason: 'ok' },
    }).catch(() => undefined);
    const phase = async () =>
      (await call('GET', `/journeys/${journeyId}`, { token: raj })).body as { phase: string; hospitalStays: unknown[] };
    const send = async (id: string, event: string, sep: string) => {
      const r = await call('POST', '/adt', { token: feed, body: message(id, event, nhs, sep) });
      expect(r.headers.get('content-type')).toContain('application/hl7-v2');
      return r;
    };
    const before = (await phase()).phase;
    expect(['assessment', 'triage']).toContain(before);

    let r = await send(`A1-${nhs}`, 'A01', '\r');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(new RegExp(`MSA\\|AA\\|A1-${nhs}\\|applied to 1 journey`));
    // Signals are applied asynchronously: wait (briefly) for the journey to show each one.
    const stays = () => phase().then((p) => p.hospitalStays as { dischargedAt?: string; readmission: boolean }[]);
    await expect.poll(() => stays().then((s) => s.length), { timeout: 10_000 }).toBe(1);

    r = await send(`A1-${nhs}`, 'A01', '\n'); // the same message again, LF-separated
    expect(r.text).toMatch(/MSA\|AA\|.*duplicate/);
    r = await send(`A2-${nhs}`, 'A02', '\r\n');
    expect(r.status).toBe(200);
    r = await send(`A3-${nhs}`, 'A03', '\n');
    expect(r.status).toBe(200);
    await expect.poll(() => stays().then((s) => !!s.at(-1)?.dischargedAt), { timeout: 10_000 }).toBe(true);
    r = await send(`A4-${nhs}`, 'A13', '\r\n'); // discharge cancelled
    await expect.poll(() => stays().then((s) => s.at(-1)?.dischargedAt), { timeout: 10_000 }).toBeUndefined();
    r = await send(`A5-${nhs}`, 'A11', '\r'); // and the admission itself
    await expect.poll(() => stays().then((s) => s.length), { timeout: 10_000 }).toBe(0);
    expect((await phase()).phase).toBe(before);

    // Back in hospital a week after a discharge: a readmission, escalated for MDT review.
    await send(`B1-${nhs}`, 'A01', '\r');
    await send(`B2-${nhs}`, 'A03', '\r');
    await send(`B3-${nhs}`, 'A01', '\n');
    await expect
      .poll(() => stays().then((s) => s.map((h) => h.readmission)), { timeout: 10_000 })
      .toEqual([false, true]);

    // A patient with no open journey: acknowledged, nothing changed.
    r = await call('POST', '/adt', { token: feed, body: message('U1', 'A01', nhsNumber()) });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/MSA\|AA\|U1\|no open journey/);
  });

  it('answers malformed messages with a negative ACK and HTTP 400, and changes nothing', async () => {
    const { call, token } = api.get();
    const feed = await token('tie-1', 'integration');
    const nhs = nhsNumber();
    const cases: [string, string, RegExp][] = [
      ['truncated', 'MSH|^~\\&|PAS', /MSA\|A[RE]\|/],
      ['not HL7', 'hello world', /MSA\|AR\|\|not an HL7 v2 message/],
      [
        'wrong type',
        message('W1', 'A01', nhs).replace('ADT^A01', 'ORU^R01'),
        /MSA\|AR\|W1\|unsupported message type ORU/,
      ],
      [
        'unsupported event',
        message('W2', 'A01', nhs).replace('ADT^A01', 'ADT^A31'),
        /MSA\|AR\|W2\|unsupported ADT event A31/,
      ],
      ['missing PID', [msh('W3', 'A01'), 'PV1|1|I|WARD7'].join('\r'), /MSA\|AE\|W3\|PID segment is missing/],
      [
        'no NHS number',
        message('W4', 'A01', nhs).replace(`~${nhs}^^^NHS^NH`, ''),
        /MSA\|AE\|W4\|PID-3 has no valid NHS number/,
      ],
    ];
    // A journey for this patient, to show that none of the bad messages touches it.
    const made = await call('POST', '/referrals', { token: await token('gp-1', 'referrer'), json: referral(nhs) });
    const { journeyId } = made.body as { journeyId: string };
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    for (const [, body, expected] of cases) {
      for (const sep of ['\r', '\n', '\r\n']) {
        const r = await call('POST', '/adt', { token: feed, body: body.replace(/\r/g, sep) });
        expect(r.status).toBe(400);
        expect(r.text).toMatch(expected);
      }
    }
    await new Promise((res) => setTimeout(res, 300));
    const after = (await call('GET', `/journeys/${journeyId}`, { token: lead })).body as {
      hospitalStays: unknown[];
      timeline: { type: string }[];
    };
    expect(after.hospitalStays).toEqual([]);
    expect(after.timeline.filter((e) => e.type.startsWith('hospital.'))).toEqual([]);
    // None was recorded as processed: the same control id, sent correctly, applies.
    const fixed = await call('POST', '/adt', { token: feed, body: message('W4', 'A01', nhs) });
    expect(fixed.text).toMatch(/MSA\|AA\|W4\|applied to 1 journey/);
    expect(patientIdFor(nhs, api.get().pseudonymKey)).toMatch(/^p/);
    expect(
      (await call('POST', '/adt', { token: await token('gp', 'referrer'), body: message('W5', 'A01', nhs) })).status,
    ).toBe(403);
  });
});
