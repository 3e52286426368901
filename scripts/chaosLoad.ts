/**
 * The work of a chaos run: people referred, triaged, assessed, planned for, admitted to and
 * discharged from hospital, contacted and reviewed — each through the public API and ADT feed, at
 * seeded random moments, some of it late so ladders escalate. Every call is retried through the
 * faults (as a client or an integration engine would); a 409 means the journey moved on.
 */
import type { Programme } from '../domain/programme.js';
import { adtMessage } from './adtMessage.js';
import { testNhsNumbers } from './seed.js';

export interface LoadStats {
  referrals: number;
  actions: number;
  adtMessages: number;
  /** Calls that failed during a fault and were tried again. */
  retries: number;
  /** Actions the journey refused because it had moved on (409): expected after a retried call. */
  conflicts: number;
  /** Calls that still failed after two minutes of retrying: each is a finding (the check says why). */
  gaveUp: string[];
  /** Calls answered with an unexpected 4xx: each is a finding. */
  unexpected: string[];
}

export interface LoadOptions {
  base: string;
  programme: Programme;
  journeys: number;
  /** Referrals arrive over this window; every life ends by `lifeMs` after the start. */
  arrivalMs: number;
  lifeMs: number;
  random: () => number;
  token: (sub: string, role: string, teams: string[]) => Promise<string>;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runLoad(o: LoadOptions): Promise<{ journeyIds: string[]; stats: LoadStats }> {
  const stats: LoadStats = {
    referrals: 0,
    actions: 0,
    adtMessages: 0,
    retries: 0,
    conflicts: 0,
    gaveUp: [],
    unexpected: [],
  };
  const team = o.programme.teams[0]!;
  const gp = await o.token('gp-chaos', 'referrer', []);
  const lead = await o.token(team.leads[0]!, 'team-lead', [team.id]);
  const feed = await o.token('tie-1', 'integration', []);
  const coordinators = new Map<string, string>();
  for (const c of team.coordinators) coordinators.set(c.id, await o.token(c.id, 'coordinator', [team.id]));
  const started = Date.now();
  const end = started + o.lifeMs;
  const chance = (p: number) => o.random() < p;
  /** Waits, but never past the end of the run: whatever is left undone then stays undone. */
  const pause = (ms: number) => sleep(Math.min(ms, end - Date.now()));
  const between = (a: number, b: number) => a + o.random() * (b - a);

  /**
   * Sends until the API answers something other than a fault (5xx, 429, network error). A body
   * given as a function is made afresh for each attempt (a care-plan action due "in a minute"
   * must not fall into the past while the call waits out a fault).
   */
  async function send(
    method: string,
    path: string,
    token: string,
    makeBody?: unknown,
    contentType = 'application/json',
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const giveUpAt = Date.now() + 120_000;
    for (let attempt = 0; ; attempt += 1) {
      const body: unknown = typeof makeBody === 'function' ? (makeBody as () => unknown)() : makeBody;
      try {
        const r = await fetch(`${o.base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined ? { 'content-type': contentType } : {}),
            ...extraHeaders,
          },
          ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await r.text();
        if (r.status < 500 && r.status !== 429) {
          if (r.status === 409) stats.conflicts += 1;
          else if (r.status >= 400) stats.unexpected.push(`${method} ${path} → ${r.status}: ${text.slice(0, 200)}`);
          return {
            status: r.status,
            body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown>,
          };
        }
      } catch {
        // a fault in progress: the API or something behind it is down
      }
      if (Date.now() > giveUpAt) {
        stats.gaveUp.push(`${method} ${path}`);
        return { status: 0, body: {} };
      }
      stats.retries += 1;
      await sleep(500 + Math.min(attempt, 10) * 200);
    }
  }

  const numbers = testNhsNumbers(700_000 + Math.floor(o.random() * 100_000));
  async function life(n: number): Promise<string | undefined> {
    const nhsNumber = numbers.next().value!;
    const person = { givenName: `Chaos${n}`, familyName: 'Testperson', nhsNumber };
    await sleep(between(0, o.arrivalMs));
    const referral = await send('POST', '/referrals', gp, {
      patient: { ...person, birthDate: '1938-05-17', postcode: 'TQ1 1AA' },
      programme: o.programme.id,
      teamId: team.id,
      source: chance(0.5) ? 'gp' : 'hospital',
      reason: 'chaos run',
      urgency: chance(0.3) ? 'urgent' : 'routine',
      conditions: chance(0.5) ? ['falls', 'copd', 'heart failure'] : ['falls'],
      livesAlone: chance(0.5),
      admissionsLast12Months: Math.floor(between(0, 3)),
      consent: { given: true, recordedBy: 'chaos' },
    });
    if (referral.status !== 202) return undefined;
    stats.referrals += 1;
    const id = referral.body.journeyId as string;
    const path = `/journeys/${encodeURIComponent(id)}`;
    const detail = async () =>
      (await send('GET', path, lead)).body as {
        phase: string;
        coordinatorId: string | null;
        carePlan?: { actions: { id: string; completedAt?: string }[] } | null;
      };
    let commands = 0;
    const act = async (what: string, token: string, body: unknown | (() => unknown)) => {
      // One key per command, the same on every retry: a command the journey took in while the
      // answer was lost is not done twice.
      commands += 1;
      const r = await send('POST', `${path}/${what}`, token, body, 'application/json', {
        'idempotency-key': `chaos-${n}-${commands}`,
      });
      if (r.status === 200) stats.actions += 1;
    };
    const mine = async () => {
      const d = await detail();
      return coordinators.get(d.coordinatorId ?? '') ?? coordinators.values().next().value!;
    };
    let adt = 0;
    const hospital = async (event: 'A01' | 'A03') => {
      adt += 1;
      const controlId = `CHAOS-${nhsNumber}-${adt}`;
      const r = await send(
        'POST',
        '/adt',
        feed,
        () => adtMessage({ controlId, event, ...person, at: Date.now() }),
        'application/hl7-v2',
      );
      if (r.status === 200) stats.adtMessages += 1;
    };

    // Each step waits a while; some wait past the deadline, so the ladder climbs.
    while (Date.now() < end) {
      const d = await detail();
      // Closed, or the journey stopped answering (the check reports it).
      if (d.phase === 'closed' || d.phase === undefined) break;
      if (d.phase === 'triage') {
        await pause(between(0, 50_000));
        await act(
          'triage',
          lead,
          chance(0.9)
            ? { decision: 'accept', reason: 'meets criteria' }
            : { decision: 'decline', reason: 'not eligible', closeReason: 'ineligible' },
        );
      } else if (d.phase === 'assessment') {
        await pause(between(3_000, 80_000));
        await act('assessment', await mine(), {
          summary: 'holistic assessment',
          needs: [{ domain: 'physical', description: 'falls' }],
          livesAlone: chance(0.5),
        });
      } else if (d.phase === 'care-planning') {
        await pause(between(3_000, 50_000));
        const dueIn = between(30_000, 90_000);
        await act('care-plan', await mine(), () => ({
          goals: [{ id: 'g1', description: 'stay at home' }],
          actions: [
            { id: 'a1', description: 'home check', owner: 'OT', due: new Date(Date.now() + dueIn).toISOString() },
          ],
          agreedWithPatient: true,
        }));
      } else if (d.phase === 'active') {
        const roll = o.random();
        if (roll < 0.3) {
          await hospital('A01');
          await pause(between(5_000, 30_000));
          await hospital('A03');
          await pause(between(5_000, 60_000));
          await act('contacts', await mine(), { kind: 'post-discharge', channel: 'phone' });
        } else if (roll < 0.55 && d.carePlan?.actions.some((a) => !a.completedAt)) {
          await pause(between(0, 60_000));
          await act('actions/a1/complete', await mine(), {});
        } else if (roll < 0.85) {
          await pause(between(10_000, 90_000));
          await act('reviews', await mine(), {
            outcome: 'continue',
            notes: 'reviewed',
            ...(chance(0.3) ? { riskTier: 'high' } : {}),
          });
        } else if (roll < 0.92) {
          await act('close', await mine(), {
            reason: chance(0.5) ? 'goals-met' : 'moved-away',
            outcome: { goalsMet: 'some' },
          });
        } else await pause(between(10_000, 40_000));
      } else if (d.phase === 'in-hospital') {
        await pause(between(5_000, 20_000));
        await hospital('A03');
      } else await pause(2_000);
    }
    return id;
  }

  const ids = await Promise.all(Array.from({ length: o.journeys }, (_, n) => life(n)));
  return { journeyIds: ids.filter((id): id is string => !!id), stats };
}
