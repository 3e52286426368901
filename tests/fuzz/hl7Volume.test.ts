/**
 * HL7 v2 fuzzing at volume: tens of thousands of mutations of real-shaped ADT messages (byte
 * flips, dropped and repeated segments, truncated fields, other separators and encoding
 * characters, invalid NHS numbers, dates and events, huge fields, unicode, every line ending)
 * posted to /adt of the app running in-process on the real Temporal and DynamoDB of an API stack.
 *
 * What must hold for every one: never a 5xx; always an HL7 ACK whose MSA-1 is AA, AE or AR and
 * whose MSA-2 echoes MSH-10 when the message has one; a message refused (AE/AR) changes no journey;
 * one accepted reaches only its own patient's journeys, and all of them.
 *
 * Patients come in three kinds. Canaries have active journeys and only ever receive messages the
 * parser refuses: their journeys must end exactly as they began. Live patients also receive the
 * mutations that survived as valid ADT: each such message must be recorded by their journeys (its
 * control id is in the journey's seen list) and no refused one ever is. Ghosts have no journey:
 * valid messages about them must open none.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { patientIdFor } from '../../activities/pseudonym.js';
import { createReadModel } from '../../activities/readModel.js';
import { builtInHospitalFeeds } from '../../domain/builtInHospitalFeeds.js';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { facilitiesOf } from '../../domain/hospitalFeeds.js';
import { journeyWorkflowId } from '../../domain/journeyIds.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { nhsCheckDigit } from '../../domain/nhsNumber.js';
import { createApp } from '../../lambdas/app.js';
import { devAuthenticator } from '../../lambdas/auth.js';
import { parseAdt } from '../../lambdas/hl7.js';
import { createJourneyGateway } from '../../lambdas/journeyGateway.js';
import { seededRandom } from '../../scripts/seededRandom.js';
import { journeyQuery } from '../../temporal/journeyMessages.js';
import { useApiStack } from '../support/apiStack.js';
import { currentTable } from '../support/dynamoDbLocal.js';
import { recordFigures } from './figures.js';

const programmes = parseProgrammes({ programmes: builtInProgrammes }, 'built-in');
const feeds = builtInHospitalFeeds;
const api = useApiStack(() => programmes);

const MESSAGES = Number(process.env.CAREPATH_HL7_FUZZ_MESSAGES ?? 20_000);
const CONCURRENCY = 8;
const random = seededRandom(Number(process.env.CAREPATH_HL7_FUZZ_SEED ?? 20261123));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

let nhsSeq = 300_000_00;
function nhsNumber(): string {
  for (;;) {
    nhsSeq += 7;
    const stem = String(nhsSeq).padStart(9, '9');
    const check = nhsCheckDigit(stem);
    if (check !== undefined) return `${stem}${check}`;
  }
}
/** The same number with a check digit that fails Modulus 11. */
const wrongCheckDigit = (nhs: string) => `${nhs.slice(0, 9)}${(Number(nhs[9]) + between(1, 9)) % 10}`;

// ---- Real-shaped messages -----------------------------------------------------------------------
const FACILITIES = ['RBZ^Royal Devon^L', 'RA9^Torbay and South Devon^L', 'RR8^Leeds Teaching Hospitals^L', 'RH8'];
const EVENTS = ['A01', 'A02', 'A03', 'A08', 'A11', 'A13'] as const;
const hl7Time = (at: number) => new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
let controlSeq = 0;
/** Unique per message and hard to collide with by flipping a byte: refused ids are looked for later. */
const newControlId = () => `F${(controlSeq += 1).toString(36)}X${randomBytes(5).toString('hex')}`;
const GENERATED_ID = /F[0-9a-z]+X[0-9a-f]{10}/;

