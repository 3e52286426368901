/**
 * `npm run seed -- --patients 500`: a realistic demo population across the programmes, at every
 * stage — waiting for triage, being assessed, active with care plans, in hospital, recently
 * discharged, closed, and some referred weeks ago whose assessments are overdue (each has sent its
 * overdue notice; a deadline opened already overdue escalates a day later).
 * Everything goes through the public API (dev sign-in) and the ADT endpoint, never into tables.
 * Seeded, so the same command makes the same people.
 */
import { loadProgrammes } from '../config/programmeFiles.js';
import { nhsCheckDigit } from '../domain/nhsNumber.js';
import { adtMessage } from './adtMessage.js';
import type { Programme } from '../domain/programme.js';
import { seededRandom } from './seededRandom.js';

type Stage = 'triage' | 'assessment' | 'care-planning' | 'active' | 'in-hospital' | 'discharged' | 'closed' | 'overdue';
const stages: [Stage, number][] = [
  ['triage', 2],
  ['assessment', 2],
  ['care-planning', 1],
  ['active', 4],
  ['in-hospital', 1],
  ['discharged', 1],
  ['closed', 1],
  ['overdue', 1],
];

const given = [
  'Ada',
  'Albert',
  'Beryl',
  'Colin',
  'Doreen',
  'Edna',
  'Frank',
  'Gwen',
  'Harold',
  'Iris',
  'Jean',
  'Kenneth',
  'Lilian',
  'Maurice',
  'Nora',
  'Owen',
  'Peggy',
  'Ronald',
  'Sylvia',
  'Trevor',
];
const family = [
  'Adams',
  'Bennett',
  'Clarke',
  'Davies',
  'Evans',
  'Fletcher',
  'Griffiths',
  'Hughes',
  'Iqbal',
  'Jones',
  'Khan',
  'Lewis',
  'Morgan',
  'Nowak',
  'Okafor',
  'Price',
  'Roberts',
  'Singh',
  'Thomas',
  'Walsh',
];
const conditionsByProgramme: Record<string, string[]> = {
  'palliative-care-home': ['cancer', 'heart failure', 'motor neurone disease', 'copd'],
  'dementia-home': ['dementia', 'falls', 'delirium', 'diabetes'],
  'complex-mental-health': ['psychosis', 'bipolar disorder', 'substance misuse', 'homelessness', 'self-harm'],
  'frailty-virtual-ward': ['falls', 'heart failure', 'copd', 'dementia', 'parkinsons', 'diabetes'],
  'community-resource-team': ['stroke', 'diabetes', 'chronic kidney disease', 'falls', 'copd'],
};
const ageRange: Record<string, [number, number]> = {
  'palliative-care-home': [55, 95],
  'dementia-home': [68, 96],
  'complex-mental-health': [20, 70],
  'frailty-virtual-ward': [75, 99],
  'community-resource-team': [45, 95],
};

/** NHS numbers from the 999 range kept for testing, with valid check digits. */
export function* testNhsNumbers(start: number) {
  for (let n = start; ; n += 1) {
    const stem = `999${String(n).padStart(6, '0')}`;
    const check = nhsCheckDigit(stem);
    if (check !== undefined) yield `${stem}${check}`;
  }
}

export interface SeedOptions {
  api: string;
  patients: number;
  seed?: number;
  programmes?: Programme[];
  concurrency?: number;
  log?: (line: string) => void;
}

