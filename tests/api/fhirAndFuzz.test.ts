/**
 * FHIR intake (ServiceRequest with the patient contained or in a Bundle; Encounter for hospital
 * events) and property tests at the edge: arbitrary bytes on the ADT endpoint always get an ACK and
 * never a 5xx; arbitrary referral bodies never start a journey unless they are valid.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { FHIR_SYSTEMS } from '../../lambdas/fhirIntake.js';
import { useApiStack } from '../support/apiStack.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'));
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

const patient = (nhs: string, id = 'pat1') => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: NHS, value: nhs }],
  name: [{ family: 'Okafor', given: ['Grace'] }],
  birthDate: '1936-02-11',
  address: [{ postalCode: 'LS6 3AB' }],
});
const serviceRequest = (subject: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  priority: 'urgent',
  subject: { reference: subject },
  code: { coding: [{ system: FHIR_SYSTEMS.programme, code: 'complex-mental-health' }] },
  category: [{ coding: [{ system: FHIR_SYSTEMS.referralSource, code: 'hospital' }] }],
  requester: { display: 'Leeds Teaching Hospitals discharge team' },
  reasonCode: [{ text: 'Discharged after a crisis admission', coding: [{ display: 'psychosis' }] }],
  extension: [
    { url: FHIR_SYSTEMS.livesAlone, valueBoolean: true },
    { url: FHIR_SYSTEMS.admissions, valueInteger: 2 },
    { url: FHIR_SYSTEMS.consent, valueBoolean: true },
  ],
  ...extra,
});

describe('FHIR intake', () => {
  it('takes a ServiceRequest with the patient contained, or in a Bundle, and an Encounter as a hospital event', async () => {
    const { call, token } = api.get();
    const tie = await token('tie-1', 'integration');
    const contained = await call('POST', '/referrals', {
      token: tie,
      body: JSON.stringify(serviceRequest('#pat1', { contained: [patient('9434765919')] })),
      contentType: 'application/fhir+json',
    });
    expect(contained).toMatchObject({ status: 202, body: { merged: false } });
    const { journeyId } = contained.body as { journeyId: string };
    expect(journeyId.startsWith('complex-mental-health.')).toBe(true);

    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: serviceRequest('Patient/pat1') }, { resource: patient('9434765919') }],
    };
    const merged = await call('POST', '/referrals', {
      token: tie,
      body: JSON.stringify(bundle),
      contentType: 'application/fhir+json',
    });
    expect(merged).toMatchObject({ status: 202, body: { journeyId, merged: true } });

    const marcus = await token('lead-marcus', 'team-lead', ['cmht-north']);
    const detail = await call('GET', `/journeys/${journeyId}`, { token: marcus });
    expect(detail.body).toMatchObject({ teamId: 'cmht-north', urgency: 'urgent' }); // routed by the LS6 postcode
    expect((detail.body as { referrals: { source: string; conditions: string[] }[] }).referrals[0]).toMatchObject({
      source: 'hospital',
      conditions: ['psychosis'],
    });

    const noNhs = await call('POST', '/referrals', {
      token: tie,
      body: JSON.stringify(serviceRequest('#p', { contained: [{ ...patient('x', 'p'), identifier: [] }] })),
      contentType: 'application/fhir+json',
    });
    expect(noNhs.status).toBe(400);
    expect((noNhs.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('patient.nhsNumber');
    const noPatient = await call('POST', '/referrals', {
      token: tie,
      body: JSON.stringify(serviceRequest('#nobody')),
      contentType: 'application/fhir+json',
    });
    expect(noPatient).toMatchObject({ status: 400, body: { errors: [{ path: 'ServiceRequest.subject' }] } });

    // Encounter: admit, then the same again (a repeat), then discharge.
    const encounter = (status: string) => ({
      resourceType: 'Encounter',
      id: 'enc-77',
      meta: { versionId: status },
      status,
      class: { code: 'IMP' },
      subject: { identifier: { system: NHS, value: '9434765919' } },
      period: {
        start: new Date(Date.now() - 3600_000).toISOString(),
        ...(status === 'finished' ? { end: new Date().toISOString() } : {}),
      },
      serviceProvider: { identifier: { value: 'RR8' } },
    });
    const feed = await token('tie-1', 'integration');
    expect(
      await call('POST', '/adt', {
        token: feed,
        body: JSON.stringify(encounter('in-progress')),
        contentType: 'application/fhir+json',
      }),
    ).toMatchObject({ status: 202, body: { applied: 1, duplicate: false } });
    expect(
      await call('POST', '/adt', {
        token: feed,
        body: JSON.stringify(encounter('in-progress')),
        contentType: 'application/fhir+json',
      }),
    ).toMatchObject({ status: 202, body: { duplicate: true } });
    expect(
      await call('POST', '/adt', {
        token: feed,
        body: JSON.stringify(encounter('finished')),
        contentType: 'application/fhir+json',
      }),
    ).toMatchObject({ status: 202, body: { applied: 1 } });
    const stays = async () =>
      (
        (await call('GET', `/journeys/${journeyId}`, { token: marcus })).body as {
          hospitalStays: { dischargedAt?: string }[];
        }
      ).hospitalStays;
    await expect.poll(() => stays().then((s) => s.map((x) => !!x.dischargedAt)), { timeout: 10_000 }).toEqual([true]);
    expect(
      (
        await call('POST', '/adt', {
          token: feed,
          body: JSON.stringify({ resourceType: 'Encounter', status: 'planned' }),
          contentType: 'application/fhir+json',
        })
      ).status,
    ).toBe(400);
  });
});

describe('FHIR intake of bodies of the wrong shape', () => {
  it('refuses each with 400 problem+json naming what is wrong', async () => {
    const { call, token } = api.get();
    const tie = await token('tie-1', 'referrer');
    const feed = await token('tie-1', 'integration');
    const refused = async (path: string, body: unknown) => {
      const r = await call('POST', path, {
        token: path === '/adt' ? feed : tie,
        body: JSON.stringify(body),
        contentType: 'application/fhir+json',
      });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      return (r.body as { errors?: { path: string }[] }).errors?.map((e) => e.path) ?? [];
    };
    // The three bodies that answered 500 (issue 16).
    expect(
      await refused('/referrals', serviceRequest('#p', { subject: 42, contained: [patient('9434765919', 'p')] })),
    ).toEqual(['ServiceRequest.subject']);
    expect(await refused('/referrals', serviceRequest('#p', { contained: [null] }))).toEqual([
      'ServiceRequest.contained[0]',
    ]);
    expect(await refused('/referrals', { resourceType: 'Bundle', entry: ['a', 'b'] })).toEqual([
      'Bundle.entry[0]',
      'Bundle.entry[1]',
    ]);
    // And their kin: a patient of the wrong shape, an extension without its url, an Encounter's bad time.
    expect(
      await refused(
        '/referrals',
        serviceRequest('#p', { contained: [{ ...patient('9434765919', 'p'), name: 'Grace' }] }),
      ),
    ).toEqual(['Patient.name']);
    expect(
      await refused(
        '/referrals',
        serviceRequest('#p', { contained: [patient('9434765919', 'p')], extension: [{ valueBoolean: true }] }),
      ),
    ).toEqual(['ServiceRequest.extension[0].url']);
    expect(
      await refused('/adt', {
        resourceType: 'Encounter',
        id: 'enc-1',
        status: 'in-progress',
        subject: { identifier: { system: NHS, value: '9434765919' } },
        period: { start: 'yesterday' },
      }),
    ).toEqual(['Encounter.period.start']);
  });
});

describe('property: the edge never breaks', () => {
  it('arbitrary bytes on /adt always get an HL7 ACK and never a 5xx', async () => {
    const { call, token } = api.get();
    const feed = await token('tie-1', 'integration');
    const realish = fc
      .tuple(fc.constantFrom('\r', '\n', '\r\n'), fc.array(fc.string({ maxLength: 40 }), { maxLength: 6 }))
      .map(([sep, parts]) => ['MSH|^~\\&|PAS|RBZ|C|I|20261123||ADT^A01|M1|P|2.4', ...parts].join(sep));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
          realish,
        ),
        async (body) => {
          const r = await call('POST', '/adt', { token: feed, body, contentType: 'application/hl7-v2' });
          expect(r.status).toBeLessThan(500);
          expect(r.text).toMatch(/^MSH\|/);
          expect(r.text).toMatch(/\rMSA\|A[AER]\|/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any JSON sent as FHIR, of any shape, is answered without a 5xx', async () => {
    const { call, token } = api.get();
    const tie = await token('tie-1', 'referrer');
    const feed = await token('tie-1', 'integration');
    // Bodies that look like the resources intake reads, with anything at any depth in their fields.
    const field = fc.anything({ maxDepth: 2, withNullPrototype: false });
    const resource = fc
      .tuple(
        fc.constantFrom('ServiceRequest', 'Bundle', 'Encounter', 'Patient'),
        fc.dictionary(
          fc.constantFrom(
            'subject',
            'contained',
            'entry',
            'extension',
            'code',
            'performer',
            'period',
            'status',
            'identifier',
            'reasonCode',
            'name',
          ),
          field,
        ),
      )
      .map(([resourceType, fields]) => ({ ...fields, resourceType }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(resource, field), fc.constantFrom('/referrals', '/adt'), async (body, path) => {
        const r = await call('POST', path, {
          token: path === '/adt' ? feed : tie,
          body: JSON.stringify(body) ?? 'null',
          contentType: 'application/fhir+json',
        });
        expect(r.status, JSON.stringify(body)).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary referral bodies are refused with problem+json unless valid', async () => {
    const { call, token } = api.get();
    const gp = await token('gp-1', 'referrer');
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 3 }), async (body) => {
        const r = await call('POST', '/referrals', { token: gp, json: body });
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }),
      { numRuns: 100 },
    );
  });
});