function baseMessage(nhs: string, event: (typeof EVENTS)[number], controlId: string): string[] {
  const now = Date.now() - between(0, 48) * 3600_000;
  const facility = pick(FACILITIES);
  const version = pick(['2.3', '2.4', '2.5', '2.5.1']);
  const pid3 = [
    `H${between(100000, 999999)}^^^${facility.split('^')[0]}^MR`,
    `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}^^^NHS^${pick(['NH', 'HN'])}`,
  ];
  if (random() < 0.5) pid3.reverse();
  return [
    `MSH|^~\\&|${pick(['PAS', 'CERNER', 'EPIC', 'TIE'])}|${facility}|CAREPATH|ICS|${hl7Time(now)}||ADT^${event}^ADT_A01|${controlId}|P|${version}|||AL|NE|GBR|UNICODE UTF-8`,
    `EVN|${event}|${hl7Time(now)}||${pick(['', '01', 'PAT'])}|${pick(['', 'ward-clerk^Smith^Jo'])}|${hl7Time(now - between(0, 120) * 60_000)}`,
    `PID|1||${pid3.join('~')}||${pick(['Doe^Jane^^^Mrs', 'Ó Súilleabháin^Siobhán', 'Nguyễn^Thị Mai', 'O\\S\\Brien^Pat'])}||19${between(20, 59)}0${between(1, 9)}1${between(0, 9)}|${pick(['F', 'M', 'U'])}|||1 High St^^Torquay^^TQ1 ${between(1, 9)}AB^GBR`,
    `PD1|||Torbay Medical Group^^L83001`,
    `NK1|1|Doe^John|SPO^Spouse^HL70063|||||NOK`,
    `PV1|1|I|${pick(['WARD7^BED3^RDE', 'AMU^B12^RA9', 'CCU^^RR8', ''])}|${pick(['21', '22', '28'])}|||C1234567^Khan^Amir|||${pick(['300', '430', '180'])}||||19|||||${between(1000000, 9999999)}|||||||||||||||||||||||||${hl7Time(now - 3 * 86_400_000)}|${event === 'A03' ? hl7Time(now) : ''}`,
    ...(random() < 0.3 ? ['AL1|1|DA|^Penicillin|SV|Rash'] : []),
    ...(random() < 0.3 ? [`ZPD|local^extension|${between(1, 99)}`] : []),
  ];
}

// ---- Mutations -----------------------------------------------------------------------------------
/** A mutation of the segments (or the bytes); `invalid` says the result must be refused whatever else. */
type Mutation = { name: string; invalid?: boolean; apply: (segments: string[]) => string[] | Buffer };

const field = (segment: string, n: number) => segment.split('|')[n] ?? '';
const setField = (segment: string, n: number, value: string) => {
  const parts = segment.split('|');
  while (parts.length <= n) parts.push('');
  parts[n] = value;
  return parts.join('|');
};
const mapSegment = (segments: string[], name: string, f: (s: string) => string) =>
  segments.map((s) => (s.startsWith(name) ? f(s) : s));
const anyIndex = (segments: string[]) => between(0, Math.max(0, segments.length - 1));
const join = (segments: string[]) => segments.join('\r');
const UNICODE = [
  '\u0000',
  '\u200b',
  '\u202e',
  '😀',
  '\ud800',
  'é',
  '\u0301',
  '\ufeff',
  '中文',
  '\u00a0',
  '\t',
  '\u001f',
  '\\X0D\\',
  '\\F\\',
  '\\E\\',
  '&',
  '~',
  '^',
];

