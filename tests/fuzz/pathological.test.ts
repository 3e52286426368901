/**
 * Pathological input (HAZ-09): the bodies that make parsers and regular expressions slow, rather
 * than the random ones hl7Volume.test.ts sends. Long runs of each HL7 separator and of the
 * characters around them, nested repetitions (repeats of components of subcomponents), escape
 * sequences, thousands of segments; JSON nested as deep as the limit allows, wide, or one long
 * string in each field a pattern reads. Each is sent at the largest size its route accepts, to the
 * app in-process on the real Temporal and DynamoDB of an API stack.
 *
 * What must hold: every one is answered (never a 5xx) within 100 ms of CPU on the thread that
 * handled it, the least of three tries (a garbage collection or a worker activity landing in one
 * try is not the request's cost). The figures — the most CPU any request used, and which input —
 * are recorded for docs/testing.md. The linear-time rules in eslint.config.js check the patterns
 * themselves; this checks what the libraries under them (Medplum's HL7 parser, zod, JSON.parse,
 * Hono) do with the worst of it.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReadModel } from '../../activities/readModel.js';
import { builtInHospitalFeeds } from '../../domain/builtInHospitalFeeds.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator, type Role } from '../../lambdas/auth.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { bodyLimitOf } from '../../lambdas/routes/shared.js';
import { routes } from '../../lambdas/routes.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { recordFigures } from './figures.js';

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const api = useApiStack(() => programmes);

/** The budget for one request, in CPU milliseconds. */
const BUDGET_MS = 100;
const TRIES = 3;

const limitOf = (method: 'POST', path: string) =>
  bodyLimitOf(routes.find((r) => r.method === method && r.path === path)!);
const ADT_LIMIT = limitOf('POST', '/adt');
const REFERRAL_LIMIT = limitOf('POST', '/referrals');
const COMMAND_LIMIT = limitOf('POST', '/journeys/{id}/contacts');

/** `unit` repeated to fill `bytes` (UTF-8) after `head` and before `tail`. */
function fill(head: string, unit: string, bytes: number, tail = ''): string {
  const room = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  return `${head}${unit.repeat(Math.max(0, Math.floor(room / Buffer.byteLength(unit))))}${tail}`;
}

const MSH = 'MSH|^~\\&|PAS|RBZ^Royal Devon^L|CAREPATH|ICS|20260714093000||ADT^A01^ADT_A01|PATHO1|P|2.4';
const EVN = 'EVN|A01|20260714093000';
const PID = 'PID|1||9434765919^^^NHS^NH||Crane^Edith||19380502|F';
const PV1 = 'PV1|1|I|WARD4^BED2^TOR';

