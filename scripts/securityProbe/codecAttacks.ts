/**
 * The codec endpoint's attacks (docs/security/threat-model.md, "Codec endpoint"): decoding a
 * journey's Temporal history is break-glass, so everything short of a fresh codec session, asked
 * for with a reason by operations and kept for the IG lead, must decode nothing. Each attack is
 * judged by its effect: did the answer carry what the referral said, was a session kept (or not),
 * would a browser let another origin's page read the answer? The twin decodes the same ciphertext
 * properly and must read the referral.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { CODEC_SESSION_MINUTES, codecSessionsSealedWith } from '../../lambdas/codecSessions.js';
import { CODEC_COOKIE } from '../../lambdas/routes/session.js';
import { httpClient, type CallResult } from '../httpClient.js';
import type { Attack, Outcome } from './attacks.js';
import type { ProbeStack } from './stack.js';
import { nhsNumbers, refer, referral, until, workflowIdOf } from './toolkit.js';
import type { Person } from './userPool.js';

/** What every probe referral says, and so what a decode that worked shows. */
const SAID = referral('').reason;
const REASON = 'INC-0000: security probe, looking into a journey that will not move';

/** Someone in operations, new each time, so what is kept in their name is theirs alone. */
const ops = () => ({ sub: `ops-${randomUUID().slice(0, 8)}`, role: 'ops' as const });
const IG_LEAD: Person = { sub: 'ig-lead-probe', role: 'ig-lead' };
const COORDINATOR: Person = { sub: 'coord-probe', role: 'coordinator', teams: ['south-devon-1'] };

/** Payloads in Temporal's JSON form, as the Temporal Web UI sends them to a codec. */
type Payloads = { payloads: { metadata: Record<string, string>; data: string }[] };

/**
 * A journey's start input (the referral it opened with) as whoever holds the namespace reads it:
 * ciphertext. One per stack, opened the first time an attack asks.
 */
const sealedReferrals = new WeakMap<ProbeStack, Promise<Payloads>>();
function aSealedReferral(stack: ProbeStack): Promise<Payloads> {
  let sealed = sealedReferrals.get(stack);
  if (!sealed) sealedReferrals.set(stack, (sealed = openAndRead(stack)));
  return sealed;
}

async function openAndRead(stack: ProbeStack): Promise<Payloads> {
  const [nhs] = nhsNumbers(1) as [string];
  const made = await refer(stack, stack.pool.idToken({ sub: 'gp-codec', role: 'referrer' }), nhs);
  if (made.status !== 202) throw new Error(`the probe could not open a journey: ${made.status} ${made.text}`);
  // No codec: what the Temporal UI, or anyone holding the namespace, is shown.
  const raw = new Client({ connection: stack.judge.client.connection, namespace: stack.temporal.namespace });
  const input = await until('the journey’s start input', async () => {
    const history = await raw.workflow.getHandle(workflowIdOf(stack, nhs)).fetchHistory();
    return history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? undefined;
  });
  const payloads = input.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  }));
  if (payloads.some((p) => Buffer.from(p.data, 'base64').toString('utf8').includes(SAID)))
    throw new Error('the journey’s start input is in plaintext: the stack is not sealing payloads');
  return { payloads };
}

/** What a decode answered, and whether the answer carried what the referral said. */
interface Decoded {
  status: number;
  read: boolean;
}

async function decode(stack: ProbeStack, payloads: Payloads, session: { bearer?: string; cookie?: string }) {
  const answer = await httpClient(stack.api)('POST', '/codec/decode', {
    json: payloads,
    ...(session.bearer ? { token: session.bearer } : {}),
    ...(session.cookie ? { headers: { cookie: `${CODEC_COOKIE}=${session.cookie}` } } : {}),
  });
  const shown = ((answer.body as Partial<Payloads>).payloads ?? []).map((p) =>
    Buffer.from(p.data, 'base64').toString('utf8'),
  );
  return { status: answer.status, read: shown.some((text) => text.includes(SAID)) };
}

const breakGlass = (stack: ProbeStack, person: Person, json: unknown): Promise<CallResult> =>
  httpClient(stack.api)('POST', '/auth/codec-session', { token: stack.pool.idToken(person), json });