const mutations: Mutation[] = [
  {
    name: 'byte flips',
    apply: (s) => {
      const b = Buffer.from(join(s));
      if (!b.length) return b;
      for (let i = between(1, 4); i > 0; i -= 1) {
        const at = between(0, b.length - 1);
        b[at] = b[at]! ^ (1 << between(0, 7));
      }
      return b;
    },
  },
  {
    name: 'random bytes',
    apply: (s) => {
      const b = Buffer.from(join(s));
      if (!b.length) return b;
      for (let i = between(1, 6); i > 0; i -= 1) b[between(0, b.length - 1)] = between(0, 255);
      return b;
    },
  },
  { name: 'truncated message', apply: (s) => Buffer.from(join(s)).subarray(0, between(0, join(s).length)) },
  {
    name: 'segment dropped',
    apply: (s) => {
      const drop = between(1, Math.max(1, s.length - 1));
      return s.filter((_, i) => i !== drop);
    },
  },
  { name: 'PID dropped', invalid: true, apply: (s) => s.filter((x) => !x.startsWith('PID')) },
  { name: 'MSH dropped', invalid: true, apply: (s) => s.filter((x) => !x.startsWith('MSH')) },
  {
    name: 'segment repeated',
    apply: (s) => {
      const i = anyIndex(s);
      return [...s.slice(0, i + 1), ...s.slice(i, i + 1), ...s.slice(i + 1)];
    },
  },
  { name: 'segments shuffled', apply: (s) => [...s.slice(0, 1), ...s.slice(1).sort(() => random() - 0.5)] },
  { name: 'MSH repeated', apply: (s) => [...s.slice(0, 1), ...s] },
  {
    name: 'field truncated',
    apply: (s) => {
      const i = anyIndex(s);
      const parts = s[i]!.split('|');
      if (parts.length < 2) return s;
      const f = between(1, parts.length - 1);
      parts[f] = parts[f]!.slice(0, between(0, parts[f]!.length));
      return s.map((x, j) => (j === i ? parts.join('|') : x));
    },
  },
  {
    name: 'fields cut off',
    apply: (s) => {
      const i = anyIndex(s);
      return s.map((x, j) => (j === i ? x.split('|').slice(0, between(1, 8)).join('|') : x));
    },
  },
  {
    name: 'field separator changed',
    apply: (s) => {
      const sep = pick(['#', '!', '\\', '^', ' ', '\t', 'Z']);
      return s.map((x) => x.replaceAll('|', sep));
    },
  },
  {
    name: 'field separator changed in MSH only',
    apply: (s) => mapSegment(s, 'MSH', (x) => x.replaceAll('|', pick(['#', '!']))),
  },
  {
    name: 'encoding characters changed',
    apply: (s) =>
      mapSegment(s, 'MSH', (x) =>
        setField(x, 1, pick(['', '^', '^~', '^~\\&#', '#~\\&', '^^^^', '~^&\\', '\\\\\\\\'])),
      ),
  },
  {
    name: 'NHS number check digit wrong',
    invalid: true,
    apply: (s) =>
      s.map((x) =>
        x.replace(/(\d{3}) (\d{3}) (\d{4})/, (_m, a: string, b: string, c: string) => wrongCheckDigit(`${a}${b}${c}`)),
      ),
  },
  {
    name: 'NHS number malformed',
    invalid: true,
    apply: (s) =>
      s.map((x) =>
        x.replace(
          /\d{3} \d{3} \d{4}/,
          pick(['', '123', 'ABCDEFGHIJ', '000000000', '99999999999', '943 476 591', '-943476591']),
        ),
      ),
  },
  {
    name: 'NHS number under another authority',
    invalid: true,
    apply: (s) => s.map((x) => x.replace('^^^NHS^', `^^^${pick(['RBZ', 'NHSX', 'X&NHS', 'PAS', ''])}^`)),
  },
  {
    name: 'NHS identifier type wrong',
    invalid: true,
    apply: (s) => s.map((x) => x.replace(/\^\^\^NHS\^(NH|HN)/, `^^^NHS^${pick(['MR', 'PI', '', 'NHS'])}`)),
  },
  {
    name: 'dates invalid',
    apply: (s) =>
      s.map((x) =>
        x.replace(/\b20\d{12}\b/g, () =>
          pick([
            '',
            '2026',
            '20261340',
            '20261123256199',
            'yesterday',
            '99999999999999',
            '20261123093000+9999',
            '2026-11-23T09:30',
          ]),
        ),
      ),
  },
  {
    name: 'event unsupported',
    invalid: true,
    apply: (s) =>
      mapSegment(s, 'MSH', (x) =>
        setField(x, 8, pick(['ADT^A99', 'ADT^', 'ADT', 'ORU^R01', 'ACK', '', 'ADT^A0', 'ADT^A011', 'adt^a01'])),
      ),
  },
  {
    name: 'control id missing',
    invalid: true,
    apply: (s) => mapSegment(s, 'MSH', (x) => setField(x, 9, pick(['', ' ', '   ']))),
  },
  {
    name: 'control id odd',
    apply: (s) =>
      mapSegment(s, 'MSH', (x) =>
        setField(x, 9, `${field(x, 9)}${pick(['^sub', '~rep', '&x', ' ', '\\T\\', '😀', 'é'])}`),
      ),
  },
  {
    name: 'huge field',
    apply: (s) => {
      const i = anyIndex(s);
      return s.map((x, j) =>
        j === i ? `${x}|${pick(['A', 'é', '^', '~'])}`.padEnd(between(1000, 90_000), pick(['Z', '|', '^', 'é'])) : x,
      );
    },
  },
  {
    name: 'huge message',
    apply: (s) => [...s, ...Array.from({ length: between(100, 1500) }, (_, i) => `ZXX|${i}|${'y'.repeat(60)}`)],
  },
  {
    name: 'unicode inserted',
    apply: (s) => {
      const i = anyIndex(s);
      const at = between(0, s[i]?.length ?? 0);
      return s.map((x, j) => (j === i ? `${x.slice(0, at)}${pick(UNICODE)}${x.slice(at)}` : x));
    },
  },
  {
    name: 'line endings',
    apply: (s) =>
      Buffer.from(
        s.join(pick(['\n', '\r\n', '\n\r', '\r\r', '\r\n\r\n'])) + pick(['', '\r', '\n', '\r\n', '\r\n\r\n', '   ']),
      ),
  },
  {
    name: 'leading noise',
    apply: (s) =>
      Buffer.from(
        `${pick(['\ufeff', '  ', '\r\n', '\u000b', '\u001c', 'x', '\t'])}${join(s)}${pick(['', '\u001c\r', '\u001c'])}`,
      ),
  },
  { name: 'empty', invalid: true, apply: () => Buffer.from(pick(['', ' ', '\r', 'MSH', 'MSH|', 'MSH|^~\\&'])) },
  { name: 'unchanged', apply: (s) => s },
];
const byName = new Map(mutations.map((m) => [m.name, m]));

