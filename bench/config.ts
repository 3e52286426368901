/** Bench sizes: three presets (full, --quick, --tiny for the smoke test) and per-knob overrides. */
export interface Sizes {
  intake: { concurrency: number[]; secondsPerLevel: number };
  transitions: { samples: number };
  memory: {
    levels: number[];
    workflowCache: number;
    floorWorkflows: number;
    populateConcurrency: number;
    /** --max-old-space-size for the worker process (0: Node's default). */ workerHeapMiB: number;
  };
  timers: { probes: number; spreadSeconds: number; leadSeconds: number; pollMs: number };
  replay: { years: number; repeats: number };
  lists: { summaries: number; teams: number; coordinatorsPerTeam: number; requests: number };
  read: { journeys: number; teams: number; coordinatorsPerTeam: number; requests: number; populateConcurrency: number };
  search: { people: number; teams: number; requests: number };
  /** A simulated year of this many journeys, run for its Temporal cost (bench/measures/cost.ts). */
  cost: { journeys: number; seed: number };
}

export const measureNames = [
  'lists',
  'read',
  'search',
  'intake',
  'transitions',
  'memory',
  'timers',
  'replay',
  'cost',
] as const;
export type MeasureName = (typeof measureNames)[number];

export const presets: Record<'full' | 'quick' | 'tiny', Sizes> = {
  full: {
    intake: { concurrency: [1, 4, 16, 32], secondsPerLevel: 15 },
    // p99 of 300 samples is the third-worst, not (as with 100) the second-worst: one stall moves it less.
    transitions: { samples: 300 },
    // Timers run once the second level (10 000 journeys) is open.
    memory: {
      levels: [1000, 10_000, 50_000],
      workflowCache: 1000,
      floorWorkflows: 1000,
      populateConcurrency: 32,
      workerHeapMiB: 0,
    },
    // Probes are all referred before the first falls due, so intake does not compete with firing.
    timers: { probes: 200, spreadSeconds: 40, leadSeconds: 60, pollMs: 50 },
    replay: { years: 3, repeats: 3 },
    lists: { summaries: 100_000, teams: 20, coordinatorsPerTeam: 10, requests: 500 },
    // 1 000 reads: p99 is the tenth-worst.
    read: { journeys: 100_000, teams: 10, coordinatorsPerTeam: 4, requests: 1000, populateConcurrency: 16 },
    search: { people: 100_000, teams: 10, requests: 1000 },
    cost: { journeys: 300, seed: 20260101 },
  },
  // Under three minutes on a busy two-core VM (it took 220 s with a three-year replay, five-second
  // intake levels and 400 journeys). Two and a quarter years still continue as new once.
  quick: {
    intake: { concurrency: [1, 8], secondsPerLevel: 3 },
    transitions: { samples: 10 },
    memory: {
      levels: [100, 200, 300],
      workflowCache: 100,
      floorWorkflows: 100,
      populateConcurrency: 16,
      workerHeapMiB: 0,
    },
    timers: { probes: 20, spreadSeconds: 5, leadSeconds: 8, pollMs: 50 },
    replay: { years: 2.25, repeats: 1 },
    lists: { summaries: 5000, teams: 10, coordinatorsPerTeam: 10, requests: 100 },
    read: { journeys: 5000, teams: 10, coordinatorsPerTeam: 4, requests: 200, populateConcurrency: 16 },
    search: { people: 5000, teams: 10, requests: 200 },
    cost: { journeys: 60, seed: 20260101 },
  },
  tiny: {
    intake: { concurrency: [1, 4], secondsPerLevel: 1 },
    transitions: { samples: 3 },
    memory: { levels: [12, 24, 30], workflowCache: 12, floorWorkflows: 12, populateConcurrency: 8, workerHeapMiB: 0 },
    timers: { probes: 3, spreadSeconds: 1, leadSeconds: 4, pollMs: 50 },
    replay: { years: 0.1, repeats: 1 },
    lists: { summaries: 200, teams: 4, coordinatorsPerTeam: 4, requests: 20 },
    read: { journeys: 50, teams: 2, coordinatorsPerTeam: 2, requests: 20, populateConcurrency: 8 },
    search: { people: 60, teams: 2, requests: 20 },
    cost: { journeys: 12, seed: 7 },
  },
};

export interface Options {
  mode: 'full' | 'quick' | 'tiny';
  sizes: Sizes;
  outDir: string;
  only: MeasureName[];
  seed: number;
}

const numbers = (v: string) => v.split(',').map((x) => Number(x.trim()));

/** `--quick`, `--tiny`, `--out <dir>`, `--only a,b`, `--seed n`, and `--<measure>.<knob> <value>` (e.g. `--memory.levels 1000,5000`). */
export function parseArgs(argv: string[], defaultOut: string): Options {
  const mode = argv.includes('--tiny') ? 'tiny' : argv.includes('--quick') ? 'quick' : 'full';
  const sizes = structuredClone(presets[mode]) as Sizes;
  let outDir = defaultOut;
  let only: MeasureName[] = [...measureNames];
  let seed = 20261123;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--quick' || arg === '--tiny') continue;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    i += 1;
    if (arg === '--out') outDir = value;
    else if (arg === '--seed') seed = Number(value);
    else if (arg === '--only') {
      only = value.split(',') as MeasureName[];
      const unknown = only.filter((m) => !measureNames.includes(m));
      if (unknown.length) throw new Error(`unknown measure ${unknown.join(', ')}; known: ${measureNames.join(', ')}`);
    } else {
      const m = /^--(\w+)\.(\w+)$/.exec(arg);
      const group = m ? (sizes as unknown as Record<string, Record<string, unknown>>)[m[1]!] : undefined;
      if (!m || !group || !(m[2]! in group)) throw new Error(`unknown option ${arg}`);
      const current = group[m[2]!];
      group[m[2]!] = Array.isArray(current) ? numbers(value) : Number(value);
      if ([group[m[2]!]].flat().some((x) => !Number.isFinite(x as number)))
        throw new Error(`${arg} takes numbers, not ${value}`);
    }
  }
  return { mode, sizes, outDir, only, seed };
}