export async function seed(opts: SeedOptions): Promise<Record<string, number>> {
  const random = seededRandom(opts.seed ?? 20261123);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const programmes = opts.programmes ?? loadProgrammes();
  const tokens = new Map<string, Promise<string>>();
  const token = (sub: string, role: string, teams: string[] = []) => {
    const key = `${sub}|${role}|${teams.join(',')}`;
    if (!tokens.has(key))
      tokens.set(
        key,
        call('POST', '/auth/dev-token', undefined, { sub, role, teams }).then(
          (r) => (r.body as { token: string }).token,
        ),
      );
    return tokens.get(key)!;
  };
  async function call(method: string, path: string, bearer?: string, json?: unknown, hl7?: string) {
    const response = await fetch(`${opts.api}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        'content-type': hl7 ? 'application/hl7-v2' : 'application/json',
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : hl7 ? { body: hl7 } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an HL7 acknowledgement
    }
    if (response.status >= 500 || response.status === 401)
      throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, body };
  }

  const nhs = testNhsNumbers(Math.floor(random() * 500_000));
  const weights = stages.flatMap(([stage, w]) => Array<Stage>(w).fill(stage));
  const tally: Record<string, number> = {};
  const DAY = 86_400_000;

  const people = Array.from({ length: opts.patients }, (_, i) => {
    const programme = programmes[i % programmes.length]!;
    const team = pick(programme.teams);
    const [lo, hi] = ageRange[programme.id] ?? [65, 95];
    const age = lo + Math.floor(random() * (hi - lo));
    return {
      programme,
      team,
      stage: pick(weights),
      nhsNumber: nhs.next().value!,
      givenName: pick(given),
      familyName: pick(family),
      birthDate: `${new Date().getUTCFullYear() - age}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
      postcode: team.postcodes?.length ? `${pick(team.postcodes)} ${1 + Math.floor(random() * 9)}AB` : 'ZZ99 3WZ',
      conditions: [
        ...new Set(
          Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
            pick(conditionsByProgramme[programme.id] ?? ['frailty']),
          ),
        ),
      ],
      livesAlone: random() < 0.4,
      admissions: Math.floor(random() * 4),
      carerStrain: random() < 0.3,
      merge: random() < 0.1,
      urgent: random() < 0.25,
      closeReason: pick(['goals-met', 'moved-away', 'deceased', 'withdrawn'] as const),
    };
  });

  async function one(p: (typeof people)[number], index: number): Promise<string> {
    const gp = await token('gp-demo', 'referrer');
    const referral = {
      patient: {
        nhsNumber: p.nhsNumber,
        givenName: p.givenName,
        familyName: p.familyName,
        birthDate: p.birthDate,
        postcode: p.postcode,
      },
      programme: p.programme.id,
      teamId: p.team.id,
      source: pick(['gp', 'hospital', 'social-care', 'community', 'voluntary', 'self']),
      referrer: {
        name: 'Demo referrer',
        organisation: pick(['Riverside Surgery', 'District General Hospital', 'Adult Social Care', 'Age UK']),
      },
      reason: `Demo referral ${index + 1}: ${p.conditions.join(', ')}`,
      urgency: p.urgent ? 'urgent' : 'routine',
      conditions: p.conditions,
      livesAlone: p.livesAlone,
      carer: p.livesAlone
        ? undefined
        : { relationship: pick(['daughter', 'son', 'wife', 'husband', 'friend']), strain: p.carerStrain },
      admissionsLast12Months: p.admissions,
      consent: { given: true, recordedBy: 'Demo referrer' },
      ...(p.stage === 'overdue' ? { referredAt: new Date(Date.now() - 20 * DAY).toISOString() } : {}),
    };
    const made = await call('POST', '/referrals', gp, referral);
    if (made.status !== 202) throw new Error(`referral refused: ${JSON.stringify(made.body).slice(0, 300)}`);
    const { journeyId, phase } = made.body as { journeyId: string; phase: string };
    if (p.merge)
      await call('POST', '/referrals', gp, {
        ...referral,
        source: 'community',
        reason: 'Second referral from the community team',
      });
    if (phase === 'closed') return 'closed (ineligible)';
    const lead = await token(p.team.leads[0]!, 'team-lead', [p.team.id]);
    const path = `/journeys/${encodeURIComponent(journeyId)}`;
    if (p.stage === 'triage' && phase === 'triage') return 'triage';
    if (phase === 'triage')
      await call('POST', `${path}/triage`, lead, { decision: 'accept', reason: 'Meets the programme criteria (demo)' });
    if (p.stage === 'overdue') return 'assessment overdue';
    // The journey names its co-ordinator a moment after acceptance.
    let coordinatorId: string | null = null;
    for (let i = 0; i < 100 && !coordinatorId; i += 1) {
      coordinatorId = ((await call('GET', path, lead)).body as { coordinatorId: string | null }).coordinatorId;
      if (!coordinatorId) await new Promise((r) => setTimeout(r, 100));
    }
    if (!coordinatorId) return 'unassigned';
    const coordinator = await token(coordinatorId, 'coordinator', [p.team.id]);
    if (p.stage === 'assessment') return 'assessment';
    await call('POST', `${path}/assessment`, coordinator, {
      summary: 'Holistic assessment at home (demo)',
      needs: [{ domain: 'physical', description: p.conditions.join(', ') }],
      carer: p.livesAlone ? { present: false } : { present: true, strain: p.carerStrain, assessmentOffered: true },
    });
    if (p.stage === 'care-planning') return 'care-planning';
    await call('POST', `${path}/care-plan`, coordinator, {
      goals: [
        { id: 'home', description: 'Stay well at home' },
        { id: 'carer', description: 'Carer supported' },
      ],
      actions: [
        {
          id: 'meds',
          description: 'Medication review',
          owner: 'pharmacist',
          due: new Date(Date.now() + (3 + Math.floor(random() * 20)) * DAY).toISOString(),
        },
        {
          id: 'equip',
          description: 'Equipment assessment',
          owner: 'OT',
          due: new Date(Date.now() + (5 + Math.floor(random() * 30)) * DAY).toISOString(),
        },
      ],
      agreedWithPatient: true,
      agreedWithCarer: !p.livesAlone,
    });
    const feed = await token('tie-1', 'integration');
    const adt = (id: string, event: 'A01' | 'A03', at: number) =>
      adtMessage({
        controlId: id,
        event,
        nhsNumber: p.nhsNumber,
        familyName: p.familyName,
        givenName: p.givenName,
        at,
      });
    if (p.stage === 'in-hospital') {
      await call('POST', '/adt', feed, undefined, adt(`DEMO-${p.nhsNumber}-1`, 'A01', Date.now() - 2 * DAY));
      return 'in-hospital';
    }
    if (p.stage === 'discharged') {
      await call('POST', '/adt', feed, undefined, adt(`DEMO-${p.nhsNumber}-1`, 'A01', Date.now() - 6 * DAY));
      await call('POST', '/adt', feed, undefined, adt(`DEMO-${p.nhsNumber}-2`, 'A03', Date.now() - 4 * DAY));
      return 'discharged (contact overdue)';
    }
    if (p.stage === 'closed') {
      await call('POST', `${path}/close`, lead, {
        reason: p.closeReason,
        outcome: {
          goalsMet: pick(['all', 'some', 'none']),
          ...(p.programme.recordsPlaceOfDeath ? { placeOfDeathAchieved: random() < 0.7 } : {}),
        },
      });
      return `closed (${p.closeReason})`;
    }
    return 'active';
  }

  // A few at a time: enough to be quick, few enough not to swamp a laptop.
  const queue = people.map((p, i) => [p, i] as const);
  const workers = Array.from({ length: opts.concurrency ?? 6 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = await one(next[0], next[1]);
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
  });
  await Promise.all(workers);
  opts.log?.(
    `seeded ${opts.patients} people: ${Object.entries(tally)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  return tally;
}

if (process.argv[1]?.endsWith('seed.ts')) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  seed({
    api: arg('api') ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`,
    patients: Number(arg('patients') ?? 200),
    log: console.log,
  }).catch((error: unknown) => {
    console.error(`seed: ${(error as Error).message} (is npm start running, with CAREPATH_DEV_AUTH=1?)`);
    process.exit(1);
  });
}