/** Breaking glass as ops with a reason, then decoding with the session: the twin of every codec attack. */
async function decodeProperly(stack: ProbeStack, payloads: Payloads): Promise<Outcome & { token?: string }> {
  const broke = await breakGlass(stack, ops(), { reason: REASON });
  const token = broke.status === 201 ? (broke.body as { token: string }).token : undefined;
  const decoded = token ? await decode(stack, payloads, { bearer: token }) : undefined;
  return {
    worked: decoded?.status === 200 && decoded.read,
    happened: `broke glass ${broke.status}, decode ${decoded?.status ?? 'not tried'}${decoded?.read ? ', the referral read' : ''}`,
    ...(token ? { token } : {}),
  };
}

/** Every attempt must be a 401 that shows nothing. */
function refusedAll(tries: [string, Decoded][]): Outcome {
  return {
    worked: tries.some(([, d]) => d.status !== 401 || d.read),
    happened: tries.map(([how, d]) => `${how} ${d.status}${d.read ? ' AND THE REFERRAL READ' : ''}`).join(', '),
  };
}

/** The break-glass sessions the IG lead sees from `from` until now. */
async function keptSince(stack: ProbeStack, from: Date): Promise<{ by: string; reason: string }[]> {
  const to = new Date(Date.now() + 60_000).toISOString();
  const seen = await httpClient(stack.api)('GET', `/break-glass-sessions?from=${from.toISOString()}&to=${to}`, {
    token: stack.pool.idToken(IG_LEAD),
  });
  if (seen.status !== 200) throw new Error(`the IG lead could not list break-glass sessions: ${seen.status}`);
  return (seen.body as { items: { by: string; reason: string }[] }).items;
}

