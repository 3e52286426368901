/**
 * Staff see who the person is (issue 17), through the API on the Temporal dev server and DynamoDB
 * Local with the real worker: journeys, lists and inbox items carry the person as each role may see
 * them, read from the patient record (never from Temporal); a person is found by NHS number or by
 * name with date of birth, only within the searcher's care, and every search is logged; a referrer
 * follows what became of each referral they made.
 */
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));

interface Person {
  name: string;
  nhsNumber: string;
  born: string;
  age: number;
  gender?: string;
  address?: string;
  phone?: string;
  gpPractice?: string;
}

const EDITH = {
  nhsNumber: '9434764033',
  givenName: 'Edith',
  familyName: "O'Brien-Crane",
  birthDate: '1938-05-02',
  postcode: 'TQ5 9AA',
  phone: '01803 555 0101',
  gender: 'female',
  address: ['12 Harbour Row', 'Brixham'],
  gpPractice: { name: 'Brixham Medical Centre', odsCode: 'L83040' },
};

async function refer(patient: object, by = 'gp-7', organisation?: string) {
  const { call, token } = api.get();
  const r = await call('POST', '/referrals', {
    token: await token(by, 'referrer', [], organisation),
    json: {
      patient,
      programme: 'frailty-virtual-ward',
      source: 'gp',
      reason: 'frailty, two falls this month',
      urgency: 'routine',
      conditions: ['frailty'],
      admissionsLast12Months: 1,
      consent: { given: true, recordedBy: 'GP' },
    },
  });
  expect(r.status).toBe(202);
  return (r.body as { journeyId: string }).journeyId;
}

