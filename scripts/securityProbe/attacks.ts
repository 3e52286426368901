/**
 * The attacks of the threat model (docs/security/threat-model.md), one small named object per row,
 * each tried on the running stack as an attacker would (HTTP to the API, a Temporal client holding
 * the namespace but not the keys) and judged by its effect: did a journey start, close, or show
 * itself to someone outside its team? Each carries its legitimate twin, the same move made
 * properly, which must work: a probe whose twin fails is blind, and says so.
 *
 * To add an attack: a new entry in `attacks`, naming its threat-model row. The codec endpoint's
 * (break-glass sessions, CORS with credentials) are in codecAttacks.ts, run after these.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { commandOutcomeQuery, commandSignal, journeyQuery } from '../../temporal/journeyMessages.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import type { CommandOutcome } from '../../domain/journeyCommands.js';
import { httpClient } from '../httpClient.js';
import { codecAttacks } from './codecAttacks.js';
import { PROBE_INTAKE_LIMIT, type ProbeStack } from './stack.js';
import { journeyStarted, nhsNumbers, rawRequest, refer, referral, until, workflowIdOf } from './toolkit.js';
import type { Person } from './userPool.js';

/** What one side of an attack did: `worked` is the attacker's success, or the twin's. */
export interface Outcome {
  worked: boolean;
  happened: string;
}

export interface Attack {
  name: string;
  /** The threat-model row it tries: its section, and the threat in a few words. */
  threat: string;
  /** What the stack should answer, and leave unchanged. */
  refusal: string;
  /** Tries the attack, then its legitimate twin. */
  run(stack: ProbeStack): Promise<{ attack: Outcome; twin: Outcome }>;
}

const LEAD: Person = { sub: 'lead-raj', role: 'team-lead', teams: ['south-devon-1'] };
const OTHER_TEAMS_LEAD: Person = { sub: 'lead-sian', role: 'team-lead', teams: ['exeter-1'] };
const now = () => Math.floor(Date.now() / 1000);
const referrer = (sub: string): Person => ({ sub, role: 'referrer' });

/** A journey opened through the API by a referrer, as any journey begins. */
async function openJourney(stack: ProbeStack, by: string): Promise<{ journeyId: string; workflowId: string }> {
  const [nhs] = nhsNumbers(1);
  const made = await refer(stack, stack.pool.idToken(referrer(by)), nhs!);
  if (made.status !== 202) throw new Error(`the probe could not open a journey: ${made.status} ${made.text}`);
  return { journeyId: (made.body as { journeyId: string }).journeyId, workflowId: workflowIdOf(stack, nhs!) };
}

/**
 * A `close` in the team lead's name sent straight to Temporal by `forger`, then the same command
 * signed with the API's keys. The journey takes signals in order, so once the twin is decided the
 * forgery has been taken in (or thrown away) too: no waiting on time.
 */
async function forgeClose(stack: ProbeStack, forger: Client, by: string): Promise<{ attack: Outcome; twin: Outcome }> {
  const { journeyId, workflowId } = await openJourney(stack, by);
  const close = (commandId: string, reason: string) => ({
    commandId,
    type: 'close' as const,
    command: { by: { sub: LEAD.sub, role: LEAD.role }, reason, outcome: {} },
    sentAt: new Date().toISOString(),
    journeyId,
  });
  const forged = `probe-forged-${randomUUID()}`;
  const signed = `probe-signed-${randomUUID()}`;
  await forger.workflow.getHandle(workflowId).signal(commandSignal, close(forged, 'deceased'));
  const journey = stack.judge.client.workflow.getHandle(workflowId);
  await journey.signal(commandSignal, close(signed, 'withdrawn'));
  const twinOutcome = await until('the signed close to be decided', () => journey.query(commandOutcomeQuery, signed));
  const forgedOutcome: CommandOutcome | undefined = await journey.query(commandOutcomeQuery, forged);
  const state = await journey.query(journeyQuery);
  const closedBy = state.timeline.filter((e) => e.type === 'journey.closed').length;
  return {
    attack: {
      worked: forgedOutcome !== undefined || state.closure?.reason === 'deceased',
      happened: forgedOutcome
        ? `the journey took it in (${forgedOutcome.ok ? 'closed as deceased' : forgedOutcome.type})`
        : 'not taken in: the journey shows no action from it',
    },
    twin: {
      worked: twinOutcome.ok && state.closure?.reason === 'withdrawn' && closedBy === 1,
      happened: twinOutcome.ok ? `signed close acted (${state.closure?.reason})` : `signed close ${twinOutcome.type}`,
    },
  };
}

/** A referral with a broken token, then the same referral with a valid one. */
const badToken =
  (make: (stack: ProbeStack, gp: Person) => string) =>
  async (stack: ProbeStack): Promise<{ attack: Outcome; twin: Outcome }> => {
    const gp = referrer(`gp-${randomUUID().slice(0, 8)}`);
    const [refused, accepted] = nhsNumbers(2) as [string, string];
    const attempt = await refer(stack, make(stack, gp), refused);
    const started = await journeyStarted(stack, refused);
    const proper = await refer(stack, stack.pool.idToken(gp), accepted);
    const twinStarted = await journeyStarted(stack, accepted);
    return {
      attack: {
        worked: attempt.status !== 401 || started,
        happened: `${attempt.status}, ${started ? 'a journey started' : 'no journey started'}`,
      },
      twin: {
        worked: proper.status === 202 && twinStarted,
        happened: `${proper.status}, ${twinStarted ? 'journey started' : 'no journey'}`,
      },
    };
  };

