/**
 * Hospital events as hospitals send them, through the API on the Temporal dev server and DynamoDB
 * Local with the real worker: a sender may send only for its own facilities, and its duplicates
 * are its own (HAZ-10); a transfer to another hospital continues the stay, a day case pauses
 * nothing, and a pre-admission changes nothing (HAZ-04).
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

interface Detail {
  phase: string;
  hospitalStays: { stayNo: number; location?: string; dischargedAt?: string; transferredOut?: { at: string } }[];
  attendances: { kind: string; endedAt?: string }[];
  deadlines: { name: string; status: string; paused: boolean }[];
  timeline: { type: string }[];
}

/** A real-shaped v2.4 ADT message. `pv1` sets fields by number (2 patient class, 37 destination …). */
function adt(facility: string, event: string, controlId: string, nhs: string, pv1: Record<number, string> = {}) {
  const fields = ['PV1', '1', 'I', 'WARD4^BED2^TOR'];
  for (const [i, v] of Object.entries(pv1)) {
    while (fields.length <= Number(i)) fields.push('');
    fields[Number(i)] = v;
  }
  return [
    `MSH|^~\\&|PAS|${facility}^Hospital^L|CAREPATH|ICS|20261014093000||ADT^${event}^ADT_A01|${controlId}|P|2.4`,
    `EVN|${event}|20261014093000`,
    `PID|1||${nhs}^^^NHS^NH||Crane^Edith||19380502|F`,
    fields.join('|'),
  ].join('\r');
}