describe('who the person is', () => {
  it('journeys and lists name the person as each role may see them: the banner, identity alone, or no one', async () => {
    const { call, token } = api.get();
    const journeyId = await refer(EDITH);
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    const detail = (await call('GET', `/journeys/${journeyId}`, { token: lead })).body as { person: Person };
    expect(detail.person).toMatchObject({
      name: "O'BRIEN-CRANE, Edith",
      nhsNumber: '943 476 4033',
      born: '02-May-1938',
      gender: 'female',
      address: '12 Harbour Row, Brixham, TQ5 9AA',
      phone: '01803 555 0101',
      gpPractice: 'Brixham Medical Centre (L83040)',
    });
    expect(detail.person.age).toBeGreaterThanOrEqual(88);
    expect(detail).not.toHaveProperty('patientId');
    const list = (await call('GET', '/journeys?team=south-devon-1&phase=triage', { token: lead })).body as {
      items: { id: string; person?: Person; patientId?: string }[];
    };
    const listed = list.items.find((i) => i.id === journeyId);
    expect(listed?.person?.name).toBe("O'BRIEN-CRANE, Edith");
    expect(listed).not.toHaveProperty('patientId');

    // A service manager sees who it is, not where they live; ops staff see no one.
    const manager = await token('mgr-kim', 'service-manager');
    const managed = (await call('GET', `/journeys/${journeyId}`, { token: manager })).body as { person: Person };
    expect(managed.person).toMatchObject({ name: "O'BRIEN-CRANE, Edith", nhsNumber: '943 476 4033' });
    expect(managed.person.address).toBeUndefined();
    expect(managed.person.phone).toBeUndefined();
    const ops = await token('ops-1', 'ops');
    expect((await call('GET', `/journeys/${journeyId}`, { token: ops })).body).not.toHaveProperty('person');

    // The lead's inbox item about the referral names the person too.
    await expect
      .poll(async () => {
        const inbox = (await call('GET', '/inbox', { token: lead })).body as {
          items: { journeyId: string; person?: Person }[];
        };
        return inbox.items.find((i) => i.journeyId === journeyId)?.person?.nhsNumber;
      })
      .toBe('943 476 4033');
  });

  it('a person is found by NHS number, or by name with date of birth, only within the searcher’s care, and every search is logged', async () => {
    const { call, token } = api.get();
    const nhs = '9434764041';
    const journeyId = await refer({ ...EDITH, nhsNumber: nhs, givenName: 'Mary Ann', familyName: 'Smith' });
    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    type Found = { items: { person: Person; journeys: { id: string }[] }[] };
    const search = async (query: string, as = lead) =>
      (await call('GET', `/patients?${query}`, { token: as })) as { status: number; body: Found };

    const byNhs = await search(`nhsNumber=${nhs}`);
    expect(byNhs.status).toBe(200);
    expect(byNhs.body.items).toHaveLength(1);
    expect(byNhs.body.items[0]!.person.name).toBe('SMITH, Mary Ann');
    expect(byNhs.body.items[0]!.journeys.map((j) => j.id)).toEqual([journeyId]);
    // Spaced as people write it, too; a wrong check digit is a 400.
    expect((await search(`nhsNumber=${encodeURIComponent('943 476 4041')}`)).body.items).toHaveLength(1);
    expect((await search('nhsNumber=9434764042')).status).toBe(400);

    for (const name of ['smith', 'Mary Smith', 'ann smi', 'SMITH MARY'])
      expect((await search(`name=${encodeURIComponent(name)}&birthDate=1938-05-02`)).body.items).toHaveLength(1);
    expect((await search('name=jones&birthDate=1938-05-02')).body.items).toHaveLength(0);
    expect((await search('name=smith&birthDate=1938-05-03')).body.items).toHaveLength(0);
    expect((await search('name=smith')).status).toBe(400);

    // Another team's lead finds no one: the person is not in their care.
    const other = await token('lead-grace', 'team-lead', ['palliative-west']);
    expect((await search(`nhsNumber=${nhs}`, other)).body.items).toEqual([]);

    // Every search is in the access log: who, how, and whether it was in their care.
    const ig = await token('ig-1', 'ig-lead');
    const from = new Date(Date.now() - 600_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const log = (await call('POST', '/access-log/search', { token: ig, json: { nhsNumber: nhs, from, to } })).body as {
      items: { by: string; route: string; outcome: string }[];
    };
    const searches = log.items.filter((i) => i.route.startsWith('GET /patients'));
    expect(searches.filter((i) => i.by === 'lead-raj' && i.route === 'GET /patients (by NHS number)')).toHaveLength(2);
    expect(
      searches.filter((i) => i.route === 'GET /patients (by name and date of birth)').length,
    ).toBeGreaterThanOrEqual(4);
    // (Its two entries can share a millisecond, so they are compared in no order.)
    expect(
      searches
        .filter((i) => i.by === 'lead-grace')
        .map((i) => i.outcome)
        .sort(),
    ).toEqual(['refused', 'requested']);
  });

  it('a referrer follows each referral they made: received, accepted with the co-ordinator’s name, or declined with the reason', async () => {
    const { call, token } = api.get();
    const accepted = await refer(
      { ...EDITH, nhsNumber: '9434764068', givenName: 'Alan', familyName: 'Turing' },
      'gp-9',
    );
    const declined = await refer(
      { ...EDITH, nhsNumber: '9434764076', givenName: 'Grace', familyName: 'Hopper' },
      'gp-9',
    );
    const gp = await token('gp-9', 'referrer');
    type Mine = {
      items: { journeyId: string; status: string; reason?: string; coordinator?: { name: string }; person?: Person }[];
    };
    const mine = async (as = gp) => (await call('GET', '/referrals?mine=true', { token: as })).body as Mine;
    let items = (await mine()).items;
    expect(items.map((i) => [i.journeyId, i.status])).toEqual([
      [declined, 'received'],
      [accepted, 'received'],
    ]);
    expect(items[1]!.person).toMatchObject({ name: 'TURING, Alan', nhsNumber: '943 476 4068' });
    expect(items[1]!.person?.address).toBeUndefined();

    const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
    expect(
      (
        await call('POST', `/journeys/${accepted}/triage`, {
          token: lead,
          json: { decision: 'accept', reason: 'frail' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('POST', `/journeys/${declined}/triage`, {
          token: lead,
          json: { decision: 'decline', reason: 'already under the community matron' },
        })
      ).status,
    ).toBe(200);
    await expect
      .poll(async () => (await mine()).items.find((i) => i.journeyId === accepted)?.coordinator?.name)
      .toMatch(/^(Ana Silva|Joe Penrose)$/);
    items = (await mine()).items;
    expect(items.find((i) => i.journeyId === declined)).toMatchObject({
      status: 'declined',
      reason: 'already under the community matron',
    });
    expect(items.find((i) => i.journeyId === accepted)?.status).toBe('accepted');

    // Another referrer sees none of them; and only `mine=true` (or an organisation's list) is answered.
    expect((await mine(await token('gp-10', 'referrer'))).items).toEqual([]);
    expect((await call('GET', '/referrals', { token: gp })).status).toBe(400);
  });

  it('a practice that shares its referrals lets each of its GPs follow them all; elsewhere a GP sees only their own', async () => {
    const { call, token } = api.get();
    // L83040 shares its referrals (the built-in examples' configuration); L83999 does not.
    const bySmith = await refer(
      { ...EDITH, nhsNumber: '9434764092', givenName: 'Ada', familyName: 'Lovelace' },
      'gp-smith',
      'L83040',
    );
    const byJones = await refer(
      { ...EDITH, nhsNumber: '9434764106', givenName: 'Mary', familyName: 'Somerville' },
      'gp-jones',
      'L83040',
    );
    const elsewhere = await refer(
      { ...EDITH, nhsNumber: '9434764114', givenName: 'Rosalind', familyName: 'Franklin' },
      'gp-brown',
      'L83999',
    );
    type Listed = { items: { journeyId: string; referredBy?: string; person?: Person }[] };
    const list = async (query: string, as: string) => call('GET', `/referrals?${query}`, { token: as });
    const jones = await token('gp-jones', 'referrer', [], 'L83040');
    const practice = await list('organisation=true', jones);
    expect(practice.status).toBe(200);
    expect((practice.body as Listed).items.map((i) => [i.journeyId, i.referredBy, i.person?.name])).toEqual([
      [byJones, 'gp-jones', 'SOMERVILLE, Mary'],
      [bySmith, 'gp-smith', 'LOVELACE, Ada'],
    ]);
    // Her own list is still her own, and names no referrer (it is she).
    const own = (await list('mine=true', jones)).body as Listed;
    expect(own.items.map((i) => [i.journeyId, i.referredBy])).toEqual([[byJones, undefined]]);

    // A practice that does not share, and a sign-in with no practice: refused, never answered with their own.
    const brown = await token('gp-brown', 'referrer', [], 'L83999');
    const refused = await list('organisation=true', brown);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(refused.body)).toContain('L83999 does not share its referrals');
    expect((await list('organisation=true', await token('gp-9', 'referrer'))).status).toBe(403);
    expect(((await list('mine=true', brown)).body as Listed).items.map((i) => i.journeyId)).toEqual([elsewhere]);
  });
});