/** The HL7 bodies: each run of separators in each place a parser looks, and nested repetition. */
function hl7Cases(): [string, string][] {
  const cases: [string, string][] = [];
  const runs = ['\r', '\n', '\r\n', '|', '^', '~', '\\', '&', ' ', '\t', '\0', '0', 'é', '\ufffd', 'MSH|', '\\X0D\\'];
  for (const run of runs) {
    const shown = JSON.stringify(run);
    cases.push([`only ${shown}`, fill('', run, ADT_LIMIT)]);
    cases.push([`"MSH" then ${shown}`, fill('MSH', run, ADT_LIMIT)]);
    cases.push([`MSH segment then ${shown}`, fill(`${MSH}\r`, run, ADT_LIMIT)]);
    cases.push([
      `a valid message whose PID-5 is ${shown}`,
      fill(`${MSH}\r${EVN}\rPID|1||9434765919^^^NHS^NH||`, run, ADT_LIMIT - PV1.length - 20, `||19380502|F\r${PV1}`),
    ]);
    cases.push([`a valid message, then ${shown}`, fill(`${MSH}\r${EVN}\r${PID}\r${PV1}\r`, run, ADT_LIMIT)]);
  }
  const valid = `${MSH}\r${EVN}\r`;
  cases.push(['thousands of empty PV1 segments', fill(`${valid}${PID}\r`, 'PV1|\r', ADT_LIMIT)]);
  cases.push(['thousands of PID segments', fill(valid, `${PID}\r`, ADT_LIMIT)]);
  cases.push(['thousands of MSH segments', fill('', `${MSH}\r`, ADT_LIMIT)]);
  cases.push([
    'PID-3 repeated thousands of times, none an NHS number',
    fill(`${valid}PID|1||`, 'H1^^^RBZ^MR~', ADT_LIMIT - 40, `||Crane^Edith\r${PV1}`),
  ]);
  cases.push([
    'PID-3 repeated thousands of times, each nearly an NHS number',
    fill(`${valid}PID|1||`, '943476591^^^NHS^NH~', ADT_LIMIT - 40, `||Crane^Edith\r${PV1}`),
  ]);
  cases.push([
    'components of subcomponents, nested repetitions',
    fill(`${valid}${PID}\rPV1|1|I|`, 'a&b&c^d&e~f^g&h~', ADT_LIMIT - 10, '|'),
  ]);
  cases.push(['escape sequences', fill(`${valid}${PID}\rPV1|1|I|`, '\\E\\\\F\\\\X41\\', ADT_LIMIT - 10)]);
  cases.push(['an unclosed escape', fill(`${valid}${PID}\rPV1|1|I|\\X`, '4', ADT_LIMIT)]);
  cases.push(['a timestamp of digits', fill(`${MSH}\rEVN|A01|`, '9', ADT_LIMIT - PID.length - 4, `\r${PID}\r${PV1}`)]);
  cases.push([
    'a control id of digits',
    fill('MSH|^~\\&|PAS|RBZ|CAREPATH|ICS|20260714093000||ADT^A01|', '7', ADT_LIMIT - 40, `|P|2.4\r${PID}`),
  ]);
  // Encoding characters that are not the standard ones, so escaping and the ACK must use them.
  cases.push(['other encoding characters, then their runs', fill('MSH#*?!%|PAS|RBZ\r', '#*?!%', ADT_LIMIT)]);
  return cases;
}