/** What a browser's preflight from `origin` is told: may the page call, and with its cookies? */
async function preflight(stack: ProbeStack, origin: string, path: string) {
  const answer = await httpClient(stack.api)('OPTIONS', path, {
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  return {
    origin: answer.headers.get('access-control-allow-origin'),
    credentials: answer.headers.get('access-control-allow-credentials'),
  };
}

const EVIL = 'https://evil.example';

export const codecAttacks: Attack[] = [
  {
    name: 'sign-in token at the codec',
    threat: 'Codec I: an ops sign-in (no break glass) decodes history, as a bearer or as the codec cookie',
    refusal: '401 both ways, nothing decoded',
    run: async (stack) => {
      const payloads = await aSealedReferral(stack);
      const signIn = stack.pool.idToken(ops());
      return {
        attack: refusedAll([
          ['bearer', await decode(stack, payloads, { bearer: signIn })],
          ['cookie', await decode(stack, payloads, { cookie: signIn })],
        ]),
        twin: await decodeProperly(stack, payloads),
      };
    },
  },
  {
    name: 'edited or forged codec session',
    threat: 'Codec I: a codec session with a byte changed, or sealed with a key other than the API’s',
    refusal: '401 both ways, nothing decoded',
    run: async (stack) => {
      const payloads = await aSealedReferral(stack);
      const twin = await decodeProperly(stack, payloads);
      if (!twin.token) return { attack: { worked: true, happened: 'not tried: no session to edit' }, twin };
      const edited = Buffer.from(twin.token, 'base64url');
      edited[20] = edited[20]! ^ 1;
      const elsewhere = codecSessionsSealedWith(randomBytes(32)).issue(
        { sub: 'ops-forger', role: 'admin' },
        new Date(),
      );
      return {
        attack: refusedAll([
          ['edited', await decode(stack, payloads, { bearer: edited.toString('base64url') })],
          ['another key', await decode(stack, payloads, { cookie: elsewhere.token })],
        ]),
        twin,
      };
    },
  },
  {
    name: 'expired codec session',
    threat: 'Codec I: a codec cookie kept past its fifteen minutes',
    refusal: '401 as bearer and as cookie, nothing decoded',
    run: async (stack) => {
      const payloads = await aSealedReferral(stack);
      // The API's clock cannot be moved, so the probe seals, with the API's own key (the judge's),
      // exactly what the API handed someone sixteen minutes ago: the attacker is whoever kept that
      // cookie. The twin is sealed the same way, issued now, so the only difference is the time.
      const sealer = codecSessionsSealedWith(stack.judge.pseudonymKey);
      const person = ops();
      const kept = sealer.issue(person, new Date(Date.now() - (CODEC_SESSION_MINUTES + 1) * 60_000));
      const fresh = await decode(stack, payloads, { cookie: sealer.issue(person, new Date()).token });
      return {
        attack: refusedAll([
          ['bearer', await decode(stack, payloads, { bearer: kept.token })],
          ['cookie', await decode(stack, payloads, { cookie: kept.token })],
        ]),
        twin: {
          worked: fresh.status === 200 && fresh.read,
          happened: `the same session issued now: ${fresh.status}${fresh.read ? ', the referral read' : ''}`,
        },
      };
    },
  },
  {
    name: 'break glass without a reason, or as a coordinator',
    threat: 'Codec E: a codec session nobody can account for, or for a role that does not look into journeys',
    refusal: '400 without a reason, 403 to a coordinator; no session handed out, nothing kept',
    run: async (stack) => {
      const from = new Date(Date.now() - 60_000);
      const before = await keptSince(stack, from);
      const asker = ops();
      const tries: [string, CallResult][] = [
        ['no reason', await breakGlass(stack, asker, {})],
        ['"because"', await breakGlass(stack, asker, { reason: 'because' })],
        ['coordinator', await breakGlass(stack, COORDINATOR, { reason: REASON })],
      ];
      const afterRefusals = await keptSince(stack, from);
      const handedOut = tries.filter(
        ([, r]) => /carepath_codec=[^;]/.test(r.headers.get('set-cookie') ?? '') || /"token"/.test(r.text),
      ).length;
      const expected = [400, 400, 403];
      const asked = await breakGlass(stack, asker, { reason: REASON });
      const after = await keptSince(stack, from);
      const keptForAsker = after.filter((s) => s.by === asker.sub);
      return {
        attack: {
          worked:
            tries.some(([, r], i) => r.status !== expected[i]) ||
            handedOut > 0 ||
            afterRefusals.length !== before.length,
          happened: `${tries.map(([how, r]) => `${how} ${r.status}`).join(', ')}; ${handedOut} sessions handed out, ${afterRefusals.length - before.length} kept`,
        },
        twin: {
          worked:
            asked.status === 201 &&
            after.length === before.length + 1 &&
            keptForAsker.length === 1 &&
            keptForAsker[0]!.reason === REASON,
          happened: `ops with a reason: ${asked.status}, ${after.length - before.length} kept, naming them: ${keptForAsker.length}`,
        },
      };
    },
  },
  {
    name: 'credentialed call from another origin',
    threat: 'Codec I/E: a page on another origin rides the codec cookie, or asks for one',
    refusal:
      'no Access-Control-Allow-Origin to its preflights on /codec/decode and /auth/codec-session, nor to the Temporal UI off the codec',
    run: async (stack) => {
      const tries = [
        ['another origin on /codec/decode', await preflight(stack, EVIL, '/codec/decode')],
        ['another origin on /auth/codec-session', await preflight(stack, EVIL, '/auth/codec-session')],
        // The dashboard is the API's own origin, so nothing may ask for the cookie cross-origin.
        [
          'the Temporal UI on /auth/codec-session',
          await preflight(stack, stack.origins.temporalUi, '/auth/codec-session'),
        ],
      ] as const;
      const ui = await preflight(stack, stack.origins.temporalUi, '/codec/decode');
      return {
        attack: {
          // Hono says `Allow-Credentials: true` to anyone; without the origin named a browser still
          // keeps the answer from the page, so the origin is what decides.
          worked: tries.some(([, p]) => p.origin !== null),
          happened: tries.map(([who, p]) => `${who}: ${p.origin ?? 'no origin allowed'}`).join(', '),
        },
        twin: {
          worked: ui.origin === stack.origins.temporalUi && ui.credentials === 'true',
          happened: `the Temporal UI on /codec/decode: ${ui.origin} (credentials ${ui.credentials})`,
        },
      };
    },
  },
];