// ---- Reading answers -----------------------------------------------------------------------------
/**
 * MSH-10 as an integration engine would read it: first segment, its own field separator (printable
 * punctuation: a letter, digit or space cannot separate anything), tenth field.
 */
function controlIdOf(text: string): string | undefined {
  const first = text.replace(/^\s+/, '').split(/\r\n|\n|\r/)[0] ?? '';
  if (!first.startsWith('MSH') || first.length < 4 || /[\p{L}\p{N}\p{Z}\p{C}]/u.test(first[3]!)) return undefined;
  const id = first.split(first[3]!)[9];
  return id?.trim() ? id : undefined;
}

const unescapeHl7 = (value: string) =>
  value.replace(
    /\\(E|F|S|R|T|X0D|X0A)\\/g,
    (_m, e: string) => ({ E: '\\', F: '|', S: '^', R: '~', T: '&', X0D: '\r', X0A: '\n' })[e]!,
  );

function readAck(text: string): { code?: string; echoed?: string } {
  if (!text.startsWith('MSH')) return {};
  const separator = text[3]!;
  const msa = text.split('\r').find((s) => s.startsWith(`MSA${separator}`));
  const fields = msa?.split(separator) ?? [];
  return { code: fields[1], echoed: fields[2] };
}

interface Patient {
  nhs: string;
  kind: 'canary' | 'live' | 'ghost';
  journeyId?: string;
}