/** The JSON bodies for /referrals (as JSON and as FHIR) and for a journey command. */
function jsonCases(limit: number, fhir: boolean): [string, string][] {
  const half = Math.floor((limit - 16) / 2);
  const cases: [string, string][] = [
    ['nested arrays as deep as the limit', `${'['.repeat(half)}${']'.repeat(half)}`],
    [
      'nested objects as deep as the limit',
      fill('', '{"a":', limit / 2 - 8, `1${'}'.repeat(Math.floor((limit / 2 - 8) / 5))}`),
    ],
    [
      'one object with thousands of keys',
      // Distinct keys of four base-36 digits: `"0a1z":1,` is 9 bytes.
      `{${Array.from({ length: Math.floor((limit - 2) / 9) }, (_, i) => `"${i.toString(36).padStart(4, '0')}":1`).join(',')}}`,
    ],
    ['an array of thousands of nulls', fill('[', 'null,', limit - 8, 'null]')],
    ['whitespace', fill('', ' ', limit)],
    ['a string of backslash escapes', fill('"', '\\u0000', limit - 2, '"')],
    ['numbers of thousands of digits', fill('{"n":', '9', limit - 8, '}')],
  ];
  /** `body` with the run as long as the limit allows once written as JSON (escapes and items take room). */
  const longIn = (field: string, unit: string, body: (v: string) => unknown) => {
    const room = limit - 64;
    let bytes = room;
    let json = JSON.stringify(body(fill('', unit, bytes)));
    while (Buffer.byteLength(json) > room) {
      bytes = Math.floor((bytes * room) / Buffer.byteLength(json)) - Buffer.byteLength(unit);
      json = JSON.stringify(body(fill('', unit, bytes)));
    }
    cases.push([`${field} as a run of ${JSON.stringify(unit)}`, json]);
  };
  if (!fhir) {
    const referral = (patient: Record<string, string>, extra: Record<string, unknown> = {}) => ({
      patient: {
        nhsNumber: '9434765919',
        givenName: 'Edith',
        familyName: 'Crane',
        birthDate: '1938-05-02',
        postcode: 'TQ5 9AA',
        ...patient,
      },
      programme: 'frailty-virtual-ward',
      source: 'gp',
      reason: 'frailty',
      urgency: 'routine',
      consent: { given: true, recordedBy: 'GP' },
      ...extra,
    });
    for (const unit of [' ', '-', '9', ' 9', '\t']) longIn('nhsNumber', unit, (v) => referral({ nhsNumber: v }));
    for (const unit of [' ', 'A1', '1A ', 'TQ5 ']) longIn('postcode', unit, (v) => referral({ postcode: v }));
    for (const unit of ['9', '-', '1938-05-02']) longIn('birthDate', unit, (v) => referral({ birthDate: v }));
    for (const unit of ['2026', '9', 'T', ':', '+'])
      longIn('lastDischargeAt', unit, (v) => referral({}, { lastDischargeAt: v }));
    longIn('reason', 'x ', (v) => referral({}, { reason: v }));
    longIn('conditions', 'frailty', (v) =>
      referral({}, { conditions: Array.from({ length: v.length / 8 }, () => 'frailty') }),
    );
  } else {
    const request = (over: Record<string, unknown>) => ({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: '#p' },
      contained: [{ resourceType: 'Patient', id: 'p' }],
      ...over,
    });
    longIn('authoredOn', '9', (v) => request({ authoredOn: v }));
    longIn('authoredOn', '2026-', (v) => request({ authoredOn: v }));
    longIn('authoredOn', 'T09:', (v) => request({ authoredOn: v }));
    longIn('subject.reference', '#', (v) => request({ subject: { reference: v } }));
    longIn('contained', 'Patient', (v) =>
      request({
        contained: Array.from({ length: v.length / 40 }, (_, i) => ({ resourceType: 'Patient', id: `p${i}` })),
      }),
    );
    longIn('contained', 'null', (v) => request({ contained: Array.from({ length: v.length / 5 }, () => null) }));
    longIn('a Bundle', 'entry', (v) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: Array.from({ length: v.length / 30 }, () => ({ resource: { resourceType: 'Basic' } })),
    }));
    longIn('a Bundle', 'string', (v) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: Array.from({ length: v.length / 4 }, () => 'a'),
    }));
    longIn('an NHS number identifier', ' ', (v) =>
      request({
        contained: [
          { resourceType: 'Patient', id: 'p', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: v }] },
        ],
      }),
    );
    // Written out, not built: JSON.stringify recurses and would overflow first.
    const depth = Math.floor((limit - 200) / 26);
    cases.push([
      'extensions nested as deep as the limit',
      `${JSON.stringify(request({})).slice(0, -1)},"extension":[${'{"url":"x","extension":['.repeat(depth)}${']}'.repeat(depth)}]}`,
    ]);
  }
  return cases;
}

/** FHIR Encounters for the ADT feed: a long run in each field it reads. */
function encounterCases(limit: number): [string, string][] {
  const encounter = (over: Record<string, unknown>) => ({
    resourceType: 'Encounter',
    id: 'enc-1',
    status: 'in-progress',
    class: { code: 'IMP' },
    subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' } },
    serviceProvider: { identifier: { value: 'RBZ' } },
    period: { start: '2026-07-14T09:30:00+01:00' },
    ...over,
  });
  const cases: [string, string][] = [];
  const run = (field: string, unit: string, body: (v: string) => unknown) => {
    const v = fill('', unit, limit - JSON.stringify(body('')).length - 64);
    cases.push([`Encounter ${field} as a run of ${JSON.stringify(unit)}`, JSON.stringify(body(v))]);
  };
  run('identifier', '7', (v) => encounter({ identifier: [{ value: v }] }));
  run('meta.versionId', '7', (v) => encounter({ meta: { versionId: v } }));
  run('location display', 'Ward 4 ', (v) => encounter({ location: [{ location: { display: v } }] }));
  run('period.start', '9', (v) => encounter({ period: { start: v } }));
  run('period.start', '2026-', (v) => encounter({ period: { start: v } }));
  run('subject NHS number', ' ', (v) =>
    encounter({ subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: v } } }),
  );
  run('serviceProvider', 'R', (v) => encounter({ serviceProvider: { identifier: { value: v } } }));
  return cases;
}

