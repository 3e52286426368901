/**
 * A death in hospital, as hospitals send it (HAZ-02): an HL7 A03 with PID-30 `Y`, or a FHIR
 * Encounter discharged as `exp`, ends the stay without a discharge home. The journey opens no
 * post-discharge ladder, chases nothing more, and asks its co-ordinator to close it as deceased.
 * Through the API, on the Temporal dev server and DynamoDB Local, with the real worker.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

interface Detail {
  phase: string;
  coordinatorId?: string | null;
  hospitalStays: { dischargedAt?: string; died?: boolean }[];
  deadlines: { name: string; status: string; paused: boolean }[];
  timeline: { type: string }[];
}

describe('a death in hospital', () => {
  async function referred(nhsNumber: string) {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    const r = await call('POST', '/referrals', {
      token: gp,
      json: {
        patient: { nhsNumber, givenName: 'Edith', familyName: 'Crane', birthDate: '1938-05-02', postcode: 'TQ5 9AA' },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'frailty, two falls this month',
        urgency: 'routine',
        conditions: ['frailty'],
        // Enough risk to wait for the lead's triage (below the programme's minimum it closes at once: HAZ-01).
        admissionsLast12Months: 1,
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(r).toMatchObject({ status: 202, body: { phase: 'triage' } });
    return (r.body as { journeyId: string }).journeyId;
  }

  async function hl7(nhsNumber: string, event: string, controlId: string, pid30 = '', when = '20260709093000') {
    const { call, token } = api.get();
    const feed = await token('tie-1', 'integration');
    const pid = ['PID', '1', '', `${nhsNumber}^^^NHS^NH`, '', 'Crane^Edith', '19380502', 'F'];
    while (pid.length <= 30) pid.push('');
    pid[30] = pid30;
    const r = await call('POST', '/adt', {
      token: feed,
      contentType: 'application/hl7-v2',
      body: [
        `MSH|^~\\&|PAS|RA9^Torbay^L|CAREPATH|ICS|${when}||ADT^${event}^ADT_A01|${controlId}|P|2.4`,
        `EVN|${event}|${when}`,
        pid.join('|'),
        'PV1|1|I|WARD4^BED2^TOR',
      ].join('\r'),
    });
    expect(r.text).toMatch(/\rMSA\|AA\|/);
  }

  async function detail(journeyId: string): Promise<Detail> {
    const { call, token } = api.get();
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    return (await call('GET', `/journeys/${journeyId}`, { token: lead })).body as Detail;
  }

  it('by HL7 (PID-30 Y): no post-discharge ladder, nothing chased, and a request to close as deceased', async () => {
    const nhs = '9434765870';
    const journeyId = await referred(nhs);
    await hl7(nhs, 'A01', 'ADM-1');
    await expect.poll(async () => (await detail(journeyId)).hospitalStays.length).toBe(1);
    await hl7(nhs, 'A03', 'DIS-1', 'Y');
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.died).toBe(true);

    const d = await detail(journeyId);
    expect(d.timeline.map((e) => e.type)).toContain('hospital.died');
    expect(d.timeline.map((e) => e.type)).not.toContain('hospital.discharged');
    expect(d.deadlines.some((x) => x.name === 'post-discharge-contact')).toBe(false);
    // Every deadline still running (triage's, which an admission does not stop) is stopped by the death.
    const running = d.deadlines.filter((x) => x.status === 'open' || x.status === 'overdue');
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((x) => x.paused)).toBe(true);

    // The co-ordinator (the team lead while there is none) is asked, once, to close it as deceased.
    const { call, token } = api.get();
    const asker = d.coordinatorId
      ? await token(d.coordinatorId, 'coordinator', ['south-devon-1'])
      : await token('lead-raj', 'team-lead', ['south-devon-1']);
    const inbox = (await call('GET', '/inbox', { token: asker })).body as {
      items: { journeyId: string; deadline: string; message: string }[];
    };
    const asked = inbox.items.filter((i) => i.journeyId === journeyId && i.deadline === 'hospital-death');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('please close this journey as deceased');
    expect(inbox.items.some((i) => i.journeyId === journeyId && i.deadline === 'post-discharge-contact')).toBe(false);
  });

  it('by FHIR (an Encounter discharged as exp) is the same', async () => {
    const { call, token } = api.get();
    const nhs = '9434765889';
    const journeyId = await referred(nhs);
    const feed = await token('tie-1', 'integration');
    const encounter = (status: string, extra: Record<string, unknown> = {}) => ({
      resourceType: 'Encounter',
      id: 'enc-death',
      meta: { versionId: status },
      status,
      class: { code: 'IMP' },
      subject: { identifier: { system: NHS, value: nhs } },
      period: { start: new Date(Date.now() - 86_400_000).toISOString(), end: new Date().toISOString() },
      serviceProvider: { identifier: { value: 'RA9' } },
      ...extra,
    });
    const sent = await call('POST', '/adt', {
      token: feed,
      contentType: 'application/fhir+json',
      body: JSON.stringify(
        encounter('finished', {
          hospitalization: {
            dischargeDisposition: {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'exp' }],
            },
          },
        }),
      ),
    });
    expect(sent).toMatchObject({ status: 202, body: { applied: 1 } });
    await expect.poll(async () => (await detail(journeyId)).hospitalStays[0]?.died).toBe(true);
    expect((await detail(journeyId)).deadlines.some((x) => x.name === 'post-discharge-contact')).toBe(false);
  });

  it('with a carer, in a programme that asks for it: one call to the carer, and no closing until it is made (HAZ-22)', async () => {
    const { call, token } = api.get();
    const nhs = '9434764017';
    const made = await call('POST', '/referrals', {
      token: await token('gp-1', 'referrer'),
      json: {
        patient: {
          nhsNumber: nhs,
          givenName: 'Edith',
          familyName: 'Crane',
          birthDate: '1938-05-02',
          postcode: 'TQ5 9AA',
        },
        programme: 'palliative-care-home',
        source: 'gp',
        reason: 'advanced cancer, wishes to die at home',
        urgency: 'urgent',
        conditions: ['cancer'],
        carer: { name: 'Ann Crane', relationship: 'daughter' },
        consent: { given: true, recordedBy: 'GP' },
      },
    });
    expect(made.status).toBe(202);
    const journeyId = (made.body as { journeyId: string }).journeyId;
    const lead = await token('lead-grace', 'team-lead', ['palliative-west']);
    const read = async () => (await call('GET', `/journeys/${journeyId}`, { token: lead })).body as Detail;
    // Sent as it happens (UTC, with its offset), so that the call is not already overdue.
    const now = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
    await hl7(nhs, 'A01', 'PAL-ADM-1', '', now);
    await expect.poll(async () => (await read()).hospitalStays.length).toBe(1);
    await hl7(nhs, 'A03', 'PAL-DIS-1', 'Y', now);
    await expect.poll(async () => (await read()).hospitalStays[0]?.died).toBe(true);

    const d = await read();
    const bereavement = d.deadlines.filter((x) => x.name === 'bereavement-contact');
    expect(bereavement).toMatchObject([{ status: 'open', paused: false }]);
    expect(
      d.deadlines.filter((x) => x.name !== 'bereavement-contact' && x.status === 'open').every((x) => x.paused),
    ).toBe(true);
    // Closing would drop the call: refused, saying why, and nothing changes.
    const refused = await call('POST', `/journeys/${journeyId}/close`, {
      token: lead,
      json: { reason: 'deceased', outcome: { placeOfDeathAchieved: false } },
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('a bereavement contact with the carer is due by');
    expect((await read()).phase).not.toBe('closed');
    // A call nobody answered is an attempt; speaking with the daughter meets it.
    for (const outcome of ['no-answer', 'reached'])
      expect(
        (
          await call('POST', `/journeys/${journeyId}/contacts`, {
            token: lead,
            json: { kind: 'carer', channel: 'phone', outcome },
          })
        ).status,
      ).toBe(200);
    expect((await read()).deadlines.find((x) => x.name === 'bereavement-contact')?.status).toBe('met');
    const closed = await call('POST', `/journeys/${journeyId}/close`, {
      token: lead,
      json: { reason: 'deceased', outcome: { placeOfDeathAchieved: false } },
    });
    expect(closed).toMatchObject({ status: 200, body: { phase: 'closed' } });
  });
});