describe('HL7 v2 fuzzing at volume', () => {
  it(
    `${MESSAGES} mutated ADT messages: an ACK for each, never a 5xx, and only valid ones change journeys`,
    { timeout: 300_000 },
    async () => {
      const { call, token, rawClient, pseudonymKey } = api.get();
      const table = currentTable();
      const read = createReadModel(table.doc, table.tableName);
      const secret = randomBytes(32).toString('hex');
      const auth = devAuthenticator(secret);
      // In-process, on the same Temporal and DynamoDB: no sockets between the fuzzer and the app.
      const app = createApp({
        programmes,
        gateway: createJourneyGateway(rawClient),
        read,
        auth,
        pseudonymKey,
        health: async () => ({ temporal: true, dynamodb: true }),
      });
      const feed = `Bearer ${await auth.devToken!({ sub: 'tie-1', role: 'integration', teams: [] })}`;

      // ---- Patients with active journeys (canaries and live), and ghosts without.
      const gp = await token('gp-1', 'referrer');
      const raj = await token('lead-raj', 'team-lead', ['south-devon-1']);
      const patients: Patient[] = [
        ...Array.from({ length: 8 }, () => ({ nhs: nhsNumber(), kind: 'canary' as const })),
        ...Array.from({ length: 8 }, () => ({ nhs: nhsNumber(), kind: 'live' as const })),
        ...Array.from({ length: 4 }, () => ({ nhs: nhsNumber(), kind: 'ghost' as const })),
      ];
      await Promise.all(
        patients
          .filter((p) => p.kind !== 'ghost')
          .map(async (p, i) => {
            const made = await call('POST', '/referrals', {
              token: gp,
              json: {
                patient: {
                  nhsNumber: p.nhs,
                  givenName: 'Fuzz',
                  familyName: `Patient${i}`,
                  birthDate: '1940-03-03',
                  postcode: 'TQ2 5AB',
                },
                programme: 'frailty-virtual-ward',
                source: 'gp',
                reason: 'falls',
                urgency: 'routine',
                // Enough risk to be accepted, not declined as ineligible.
                conditions: ['falls', 'dementia', 'copd'],
                livesAlone: true,
                admissionsLast12Months: 2,
                consent: { given: true, recordedBy: 'GP' },
              },
            });
            expect(made.status).toBe(202);
            p.journeyId = (made.body as { journeyId: string }).journeyId;
            const path = `/journeys/${p.journeyId}`;
            if ((made.body as { phase: string }).phase === 'triage')
              expect(
                (await call('POST', `${path}/triage`, { token: raj, json: { decision: 'accept', reason: 'frail' } }))
                  .status,
              ).toBe(200);
            let coordinator: string | null = null;
            let last: unknown;
            for (let n = 0; n < 200 && !coordinator; n += 1) {
              last = (await call('GET', path, { token: raj })).body;
              coordinator = (last as { coordinatorId: string | null }).coordinatorId;
              if (!coordinator) await new Promise((r) => setTimeout(r, 100));
            }
            expect(coordinator, JSON.stringify(last).slice(0, 3000)).toBeTruthy();
            const by = await token(coordinator!, 'coordinator', ['south-devon-1']);
            expect(
              (await call('POST', `${path}/assessment`, { token: by, json: { summary: 'seen at home', needs: [] } }))
                .status,
            ).toBe(200);
            const planned = await call('POST', `${path}/care-plan`, {
              token: by,
              json: { goals: [{ id: 'g1', description: 'stay at home' }], actions: [], agreedWithPatient: true },
            });
            expect(planned).toMatchObject({ status: 200, body: { phase: 'active' } });
          }),
      );
      const stateOf = (p: Patient) =>
        rawClient.workflow.getHandle(p.journeyId!.slice(0, p.journeyId!.lastIndexOf('.'))).query(journeyQuery);
      const snapshot = async (p: Patient) => {
        const s = await stateOf(p);
        return {
          revision: s.counters.revision,
          seq: s.counters.seq,
          phase: s.phase,
          stays: s.hospitalStays,
          seen: s.seenControlIds,
          deadlines: s.deadlines.map((d) => [d.id, d.dueAt, d.status, d.pausedSince ?? null]),
        };
      };
      const auditCount = async (p: Patient) => (await read.auditTrail(p.journeyId!, 1000)).items.length;
      // Let the projections and the first notifications settle before the baseline is taken.
      const canaries = patients.filter((p) => p.kind === 'canary');
      const live = patients.filter((p) => p.kind === 'live');
      const ghosts = patients.filter((p) => p.kind === 'ghost');
      for (const p of [...canaries, ...live])
        await expect
          .poll(async () => (await auditCount(p)) === (await stateOf(p)).counters.seq, { timeout: 20_000 })
          .toBe(true);
      const before = new Map(
        await Promise.all(
          canaries.map(async (p) => [p.nhs, { state: await snapshot(p), audit: await auditCount(p) }] as const),
        ),
      );

      // ---- The fuzzing.
      const tally = {
        sent: 0,
        skippedValidForCanary: 0,
        status: {} as Record<string, number>,
        ack: {} as Record<string, number>,
        byMutation: {} as Record<string, number>,
      };
      const accepted = new Map<string, Set<string>>(); // nhs → facility:controlId of valid, new messages
      const refusedIds = new Set<string>();
      const failures: string[] = [];
      const fail = (why: string, body: string | Buffer) => {
        if (failures.length < 20)
          failures.push(
            `${why}\n  message: ${JSON.stringify((typeof body === 'string' ? body : body.toString('latin1')).slice(0, 400))}`,
          );
      };
      const resends: Buffer[] = [];

      async function one(i: number): Promise<void> {
        // Most messages are about canaries (the strict check, and cheap: refused ones never reach
        // Temporal); live patients and ghosts get enough for a few hundred valid messages.
        const r = random();
        const target = r < 0.86 ? pick(canaries) : r < 0.97 ? pick(live) : pick(ghosts);
        let body: Buffer;
        let chain: Mutation[];
        if (resends.length && random() < 0.02) {
          body = pick(resends);
          chain = [byName.get('unchanged')!];
        } else {
          const segments = baseMessage(target.nhs, pick(EVENTS), newControlId());
          chain = Array.from({ length: random() < 0.7 ? 1 : between(2, 3) }, () => pick(mutations));
          // A third of the mutations leave a valid message, which a canary must not be sent: for
          // canaries, add one that is sure to break it half the time, rather than generate in vain.
          if (target.kind === 'canary' && random() < 0.5)
            chain.splice(between(0, chain.length), 0, pick(mutations.filter((m) => m.invalid)));
          let current: string[] | Buffer = segments;
          for (const m of chain)
            current = Array.isArray(current) ? m.apply(current) : m.apply(current.toString('utf8').split(/\r\n|\n|\r/));
          body = Array.isArray(current) ? Buffer.from(join(current)) : current;
        }
        const text = new TextDecoder().decode(body); // what the app reads: UTF-8, invalid bytes replaced
        const verdict = parseAdt(text, feeds);
        const tooLarge = body.length > 64 * 1024;
        if (verdict.ok && !tooLarge && canaries.some((c) => c.nhs === verdict.adt.nhsNumber)) {
          tally.skippedValidForCanary += 1;
          return;
        }
        const res = await app.request('/adt', {
          method: 'POST',
          headers: { authorization: feed, 'content-type': 'application/hl7-v2' },
          body: new Uint8Array(body),
        });
        const answer = await res.text();
        tally.sent += 1;
        tally.status[res.status] = (tally.status[res.status] ?? 0) + 1;
        for (const m of chain) tally.byMutation[m.name] = (tally.byMutation[m.name] ?? 0) + 1;
        const { code, echoed } = readAck(answer);
        tally.ack[code ?? 'none'] = (tally.ack[code ?? 'none'] ?? 0) + 1;
        const label = `#${i} [${chain.map((m) => m.name).join(' + ')}] → ${res.status} ${JSON.stringify(answer.slice(0, 160))}`;
        if (res.status >= 500) return fail(`server error ${label}`, body);
        if (!res.headers.get('content-type')?.startsWith('application/hl7-v2'))
          return fail(`not an HL7 answer ${label}`, body);
        if (!code || !['AA', 'AE', 'AR'].includes(code)) return fail(`no MSA-1 of AA/AE/AR ${label}`, body);
        const msh10 = controlIdOf(text);
        if (msh10 !== undefined && !tooLarge && echoed !== msh10 && unescapeHl7(echoed ?? '') !== msh10)
          return fail(`MSA-2 ${JSON.stringify(echoed)} does not echo MSH-10 ${JSON.stringify(msh10)} ${label}`, body);
        const refused = code !== 'AA';
        if (refused !== res.status >= 400) return fail(`HTTP status disagrees with the ACK ${label}`, body);
        if (chain.length === 1 && chain[0]!.invalid && !refused)
          return fail(`accepted a message that must be refused ${label}`, body);
        if (tooLarge && code !== 'AR') return fail(`a message over 64 KiB was not refused ${label}`, body);
        // Accepted: what the parser reads as ADT (or acknowledges and ignores, as a pre-admission)
        // from a facility this sender may send for (HAZ-10).
        const facility = verdict.ok
          ? verdict.adt.sendingFacility
          : verdict.ignored
            ? verdict.sendingFacility
            : undefined;
        const acceptable = (verdict.ok || !!verdict.ignored) && facilitiesOf(feeds, 'tie-1').includes(facility ?? '');
        if (!tooLarge && refused === acceptable) return fail(`ACK disagrees with the parser ${label}`, body);
        if (refused) {
          // Only ids this run made up are unique to one message; a mutated id ("~rep") may recur in a valid one.
          const own = msh10 ? GENERATED_ID.exec(msh10)?.[0] : undefined;
          if (own) refusedIds.add(own);
        } else if (verdict.ok) {
          if (!/duplicate/.test(answer)) {
            const ids = accepted.get(verdict.adt.nhsNumber) ?? new Set<string>();
            ids.add(`${verdict.adt.sendingFacility}:${verdict.adt.controlId}`);
            accepted.set(verdict.adt.nhsNumber, ids);
            if (resends.length < 200) resends.push(body);
          }
        }
      }

      const started = performance.now();
      // Until MESSAGES have been posted (valid mutations meant for canaries are generated, not sent).
      let next = 0;
      let inFlight = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (tally.sent + inFlight < MESSAGES && next < MESSAGES * 3) {
            inFlight += 1;
            await one(next++).finally(() => (inFlight -= 1));
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      recordFigures('hl7-fuzz', {
        generated: next,
        posted: tally.sent,
        seconds: Math.round(seconds * 10) / 10,
        postedPerSecond: Math.round(tally.sent / seconds),
        failures: failures.length,
        ...tally,
      });
      expect(failures, failures.join('\n')).toEqual([]);
      expect(tally.sent).toBeGreaterThanOrEqual(MESSAGES);

      // ---- Journeys afterwards.
      for (const p of canaries) {
        const was = before.get(p.nhs)!;
        expect(await snapshot(p), `canary ${p.journeyId} changed`).toEqual(was.state);
        expect(await auditCount(p), `canary ${p.journeyId} audit trail grew`).toBe(was.audit);
      }
      let recorded = 0;
      for (const p of live) {
        const seen = new Set((await stateOf(p)).seenControlIds);
        const expected = [...(accepted.get(p.nhs) ?? [])];
        // The journey keeps the last 200 ids it saw; each live patient gets fewer valid messages than that.
        expect(expected.length, 'too many valid messages per live patient for the seen list').toBeLessThan(200);
        expect(
          expected.filter((id) => !seen.has(id)),
          `live ${p.journeyId} missed accepted messages`,
        ).toEqual([]);
        expect(
          [...seen].filter((id) => refusedIds.has(GENERATED_ID.exec(id)?.[0] ?? '')),
          `live ${p.journeyId} recorded refused messages`,
        ).toEqual([]);
        recorded += expected.length;
      }
      expect(recorded, 'too few valid messages reached live journeys to show anything').toBeGreaterThan(200);
      expect(refusedIds.size, 'too few refused messages').toBeGreaterThan(MESSAGES / 4);
      for (const p of patients.filter((x) => x.kind === 'ghost')) {
        expect(accepted.get(p.nhs)?.size ?? 0, 'no valid message reached a ghost').toBeGreaterThan(0);
        for (const programme of programmes) {
          await expect(
            rawClient.workflow.getHandle(journeyWorkflowId(programme.id, patientIdFor(p.nhs, pseudonymKey))).describe(),
            `a journey opened for ghost in ${programme.id}`,
          ).rejects.toBeInstanceOf(WorkflowNotFoundError);
        }
      }
      expect(Object.keys(tally.status).every((s) => Number(s) < 500)).toBe(true);
    },
  );
});