/** The app in-process on the stack's Temporal and DynamoDB, so the CPU counted is this thread's handling of the request, not a socket's. */
async function inProcess() {
  const { rawClient, pseudonymKey } = api.get();
  const table = currentTable();
  const auth = devAuthenticator(randomBytes(32).toString('hex'));
  const app = createApp({
    programmes,
    gateway: createJourneyGateway(rawClient),
    read: createReadModel(table.doc, table.tableName),
    auth,
    pseudonymKey,
    hospitalFeeds: builtInHospitalFeeds,
    health: async () => ({ temporal: true, dynamodb: true }),
  });
  const bearer = async (sub: string, role: Role, teams: string[] = []) =>
    `Bearer ${await auth.devToken!({ sub, role, teams })}`;
  const post = async (path: string, authorization: string, type: string, body: string) => {
    const res = await app.request(path, { method: 'POST', headers: { authorization, 'content-type': type }, body });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  return { app, bearer, post };
}

describe('pathological input', () => {
  it(
    'every request up to each body limit is answered within 100 ms of CPU, never with a 5xx',
    { timeout: 600_000 },
    async () => {
      const { call, token } = api.get();
      const { app, bearer } = await inProcess();
      const feed = await bearer('tie-1', 'integration');
      const gp = await bearer('gp-1', 'referrer');
      const lead = await bearer('lead-raj', 'team-lead', ['south-devon-1']);
      const ig = await bearer('ig-1', 'ig-lead');

      // A journey for the commands to reach: they read the journey before the body.
      const made = await call('POST', '/referrals', {
        token: await token('gp-1', 'referrer'),
        json: {
          patient: {
            nhsNumber: '9434765919',
            givenName: 'Edith',
            familyName: 'Crane',
            birthDate: '1938-05-02',
            postcode: 'TQ2 5AB',
          },
          programme: 'frailty-virtual-ward',
          source: 'gp',
          reason: 'falls',
          urgency: 'routine',
          conditions: ['falls', 'dementia', 'copd'],
          livesAlone: true,
          admissionsLast12Months: 2,
          consent: { given: true, recordedBy: 'GP' },
        },
      });
      expect(made.status).toBe(202);
      const journeyId = (made.body as { journeyId: string }).journeyId;

      const requests: { route: string; input: string; path: string; auth: string; type: string; body: string }[] = [
        ...hl7Cases().map(([input, body]) => ({
          route: 'POST /adt',
          input,
          path: '/adt',
          auth: feed,
          type: 'application/hl7-v2',
          body,
        })),
        ...jsonCases(REFERRAL_LIMIT, false).map(([input, body]) => ({
          route: 'POST /referrals',
          input,
          path: '/referrals',
          auth: gp,
          type: 'application/json',
          body,
        })),
        ...jsonCases(REFERRAL_LIMIT, true).map(([input, body]) => ({
          route: 'POST /referrals (FHIR)',
          input,
          path: '/referrals',
          auth: gp,
          type: 'application/fhir+json',
          body,
        })),
        ...encounterCases(ADT_LIMIT).map(([input, body]) => ({
          route: 'POST /adt (FHIR)',
          input,
          path: '/adt',
          auth: feed,
          type: 'application/fhir+json',
          body,
        })),
        ...jsonCases(ADT_LIMIT, true).map(([input, body]) => ({
          route: 'POST /adt (FHIR)',
          input,
          path: '/adt',
          auth: feed,
          type: 'application/fhir+json',
          body,
        })),
        ...jsonCases(COMMAND_LIMIT, false).flatMap(([input, body]) =>
          ['contacts', 'assessment', 'care-plan', 'demographics', 'entries/1/entered-in-error'].map((command) => ({
            route: `POST /journeys/{id}/${command}`,
            input,
            path: `/journeys/${journeyId}/${command}`,
            auth: lead,
            type: 'application/json',
            body,
          })),
        ),
        ...jsonCases(COMMAND_LIMIT, false).map(([input, body]) => ({
          route: 'POST /access-log/search',
          input,
          path: '/access-log/search',
          auth: ig,
          type: 'application/json',
          body,
        })),
      ];

      const measured: { route: string; input: string; bytes: number; status: number; cpuMs: number }[] = [];
      const failures: string[] = [];
      for (const r of requests) {
        const bytes = Buffer.byteLength(r.body);
        let cpuMs = Infinity;
        let status = 0;
        for (let i = 0; i < TRIES; i++) {
          const before = process.threadCpuUsage();
          const res = await app.request(r.path, {
            method: 'POST',
            headers: { authorization: r.auth, 'content-type': r.type },
            body: r.body,
          });
          await res.arrayBuffer();
          const used = process.threadCpuUsage(before);
          cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
          status = res.status;
        }
        measured.push({ route: r.route, input: r.input, bytes, status, cpuMs });
        const limit = r.path === '/adt' ? ADT_LIMIT : r.path === '/referrals' ? REFERRAL_LIMIT : COMMAND_LIMIT;
        if (bytes > limit)
          failures.push(`${r.route} · ${r.input}: ${bytes} bytes is over the limit the case was built for`);
        if (status >= 500) failures.push(`${r.route} · ${r.input}: answered ${status}`);
        if (cpuMs > BUDGET_MS) failures.push(`${r.route} · ${r.input}: ${cpuMs.toFixed(1)} ms of CPU`);
      }

      const worst = [...measured].sort((a, b) => b.cpuMs - a.cpuMs);
      const byRoute = Object.fromEntries(
        [...new Set(measured.map((m) => m.route))].map((route) => {
          const top = worst.find((m) => m.route === route)!;
          return [
            route,
            {
              requests: measured.filter((m) => m.route === route).length,
              mostCpuMs: Math.round(top.cpuMs * 10) / 10,
              input: top.input,
              bytes: top.bytes,
              status: top.status,
            },
          ];
        }),
      );
      recordFigures('pathological', {
        requests: measured.length,
        triesEach: TRIES,
        budgetMs: BUDGET_MS,
        mostCpuMs: Math.round(worst[0]!.cpuMs * 10) / 10,
        mostCpuInput: `${worst[0]!.route} · ${worst[0]!.input} (${worst[0]!.bytes} bytes)`,
        byRoute,
      });
      expect(failures).toEqual([]);
      // Not a test that cannot fail: each kind of input reached the route's own handling, and the
      // heaviest were at the limit, not refused as too large before anything read them.
      expect(measured.filter((m) => m.status === 413)).toEqual([]);
      const statuses = (route: string) => new Set(measured.filter((m) => m.route === route).map((m) => m.status));
      // The ADT feed accepted some (a valid message with a run after it) and refused others.
      expect([...statuses('POST /adt')]).toEqual(expect.arrayContaining([200, 400]));
      expect([...statuses('POST /referrals')]).toContain(400);
    },
  );

  it('a body one byte over a limit is refused before it is read: 413, HL7 for the ADT feed', async () => {
    const { bearer, post } = await inProcess();
    const over = (limit: number) => 'x'.repeat(limit + 1);
    const lead = await bearer('lead-raj', 'team-lead', ['south-devon-1']);
    const adt = await post('/adt', await bearer('tie-1', 'integration'), 'application/hl7-v2', over(ADT_LIMIT));
    expect(adt).toMatchObject({ status: 413, type: 'application/hl7-v2' });
    expect(adt.text).toContain('MSA|AR||message too large');
    const referral = await post(
      '/referrals',
      await bearer('gp-1', 'referrer'),
      'application/json',
      over(REFERRAL_LIMIT),
    );
    expect(referral).toMatchObject({ status: 413, type: 'application/problem+json' });
    expect(JSON.parse(referral.text)).toMatchObject({ title: 'Too large' });
    const command = await post('/journeys/any/contacts', lead, 'application/json', over(COMMAND_LIMIT));
    expect(command.status).toBe(413);
    expect(JSON.parse(command.text)).toMatchObject({
      detail: 'POST /journeys/{id}/contacts takes a body of at most 64 KiB.',
    });
    // At the limit the body is read, and judged on what it says (there is no journey "any").
    expect(await post('/journeys/any/contacts', lead, 'application/json', 'x'.repeat(COMMAND_LIMIT))).toMatchObject({
      status: 404,
    });
    // The codec's limit is its own: a payload Temporal allows (2 MB) fits.
    const ops = await bearer('ops-1', 'ops');
    expect((await post('/codec/decode', ops, 'application/json', 'x'.repeat(3 * 1024 * 1024))).status).not.toBe(413);
  });
});