/** A referral far over the intake's body limit, then the same referral at its normal size. */
const oversized =
  (chunked: boolean) =>
  async (stack: ProbeStack): Promise<{ attack: Outcome; twin: Outcome }> => {
    const token = stack.pool.idToken(referrer(`gp-${randomUUID().slice(0, 8)}`));
    const [refused, accepted] = nhsNumbers(2) as [string, string];
    const attempt = await rawRequest(`${stack.api}/referrals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(referral(refused, 'x'.repeat(1024 * 1024))),
      chunked,
    });
    const started = await journeyStarted(stack, refused);
    const proper = await refer(stack, token, accepted);
    const twinStarted = await journeyStarted(stack, accepted);
    return {
      attack: {
        worked: attempt.status !== 413 || started,
        happened: `${attempt.status}, ${started ? 'a journey started' : 'no journey started'}`,
      },
      twin: {
        worked: proper.status === 202 && twinStarted,
        happened: `${proper.status}, ${twinStarted ? 'journey started' : 'no journey'}`,
      },
    };
  };

export const attacks: Attack[] = [
  {
    name: 'forged plaintext command',
    threat: 'Temporal S/T: whoever holds the namespace sends a close as a named co-ordinator',
    refusal: 'the worker refuses it unsigned; the journey takes no action',
    run: async (stack) => {
      const connection = await Connection.connect({ address: stack.temporal.address });
      try {
        return await forgeClose(
          stack,
          new Client({ connection, namespace: stack.temporal.namespace }),
          'gp-forge-plain',
        );
      } finally {
        await connection.close();
      }
    },
  },
  {
    name: 'command signed with another key',
    threat: 'Temporal S/T: the sealing key (codec endpoint) but not the signing key',
    refusal: 'the worker refuses the signature; the journey takes no action',
    run: async (stack) => {
      const connection = await Connection.connect({ address: stack.temporal.address });
      const ownKey = new EncryptionCodec(parseCodecKeys(stack.sealingKeys), {
        signing: { keys: parseCodecKeys(`sign1:${newCodecKey()}`, 'signing') },
      });
      try {
        const forger = new Client({
          connection,
          namespace: stack.temporal.namespace,
          dataConverter: { payloadCodecs: [ownKey] },
        });
        return await forgeClose(stack, forger, 'gp-forge-key');
      } finally {
        await connection.close();
      }
    },
  },
  {
    name: 'expired token',
    threat: 'Referrals S: an expired token',
    refusal: '401, no journey started',
    run: badToken((stack, gp) => stack.pool.idToken(gp, { iat: now() - 7200, exp: now() - 60 })),
  },
  {
    name: 'wrong-audience token',
    threat: 'Referrals S: a token for another app client',
    refusal: '401, no journey started',
    run: badToken((stack, gp) => stack.pool.idToken(gp, { aud: 'someone-elses-client' })),
  },
  {
    name: 'token signed with another key',
    threat: 'Referrals S: a forged token under the pool’s key id',
    refusal: '401, no journey started',
    run: badToken((stack, gp) => stack.pool.idTokenSignedElsewhere(gp)),
  },
  {
    name: "another team's cursor",
    threat: 'Dashboard I: a next-page cursor used outside the list and caller it was given to',
    refusal: 'the cursor shows nothing; 400 on their own list, 403 on the team’s; no journey of the team shown',
    run: async (stack) => {
      const call = httpClient(stack.api);
      const lead = stack.pool.idToken(LEAD);
      const outsider = stack.pool.idToken(OTHER_TEAMS_LEAD);
      const opened = [await openJourney(stack, 'gp-cursor'), await openJourney(stack, 'gp-cursor')];
      const list = (token: string, team: string, cursor?: string) =>
        call('GET', `/journeys?team=${team}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token });
      type Page = { items?: { id: string; teamId: string }[]; nextCursor?: string };
      // Wait for the team's list to show both (the read model is written by the journey's activities).
      await until('the team’s list to show the new journeys', async () => {
        const all = (await call('GET', '/journeys?team=south-devon-1&limit=200', { token: lead })).body as Page;
        return opened.every((o) => all.items?.some((i) => i.id === o.journeyId)) ? true : undefined;
      });
      const first = (await list(lead, 'south-devon-1')).body as Page;
      const cursor = first.nextCursor ?? '';
      const inside = Buffer.from(cursor, 'base64url').toString('latin1');
      const named = (first.items ?? []).filter(
        (i) => inside.includes(i.id.split('.')[1]!) || inside.includes('JOURNEY#'),
      );
      const onOwnList = await list(outsider, 'exeter-1', cursor);
      const onTeamsList = await list(outsider, 'south-devon-1', cursor);
      const shown = [onOwnList, onTeamsList].flatMap((r) =>
        ((r.body as Page).items ?? []).filter((i) => i.teamId === 'south-devon-1'),
      );
      const next = await list(lead, 'south-devon-1', cursor);
      const page2 = (next.body as Page).items ?? [];
      return {
        attack: {
          worked: named.length > 0 || shown.length > 0 || onOwnList.status !== 400 || onTeamsList.status !== 403,
          happened: `${named.length > 0 ? 'the cursor names a journey' : 'the cursor names nothing'}; ${onOwnList.status} on own list, ${onTeamsList.status} on the team’s; ${shown.length} of the team’s journeys shown`,
        },
        twin: {
          worked: cursor !== '' && next.status === 200 && page2.length === 1 && page2[0]!.id !== first.items?.[0]?.id,
          happened: `the lead’s own cursor: ${next.status}, ${page2.length} journey on the next page`,
        },
      };
    },
  },
  {
    name: 'DNS-rebinding Host',
    threat: 'Dashboard S: a rebinding page mints a development token on a developer’s machine',
    refusal: '403 to sign-in and the directory, no token, no people',
    run: async (stack) => {
      const port = new URL(stack.devApi).port;
      const signIn = (host: string) =>
        rawRequest(`${stack.devApi}/auth/dev-token`, {
          method: 'POST',
          headers: { host, 'content-type': 'application/json' },
          body: JSON.stringify({ sub: LEAD.sub, role: LEAD.role, teams: LEAD.teams }),
        });
      const directory = (host: string) =>
        rawRequest(`${stack.devApi}/auth/dev-directory`, { method: 'GET', headers: { host } });
      const rebound = `rebind.attacker.example:${port}`;
      const [minted, listed] = [await signIn(rebound), await directory(rebound)];
      const loopback = await signIn(`127.0.0.1:${port}`);
      const token = loopback.status === 200 ? (JSON.parse(loopback.text) as { token: string }).token : undefined;
      const used = token ? await httpClient(stack.devApi)('GET', '/journeys?team=south-devon-1', { token }) : undefined;
      return {
        attack: {
          worked:
            minted.status !== 403 ||
            listed.status !== 403 ||
            /"token"/.test(minted.text) ||
            /"users"/.test(listed.text),
          happened: `sign-in ${minted.status}${/"token"/.test(minted.text) ? ' with a token' : ', no token'}; directory ${listed.status}`,
        },
        twin: {
          worked: used?.status === 200,
          happened: `loopback Host: sign-in ${loopback.status}, its token lists the team: ${used?.status ?? 'no token'}`,
        },
      };
    },
  },
  {
    name: 'oversized body',
    threat: 'Referrals T: a body large enough to exhaust memory (with its Content-Length)',
    refusal: '413, no journey started',
    run: oversized(false),
  },
  {
    name: 'oversized body, chunked',
    threat: 'Referrals T: the same, streamed with no Content-Length to check',
    refusal: '413, no journey started',
    run: oversized(true),
  },
  {
    name: 'flood from one caller',
    threat: 'Referrals D: one caller floods intake',
    refusal: `429 past ${PROBE_INTAKE_LIMIT} a minute, nothing started by a refused referral; another caller served`,
    run: async (stack) => {
      // Twice the limit and one more, at once: however the minute falls, some must be refused.
      const people = nhsNumbers(2 * PROBE_INTAKE_LIMIT + 2);
      const [calmPerson, ...flood] = people as [string, ...string[]];
      const flooder = stack.pool.idToken(referrer('gp-flood'));
      const calm = stack.pool.idToken(referrer('gp-calm'));
      // All sent at once, the other caller's referral in the middle of the flood.
      const half = Math.floor(flood.length / 2);
      const sending = flood.map((nhs) => () => refer(stack, flooder, nhs));
      const all = await Promise.all(
        [...sending.slice(0, half), () => refer(stack, calm, calmPerson), ...sending.slice(half)].map((send) => send()),
      );
      const calmAnswer = all[half]!;
      const answers = all.filter((_, i) => i !== half);
      const started = await Promise.all(flood.map((nhs) => journeyStarted(stack, nhs)));
      const refused = answers.filter((a) => a.status === 429);
      const refusedButActed = answers.filter((a, i) => a.status === 429 && started[i]).length;
      const through = started.filter(Boolean).length;
      const calmStarted = await journeyStarted(stack, calmPerson);
      return {
        attack: {
          worked: through === flood.length || refusedButActed > 0,
          happened: `${refused.length} of ${flood.length} refused (429${refused.every((a) => Number(a.headers.get('retry-after')) > 0) ? ', Retry-After' : ''}), ${through} journeys started${refusedButActed ? `, ${refusedButActed} of them refused` : ''}`,
        },
        twin: {
          worked: calmAnswer.status === 202 && calmStarted,
          happened: `the other caller: ${calmAnswer.status}, ${calmStarted ? 'journey started' : 'no journey'}`,
        },
      };
    },
  },
  ...codecAttacks,
];