describe('hospital feeds', () => {
  async function referred(nhsNumber: string) {
    const { call, token } = api.get();
    const r = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: { nhsNumber, givenName: 'Edith', familyName: 'Crane', birthDate: '1938-05-02', postcode: 'TQ5 9AA' },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'frailty, two falls this month',
        urgency: 'routine',
        conditions: ['frailty'],
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(r).toMatchObject({ status: 202, body: { phase: 'triage' } });
    return (r.body as { journeyId: string }).journeyId;
  }
  const send = async (sender: string, body: string) => {
    const { call, token } = api.get();
    return call('POST', '/adt', { token: await token(sender, 'integration'), contentType: 'application/hl7-v2', body });
  };
  const detail = async (journeyId: string): Promise<Detail> => {
    const { call, token } = api.get();
    return (
      await call('GET', `/journeys/${journeyId}`, { token: await token('lead-raj', 'team-lead', ['south-devon-1']) })
    ).body as Detail;
  };

  it('a sender may send only for its own facilities: anything else gets an AR and changes nothing', async () => {
    const nhs = '9434765943';
    const journeyId = await referred(nhs);
    const before = await detail(journeyId);
    // tie-2 sends for Royal Devon (RBZ) and Torbay (RA9), not for Leeds (RR8).
    const refused = await send('tie-2', adt('RR8', 'A01', 'LEEDS-1', nhs));
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/\rMSA\|AR\|LEEDS-1\|tie-2 may not send for facility RR8; it may send for RBZ, RA9/);
    const unknown = await send('tie-9', adt('RA9', 'A01', 'TOR-0', nhs));
    expect(unknown.status).toBe(403);
    expect(unknown.text).toMatch(/\rMSA\|AR\|TOR-0\|tie-9 is not configured to send hospital events/);
    // Nothing changed: the message was never signalled (the journey's record is as it was).
    const { timeline: _t, ...unchanged } = before;
    expect(await detail(journeyId)).toMatchObject(unchanged);
    expect((await detail(journeyId)).hospitalStays).toEqual([]);

    // The engine that does send for Leeds is heard, and the refused id was not spent for it.
    expect((await send('tie-1', adt('RR8', 'A01', 'LEEDS-1', nhs))).text).toMatch(/\rMSA\|AA\|LEEDS-1\|applied to 1/);
    await expect.poll(async () => (await detail(journeyId)).hospitalStays.length).toBe(1);
  });

  it('duplicates are per sender: another engine reusing a control id does not suppress this one’s message', async () => {
    const [first, second] = ['9434765951', '9434765986'];
    const a = await referred(first);
    expect((await send('tie-1', adt('RBZ', 'A01', 'SHARED-7', first))).text).toMatch(
      /\rMSA\|AA\|SHARED-7\|applied to 1/,
    );
    await expect.poll(async () => (await detail(a)).hospitalStays.length).toBe(1);
    // A repeat from the same sender is a duplicate…
    expect((await send('tie-1', adt('RBZ', 'A01', 'SHARED-7', first))).text).toMatch(/duplicate: already processed/);
    // …but the same id from another sender for the same facility is that sender's own message.
    const b = await referred(second);
    expect((await send('tie-2', adt('RBZ', 'A01', 'SHARED-7', second))).text).toMatch(
      /\rMSA\|AA\|SHARED-7\|applied to 1/,
    );
    await expect.poll(async () => (await detail(b)).hospitalStays.length).toBe(1);
  });

  it('a transfer to another hospital continues the stay; a day case pauses nothing; a pre-admission changes nothing', async () => {
    const nhs = '9434765978';
    const journeyId = await referred(nhs);
    expect((await send('tie-1', adt('RA9', 'A05', 'PRE-1', nhs))).text).toMatch(
      /\rMSA\|AA\|PRE-1\|A05 \(pre-admission\): nothing changes/,
    );
    expect((await send('tie-1', adt('RA9', 'A01', 'DC-1', nhs, { 2: 'D' }))).text).toMatch(/\rMSA\|AA\|/);
    await expect.poll(async () => (await detail(journeyId)).attendances).toMatchObject([{ kind: 'day-case' }]);
    expect((await detail(journeyId)).hospitalStays).toEqual([]);

    await send('tie-1', adt('RA9', 'A01', 'ADM-1', nhs));
    await send('tie-1', adt('RA9', 'A03', 'TRF-1', nhs, { 37: '51' })); // NHS other hospital provider
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.transferredOut).toBeDefined();
    let d = await detail(journeyId);
    expect(d.hospitalStays).toHaveLength(1);
    expect(d.hospitalStays[0]!.dischargedAt).toBeUndefined();
    expect(d.deadlines.some((x) => x.name === 'post-discharge-contact')).toBe(false);
    expect(d.timeline.map((e) => e.type)).not.toContain('hospital.discharged');

    await send('tie-1', adt('RR8', 'A01', 'LGI-1', nhs, { 3: 'WARD9^BED1^LGI' }));
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.location).toBe('WARD9 BED1 LGI');
    d = await detail(journeyId);
    expect(d.hospitalStays).toHaveLength(1);
    expect(d.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['hospital.transferred-out', 'hospital.transferred']),
    );
    expect(d.timeline.map((e) => e.type)).not.toContain('referral.merged');
    expect(d.timeline.filter((e) => e.type === 'hospital.admitted')).toHaveLength(1);
  });

  it('an event no journey could keep is refused to its sender, not acknowledged and lost (HAZ-21)', async () => {
    const { call, token } = api.get();
    const nhs = '9434764009';
    const journeyId = await referred(nhs);
    // A message id longer than a journey keeps: an AR naming the limit, and nothing recorded, so
    // the same message with a usable id is still new.
    const longId = 'L'.repeat(151);
    const refused = await send('tie-1', adt('RBZ', 'A01', longId, nhs));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('MSH-10 (message control id) is longer than 150 characters');
    // A ward name longer than a journey keeps is cut to fit: the admission itself is kept.
    const ward = 'W'.repeat(300);
    const admitted = await send('tie-1', adt('RBZ', 'A01', 'LONG-WARD-1', nhs, { 3: ward }));
    expect(admitted.text).toMatch(/\rMSA\|AA\|LONG-WARD-1\|applied to 1/);
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.location).toBe('W'.repeat(200));
    // The same for an Encounter: an identifier too long is a 400 naming it, never a 500.
    const encounter = (id: string) => ({
      resourceType: 'Encounter',
      identifier: [{ value: id }],
      status: 'finished',
      subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs } },
      serviceProvider: { identifier: { value: 'RBZ' } },
      period: { start: '2026-10-14T09:30:00+01:00', end: '2026-10-16T11:00:00+01:00' },
    });
    const feed = await token('tie-1', 'integration');
    const tooLong = await call('POST', '/adt', {
      token: feed,
      contentType: 'application/fhir+json',
      body: JSON.stringify(encounter('E'.repeat(200))),
    });
    expect(tooLong).toMatchObject({ status: 400, body: { errors: [{ path: 'Encounter.identifier' }] } });
    expect((await detail(journeyId)).hospitalStays[0]?.dischargedAt).toBeUndefined();
    const ok = await call('POST', '/adt', {
      token: feed,
      contentType: 'application/fhir+json',
      body: JSON.stringify(encounter('ENC-1')),
    });
    expect(ok).toMatchObject({ status: 202, body: { applied: 1 } });
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.dischargedAt).toBeDefined();
  });

  it('a discharge home from a hospital outside the feeds, reported by phone, ends the transferred stay (HAZ-20)', async () => {
    const { call, token } = api.get();
    const nhs = '9434764025';
    const journeyId = await referred(nhs);
    await send('tie-1', adt('RA9', 'A01', 'OUT-ADM-1', nhs));
    await send('tie-1', adt('RA9', 'A03', 'OUT-TRF-1', nhs, { 37: '51' })); // to a hospital with no feed
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.transferredOut).toBeDefined();
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const path = `/journeys/${journeyId}/reported-discharge`;
    // Not in the future; and a blank "who said so" is refused.
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('POST', path, { token: lead, json: { at: future, reportedBy: 'ward' } })).status).toBe(422);
    expect(
      (await call('POST', path, { token: lead, json: { at: new Date().toISOString(), reportedBy: '' } })).status,
    ).toBe(400);
    const reported = await call('POST', path, {
      token: lead,
      json: { at: new Date().toISOString(), reportedBy: 'Ward 9 nurse in charge, Leeds General' },
    });
    expect(reported.status).toBe(200);
    const d = await detail(journeyId);
    expect(d.phase).not.toBe('in-hospital');
    expect(d.hospitalStays[0]?.dischargedAt).toBeDefined();
    expect(d.deadlines.some((x) => x.name === 'post-discharge-contact' && x.status === 'open')).toBe(true);
    // Once home, there is nothing left to report.
    expect(
      (await call('POST', path, { token: lead, json: { at: new Date().toISOString(), reportedBy: 'ward' } })).status,
    ).toBe(409);
  });
});
