/**
 * `npm run docs:figures` — the latest figures in docs/performance.md and docs/reliability.md are
 * read from the results files, never typed by hand. Each results file renders into one generated
 * region of a doc, between `<!-- figures:NAME:start -->` and `<!-- figures:NAME:end -->`:
 *
 *   bench           docs/performance.md   bench/results/latest.json          (npm run bench)
 *   bench-afternoon docs/performance.md   bench/results/2026-12-02T13-03-50-038Z.json (one dated run, kept
 *                                         for its intake with the CPU to itself)
 *   chaos           docs/reliability.md   bench/results/reliability.json     (npm run chaos)
 *   simulated-year  docs/reliability.md   bench/results/simulated-year.json  (npm run simulate-year)
 *
 *   npx tsx scripts/docsFigures.ts           rewrite the regions in place
 *   npx tsx scripts/docsFigures.ts --check   exit 1, naming each stale region, if the docs differ
 *
 * `--root DIR` reads and writes under DIR instead of the repository (the tests use a copy). The
 * writers (bench/run.ts, scripts/chaos.ts, tests/simulation/simulatedYear.test.ts) call
 * `updateDocs` after writing the committed results file, so a new run updates the docs. Output is
 * deterministic: fixed order, fixed number formats, no clock.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Number formatting: fixed decimals, thousands grouped with a space (as the prose always was).

const group = (digits: string) =>
  [...digits].map((d, i) => (i > 0 && (digits.length - i) % 3 === 0 ? ` ${d}` : d)).join('');

/** `v` with exactly `decimals` decimals; the whole part grouped from four digits up ("5 838", "10 000"). */
export function num(v: number | undefined | null, decimals = 0): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  const fixed = Math.abs(v).toFixed(decimals);
  const [whole = '0', frac] = fixed.split('.');
  const sign = v < 0 && Number(fixed) !== 0 ? '−' : '';
  return `${sign}${whole.length >= 4 ? group(whole) : whole}${frac === undefined ? '' : `.${frac}`}`;
}

/** A latency: whole milliseconds from 100 ms up, one decimal below. */
const ms = (v: number | undefined | null) => (v === undefined || v === null ? '—' : `${num(v, v >= 100 ? 0 : 1)} ms`);
const seconds = (v: number | undefined | null) => (v === undefined || v === null ? '—' : `${num(v, 1)} s`);
const perSecond = (v: number | undefined | null) => (v === undefined || v === null ? '—' : `${num(v, 1)}/s`);
const ratio = (v: number | undefined | null) => num(v, 2);
const percent = (v: number | undefined | null) => (v === undefined || v === null ? '—' : `${num(v, 1)} %`);
const duration = (totalSeconds: number | undefined | null) => {
  if (totalSeconds === undefined || totalSeconds === null) return '—';
  const s = Math.round(totalSeconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
};
const met = (m: boolean) => (m ? 'met' : '**not met**');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** Where a results file came from: run date, commit and Node version if the file records them. */
function provenance(source: string, facts: { command?: string; date?: string; commit?: string; node?: string }) {
  return [
    `Read from \`${source}\` by \`npm run docs:figures\`; regenerate, do not edit by hand.`,
    [
      facts.command ? `Command: \`${facts.command}\`` : 'Command not recorded',
      facts.date ? `run ${facts.date}` : 'run date not recorded',
      facts.commit ? `commit ${facts.commit}` : 'commit not recorded',
      facts.node ? `Node ${facts.node}` : 'Node version not recorded',
    ].join(' · ') + '.',
  ];
}

// ---------------------------------------------------------------------------------------------
// bench/results/latest.json

interface Latency {
  n?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max?: number;
}
interface CpuPerCall {
  temporalServer?: number;
  dynamodbLocal?: number;
  worker?: number;
  apiAndBench?: number;
}
interface IntakeSide {
  perSecond?: number;
  latencyMs?: Latency;
  errors?: number;
  cpuMsPerCall?: CpuPerCall;
}
interface Measure {
  error?: string;
  headline?: { metric?: string; value?: number; unit?: string; latencyMs?: Latency; at?: { concurrency?: number } };
  floor?: { what?: string; value?: number; unit?: string; latencyMs?: Latency; events?: number };
  ratio?: number;
  ratioMeaning?: string;
  target?: { text?: string; met?: boolean | null };
  machineCpu?: { stealPercent?: number; iowaitPercent?: number };
  seconds?: number;
  // intake
  levels?: unknown[];
  // transitions
  adtPostMs?: Latency;
  programmesSignalledPerAdt?: number;
  // timers
  journeysHoldingOpenTimers?: number;
  firedInWorkflowMs?: Latency;
  pollMs?: number;
  // memory
  workflowCache?: number;
  warmed?: { openJourneys?: number; rssMiB?: number };
  growthBeyondCacheKiBPerJourney?: number;
  liveHeapGrowthBeyondCacheKiBPerJourney?: number;
  flatBeyondCache?: boolean;
  // replay
  runs?: number;
  events?: number;
  eventsPerRun?: number[];
  worstCacheMissMs?: number;
  // lists
  summaries?: number;
  overdue?: ListSide;
  caseload?: ListSide;
  overdueQueryDirectMs?: Latency;
  scans?: number;
  // read
  journeys?: number;
  populateSeconds?: number;
  temporalQueriesPerRead?: number;
  temporalCallsPerRead?: number;
  dynamodbCommandsPerRead?: number;
  dynamodbCommandsByName?: Record<string, number>;
  stateGzipBytes?: { mean?: number; max?: number };
  recordReadDirectMs?: Latency;
  getWithAccessLogPutMs?: Latency;
  // search
  people?: number;
  dynamodbCommandsPerSearch?: number;
}
interface ListSide {
  latencyMs?: Latency;
  queriesPerRequest?: number;
  itemsReadPerRequest?: { mean?: number; max?: number };
}
interface IntakeLevel {
  concurrency?: number;
  carepath?: IntakeSide;
  floor?: IntakeSide;
  floorWithConfirmation?: IntakeSide;
  ratio?: number;
}
interface MemoryLevel {
  openJourneys?: number;
  rssMiB?: number;
  peakRssMiB?: number;
  heapUsedMiB?: number;
  workflowHeapUsedMiB?: number;
  referralsPerSecond?: number;
}
export interface BenchResults {
  command?: string;
  mode?: string;
  startedAt?: string;
  wallSeconds?: number;
  commit?: string;
  machine?: {
    cpuModel?: string;
    cores?: number;
    memoryGiB?: number;
    cpuDuringRun?: { stealPercent?: number; iowaitPercent?: number };
  };
  versions?: { node?: string; temporalSdk?: string; temporalCli?: string; dynamoDbLocal?: string };
  measures?: Record<string, Measure | undefined>;
  measuredBy?: Record<string, { command?: string; startedAt?: string }>;
}

const MEASURE_ORDER = ['intake', 'transitions', 'timers', 'memory', 'replay', 'lists', 'read', 'search'];

function measureNames(r: BenchResults): string[] {
  const names = Object.keys(r.measures ?? {});
  return [...MEASURE_ORDER.filter((n) => names.includes(n)), ...names.filter((n) => !MEASURE_ORDER.includes(n)).sort()];
}

const lat = (l: Latency | undefined) => (l ? `p50 ${ms(l.p50)}, p99 ${ms(l.p99)}` : '—');

function benchRow(name: string, m: Measure): string[] {
  if (m.error !== undefined) return [name, `failed: ${m.error.split('\n')[0]}`, '', '', '', ''];
  const target =
    m.target?.met === null || m.target?.met === undefined
      ? (m.target?.text ?? '—')
      : `${m.target.text ?? '—'}: ${met(m.target.met)}`;
  const r = ratio(m.ratio);
  switch (name) {
    case 'intake': {
      const levels = (m.levels ?? []) as IntakeLevel[];
      const peak = levels.find((l) => l.concurrency === m.headline?.at?.concurrency);
      return [
        'intake: `POST /referrals`, peak',
        `**${perSecond(m.headline?.value)}** at c=${m.headline?.at?.concurrency ?? '—'} (${lat(peak?.carepath?.latencyMs)})`,
        `signal-with-start of an empty workflow: peak ${perSecond(m.floor?.value)}`,
        `${r} (higher is better)`,
        target,
      ];
    }
    case 'transitions':
      return [
        'transitions: A03 → post-discharge deadline visible',
        `${lat(m.headline?.latencyMs)} (${num(m.headline?.latencyMs?.n)} samples); \`POST /adt\` alone p50 ${ms(m.adtPostMs?.p50)}; ${m.programmesSignalledPerAdt ?? '—'} programmes signalled per message`,
        `signal → query on an empty workflow: ${lat(m.floor?.latencyMs)}`,
        r,
        target,
      ];
    case 'timers':
      return [
        `timers: due → inbox item, ${num(m.journeysHoldingOpenTimers)} journeys holding open timers`,
        `${lat(m.headline?.latencyMs)} (${num(m.headline?.latencyMs?.n)} probes, ${m.pollMs ?? '—'} ms poll); fired in the workflow p99 ${ms(m.firedInWorkflowMs?.p99)}`,
        `empty workflow's timer → one DynamoDB put: ${lat(m.floor?.latencyMs)}`,
        r,
        target,
      ];
    case 'memory':
      return [
        `memory: worker RSS per cached journey (cache ${num(m.workflowCache)})`,
        `**${num(m.headline?.value, 1)} KiB**; beyond the cache ${num(m.growthBeyondCacheKiBPerJourney, 2)} KiB RSS and ${num(m.liveHeapGrowthBeyondCacheKiBPerJourney, 2)} KiB live heap per journey (flat: ${m.flatBeyondCache === undefined ? '—' : m.flatBeyondCache ? 'yes' : '**no**'})`,
        `${num(m.floor?.value, 1)} KiB per cached empty workflow`,
        r,
        target,
      ];
    case 'replay':
      return [
        `replay of a 3-year journey (${m.runs ?? '—'} runs, ${num(m.events)} events)`,
        `**${num((m.headline?.value ?? NaN) / 1000, 2)} s**; worst single run ${num((m.worstCacheMissMs ?? NaN) / 1000, 2)} s`,
        `empty-workflow histories, ${num(m.floor?.events)} events: ${num((m.floor?.value ?? NaN) / 1000, 2)} s`,
        `${r} per event`,
        target,
      ];
    case 'lists':
      return [
        `lists: overdue list / caseload, ${num(m.summaries)} summaries`,
        `p99 **${ms(m.overdue?.latencyMs?.p99)} / ${ms(m.caseload?.latencyMs?.p99)}**; ${num(m.caseload?.itemsReadPerRequest?.max)} items read and ${m.caseload?.queriesPerRequest ?? '—'} Query per request, ${m.scans ?? '—'} Scans; the Query without HTTP p99 ${ms(m.overdueQueryDirectMs?.p99)}`,
        `one GetItem: ${lat(m.floor?.latencyMs)}`,
        r,
        target,
      ];
    case 'read': {
      const commands = Object.entries(m.dynamodbCommandsByName ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c]) => c.replace(/Command$/, ''))
        .join(', ');
      return [
        `read: \`GET /journeys/{id}\`, ${num(m.journeys)} recorded journeys`,
        `${lat(m.headline?.latencyMs)} (${num(m.headline?.latencyMs?.n)} reads); ${m.temporalQueriesPerRead ?? '—'} Temporal queries and ${m.dynamodbCommandsPerRead ?? '—'} DynamoDB ${m.dynamodbCommandsPerRead === 1 ? 'command' : 'commands'} per read (${commands || '—'}); state ${num((m.stateGzipBytes?.mean ?? NaN) / 1024, 1)} KiB gzipped on average; GetItem and the access log's PutItem without HTTP p99 ${ms(m.getWithAccessLogPutMs?.p99)}; the read without HTTP or the log p99 ${ms(m.recordReadDirectMs?.p99)}; recorded in ${duration(m.populateSeconds)}`,
        `one consistent GetItem of the state: ${lat(m.floor?.latencyMs)}`,
        r,
        target,
      ];
    }
    case 'search': {
      const commands = Object.entries(m.dynamodbCommandsByName ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([c, n]) => `${c.replace(/Command$/, '')} ${n}`)
        .join(', ');
      return [
        `search: \`GET /patients?nhsNumber=…\`, ${num(m.people)} people`,
        `${lat(m.headline?.latencyMs)} (${num(m.headline?.latencyMs?.n)} searches); ${m.dynamodbCommandsPerSearch ?? '—'} DynamoDB commands per search (${commands || '—'}), ${m.scans ?? '—'} Scans`,
        `one GetItem of a profile: ${lat(m.floor?.latencyMs)}`,
        r,
        target,
      ];
    }
    default:
      return [
        name,
        `${m.headline?.metric ?? ''}: **${num(m.headline?.value, 2)} ${m.headline?.unit ?? ''}**`,
        `${num(m.floor?.value, 2)} ${m.floor?.unit ?? ''}`,
        r,
        target,
      ];
  }
}

/** `only`: the measures to show (the rest are named as left out). */
export function renderBench(r: BenchResults, source = 'bench/results/latest.json', only?: string[]): string {
  const all = measureNames(r);
  const names = only ? all.filter((n) => only.includes(n)) : all;
  const left = all.filter((n) => !names.includes(n));
  const out: string[] = [
    ...provenance(source, {
      command: r.command,
      date: r.startedAt,
      commit: r.commit,
      node: r.versions?.node,
    }),
    '',
    `Machine: ${r.machine?.cpuModel ?? 'not recorded'}, ${r.machine?.cores ?? '—'} cores, ${num(r.machine?.memoryGiB, 1)} GiB; Temporal SDK ${r.versions?.temporalSdk ?? '—'}, DynamoDB Local ${r.versions?.dynamoDbLocal ?? '—'}.${left.length ? ` Not shown here: ${left.join(', ')}.` : ''}`,
    '',
  ];
  if (r.measuredBy) {
    out.push(
      'Which run measured each figure (with `--only`, the measures not run are carried over from the previous `latest.json`), and how much of the CPU the hypervisor took (steal) and the disk wait took during it (— where the run did not record it):',
      '',
      ...table(
        ['measure', 'run', 'started', 'steal', 'disk wait'],
        names.map((n) => {
          const by = r.measuredBy?.[n];
          const cpu = r.measures?.[n]?.machineCpu;
          return [
            n,
            by?.command ? `\`${by.command}\`` : '—',
            by?.startedAt ?? '—',
            percent(cpu?.stealPercent),
            percent(cpu?.iowaitPercent),
          ];
        }),
      ),
      '',
    );
  }
  out.push(
    ...table(
      ['measure', 'carepath', 'floor, same run', 'ratio to floor', 'target'],
      names.map((n) => {
        const m = r.measures?.[n];
        return m ? benchRow(n, m) : [n, 'not run', '', '', ''];
      }),
    ),
  );

  const intake = names.includes('intake') ? r.measures?.intake : undefined;
  const levels = (intake && intake.error === undefined ? (intake.levels ?? []) : []) as IntakeLevel[];
  if (levels.length > 0) {
    const cpu = (c: CpuPerCall | undefined) =>
      c ? `${num(c.temporalServer, 0)} / ${num(c.worker, 0)} / ${num(c.dynamodbLocal, 1)}` : '—';
    out.push(
      '',
      'Intake at each concurrency. CPU is milliseconds per referral per process (from `/proc`): Temporal server / worker / DynamoDB Local.',
      '',
      ...table(
        ['concurrency', 'carepath', 'carepath CPU', 'floor', 'floor CPU', 'ratio'],
        levels.map((l) => [
          `c=${l.concurrency ?? '—'}`,
          `${perSecond(l.carepath?.perSecond)} (${lat(l.carepath?.latencyMs)})`,
          cpu(l.carepath?.cpuMsPerCall),
          `${perSecond(l.floor?.perSecond)} (${lat(l.floor?.latencyMs)})`,
          cpu(l.floor?.cpuMsPerCall),
          ratio(l.ratio),
        ]),
      ),
    );
  }

  const memory = names.includes('memory') ? r.measures?.memory : undefined;
  const memLevels = (memory && memory.error === undefined ? (memory.levels ?? []) : []) as MemoryLevel[];
  if (memory && memLevels.length > 0) {
    const rows: string[][] = [];
    if (memory.warmed)
      rows.push([`${num(memory.warmed.openJourneys)} (warmed up)`, `${num(memory.warmed.rssMiB)} MiB`, '—', '—', '—']);
    for (const l of memLevels)
      rows.push([
        num(l.openJourneys),
        `${num(l.rssMiB)} MiB`,
        `${num(l.peakRssMiB)} MiB`,
        `${num(l.heapUsedMiB, 1)} / ${num(l.workflowHeapUsedMiB, 1)} MiB`,
        perSecond(l.referralsPerSecond),
      ]);
    out.push(
      '',
      'Worker memory after a GC in every thread, by open journeys; live heap is main thread / workflow threads; the populate rate is how fast the journeys were opened (sustained intake).',
      '',
      ...table(['open journeys', 'RSS', 'peak RSS', 'live heap', 'populated at'], rows),
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// bench/results/reliability.json (npm run chaos)

export interface ChaosResults {
  generatedAt?: string;
  commit?: string;
  machine?: { cpus?: number; cpuModel?: string; memoryGiB?: number; node?: string };
  settings?: {
    journeys?: number;
    workerKills?: number;
    dynamoDbOutageMs?: number;
    temporalDownMs?: number;
    graceMs?: number;
    seed?: number;
  };
  faults?: {
    workerKills?: number;
    workerUnplannedExits?: number;
    temporalRestarts?: number;
    dynamoDbOutages?: number;
    dynamoDbOutageSeconds?: number;
    journeyRepairs?: number;
    nondeterminismAlarms?: number;
  };
  load?: {
    referrals?: number;
    actions?: number;
    adtMessages?: number;
    retries?: number;
    conflicts?: number;
    unexpected?: number;
    gaveUp?: number;
  };
  checked?: {
    journeys?: number;
    auditEvents?: number;
    ladderSteps?: number;
    notifications?: number;
    recordEntries?: number;
    historiesReplayed?: number;
  };
  violations?: number;
  byInvariant?: Record<string, number>;
  durationSeconds?: number;
}

export function renderChaos(r: ChaosResults, source = 'bench/results/reliability.json'): string {
  const s = r.settings ?? {};
  const f = r.faults ?? {};
  const l = r.load ?? {};
  const c = r.checked ?? {};
  const byInvariant = Object.entries(r.byInvariant ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return [
    ...provenance(source, { command: 'npm run chaos', date: r.generatedAt, commit: r.commit, node: r.machine?.node }),
    '',
    `Machine: ${r.machine?.cpuModel ?? 'not recorded'}, ${r.machine?.cpus ?? '—'} CPUs, ${num(r.machine?.memoryGiB)} GiB. The run took ${duration(r.durationSeconds)}.`,
    '',
    ...table(
      ['', 'latest run'],
      [
        [
          'settings',
          `${num(s.journeys)} journeys, ${num(s.workerKills)} worker kills, Temporal down ${num((s.temporalDownMs ?? NaN) / 1000)} s, DynamoDB down ${num((s.dynamoDbOutageMs ?? NaN) / 1000)} s, ladder grace ${num((s.graceMs ?? NaN) / 1000)} s, seed ${s.seed ?? '—'}`,
        ],
        [
          'faults injected',
          `${num(f.workerKills)} worker kills (${num(f.workerUnplannedExits)} unplanned exits), ${num(f.temporalRestarts)} Temporal restart(s), ${num(f.dynamoDbOutages)} DynamoDB outage(s) totalling ${num(f.dynamoDbOutageSeconds)} s`,
        ],
        [
          'load',
          `${num(l.referrals)} referrals, ${num(l.actions)} actions, ${num(l.adtMessages)} ADT messages; ${num(l.retries)} calls retried, ${num(l.conflicts)} conflicts, ${num(l.unexpected)} unexpected answers, ${num(l.gaveUp)} calls given up after retrying`,
        ],
        [
          'checked',
          `${num(c.journeys)} journeys, ${num(c.auditEvents)} audit events, ${num(c.ladderSteps)} ladder steps, ${num(c.notifications)} notifications` +
            (c.recordEntries === undefined ? '' : `, ${num(c.recordEntries)} record entries`) +
            (c.historiesReplayed === undefined
              ? ''
              : `; ${num(c.historiesReplayed)} histories replayed from the start`),
        ],
        [
          'result',
          `**${num(r.violations)} violations**${byInvariant.length ? ` (${byInvariant.map(([k, v]) => `${k}: ${num(v)}`).join(', ')})` : ''}; ${f.nondeterminismAlarms !== undefined ? `${num(f.nondeterminismAlarms)} nondeterminism alarms` : `${num(f.journeyRepairs)} journey repairs needed`}`,
        ],
      ],
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// bench/results/simulated-year.json (npm run simulate-year)

interface OnTime {
  met?: number;
  onTime?: number;
  rate?: number;
}
export interface SimulatedYearResults {
  command?: string;
  generatedAt?: string;
  commit?: string;
  seed?: number;
  journeys?: number;
  journeysByProgramme?: Record<string, number>;
  simulatedDays?: number;
  eventsSent?: { total?: number; byType?: Record<string, number> };
  auditEvents?: number;
  ladderStepsFired?: number;
  inboxRecords?: number;
  journeysContinuedAsNew?: number;
  openAtYearEnd?: number;
  violations?: number;
  divergences?: number;
  metricsMismatches?: number;
  maxSlotSeconds?: number;
  wallSeconds?: number;
  machine?: { cpus?: number; cpuModel?: string; node?: string; temporalSdk?: string };
  programmes?: {
    programmeId?: string;
    actual?: {
      referrals?: { total?: number };
      onTime?: Record<string, OnTime | undefined>;
      postDischargeContact?: { discharges?: number; rate?: number };
      readmissions?: { admissions?: number; within30Days?: number };
      hospital?: { deaths?: number; transfers?: number; attendances?: number };
      contactAttempts?: number;
      closures?: { total?: number };
    };
    mismatches?: unknown[];
  }[];
}

export function renderSimulatedYear(r: SimulatedYearResults, source = 'bench/results/simulated-year.json'): string {
  const sorted = (o: Record<string, number> | undefined) =>
    Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const rate = (o: OnTime | undefined) => (o ? `${num((o.rate ?? NaN) * 100, 0)} % of ${num(o.met)}` : '—');
  const programmes = [...(r.programmes ?? [])].sort((a, b) => (a.programmeId ?? '').localeCompare(b.programmeId ?? ''));
  return [
    ...provenance(source, { command: r.command, date: r.generatedAt, commit: r.commit, node: r.machine?.node }),
    '',
    `Machine: ${r.machine?.cpuModel ?? 'not recorded'}, ${r.machine?.cpus ?? '—'} CPUs; Temporal SDK ${r.machine?.temporalSdk ?? '—'}. The run took ${duration(r.wallSeconds)}.`,
    '',
    ...table(
      ['', 'latest run'],
      [
        [
          'journeys',
          `${num(r.journeys)} over ${num(r.simulatedDays)} simulated days, seed ${r.seed ?? '—'}: ${sorted(
            r.journeysByProgramme,
          )
            .map(([p, n]) => `${p} ${num(n)}`)
            .join(', ')}`,
        ],
        [
          'events sent',
          `${num(r.eventsSent?.total)}: ${sorted(r.eventsSent?.byType)
            .map(([t, n]) => `${t} ${num(n)}`)
            .join(', ')}`,
        ],
        [
          'recorded',
          `${num(r.auditEvents)} audit events, ${num(r.ladderStepsFired)} ladder steps fired, ${num(r.inboxRecords)} inbox records; ${num(r.journeysContinuedAsNew)} journeys continued as new; ${num(r.openAtYearEnd)} open at year end`,
        ],
        [
          'result',
          `**${num(r.violations)} violations, ${num(r.divergences)} divergences, ${num(r.metricsMismatches)} metric mismatches**`,
        ],
        ['slowest simulated slot', seconds(r.maxSlotSeconds)],
      ],
    ),
    '',
    "Each programme's `/metrics` for the year, as the journeys reported them (each equal to the generator's own record unless mismatches says otherwise):",
    '',
    ...table(
      [
        'programme',
        'referrals',
        'assessment on time',
        'care plan on time',
        'reviews on time',
        'post-discharge contact in window',
        'readmissions within 30 days',
        'deaths in hospital / transfers / day cases',
        'contact attempts',
        'closures',
        'mismatches',
      ],
      programmes.map((p) => [
        p.programmeId ?? '—',
        num(p.actual?.referrals?.total),
        rate(p.actual?.onTime?.assessment),
        rate(p.actual?.onTime?.['care-plan']),
        rate(p.actual?.onTime?.review),
        `${num((p.actual?.postDischargeContact?.rate ?? NaN) * 100, 0)} % of ${num(p.actual?.postDischargeContact?.discharges)}`,
        `${num(p.actual?.readmissions?.within30Days)} of ${num(p.actual?.readmissions?.admissions)}`,
        p.actual?.hospital
          ? `${num(p.actual.hospital.deaths)} / ${num(p.actual.hospital.transfers)} / ${num(p.actual.hospital.attendances)}`
          : '—',
        p.actual?.contactAttempts === undefined ? '—' : num(p.actual.contactAttempts),
        num(p.actual?.closures?.total),
        num(p.mismatches?.length ?? NaN),
      ]),
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Regions

export interface Region {
  /** Marker name: `<!-- figures:NAME:start -->`. */
  name: string;
  doc: string;
  source: string;
  render: (results: never, source: string) => string;
}

export const REGIONS: readonly Region[] = [
  { name: 'bench', doc: 'docs/performance.md', source: 'bench/results/latest.json', render: renderBench },
  {
    name: 'bench-afternoon',
    doc: 'docs/performance.md',
    source: 'bench/results/2026-12-02T13-03-50-038Z.json',
    // Its memory levels were only a warm-up (1 000 journeys opened before intake, as in the full run).
    render: (r: BenchResults, source: string) => renderBench(r, source, ['intake', 'transitions']),
  },
  { name: 'chaos', doc: 'docs/reliability.md', source: 'bench/results/reliability.json', render: renderChaos },
  {
    name: 'simulated-year',
    doc: 'docs/reliability.md',
    source: 'bench/results/simulated-year.json',
    render: renderSimulatedYear,
  },
];

const markers = (name: string) => ({ start: `<!-- figures:${name}:start -->`, end: `<!-- figures:${name}:end -->` });

/** The region's full text, markers included. */
export function renderRegion(region: Region, results: unknown): string {
  const { start, end } = markers(region.name);
  return `${start}\n${(region.render as (r: unknown, s: string) => string)(results, region.source)}\n${end}`;
}

/** Replaces the region in `text`; throws if its markers are missing, repeated or out of order. */
export function replaceRegion(text: string, name: string, rendered: string): string {
  const { start, end } = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0 || j < i || text.indexOf(start, i + 1) >= 0 || text.indexOf(end, j + 1) >= 0)
    throw new Error(`region figures:${name} needs exactly one ${start} followed by one ${end}`);
  return text.slice(0, i) + rendered + text.slice(j + end.length);
}

/** Each results file's parsed content, keyed by its source path; `overrides` replace any of them. */
export function readResults(root: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    REGIONS.map((r) => [
      r.source,
      r.source in overrides ? overrides[r.source] : JSON.parse(readFileSync(join(root, r.source), 'utf8')),
    ]),
  );
}

/** What every doc should say, given the results (read from `root` unless given). */
export function renderDocs(root: string, results = readResults(root)): Map<string, string> {
  const docs = new Map<string, string>();
  for (const region of REGIONS) {
    const current = docs.get(region.doc) ?? readFileSync(join(root, region.doc), 'utf8');
    docs.set(region.doc, replaceRegion(current, region.name, renderRegion(region, results[region.source])));
  }
  return docs;
}

export interface StaleRegion {
  doc: string;
  region: string;
  source: string;
}

/** The regions whose text differs from what their results file says (or whose markers are broken). */
export function checkDocs(root: string, results = readResults(root)): StaleRegion[] {
  const stale: StaleRegion[] = [];
  for (const region of REGIONS) {
    const text = readFileSync(join(root, region.doc), 'utf8');
    const { start, end } = markers(region.name);
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    const found = i >= 0 && j > i ? text.slice(i, j + end.length) : undefined;
    if (found !== renderRegion(region, results[region.source]))
      stale.push({ doc: region.doc, region: `figures:${region.name}`, source: region.source });
  }
  return stale;
}

/** Rewrites the regions in place; returns the docs that changed. */
export function updateDocs(root = repoRoot): string[] {
  const changed: string[] = [];
  for (const [doc, text] of renderDocs(root)) {
    const path = join(root, doc);
    if (readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    changed.push(doc);
  }
  return changed;
}

/**
 * For the writers to record in their results: the commit the run was made from (12 hex digits,
 * `-dirty` when tracked files had changes), or undefined outside a git checkout.
 */
export function sourceCommit(root = repoRoot): string | undefined {
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0 || !head.stdout.trim()) return undefined;
  return `${head.stdout.trim()}${git('diff', '--quiet', 'HEAD').status === 0 ? '' : '-dirty'}`;
}

/**
 * For the writers: regenerate after writing `written`, if it is one of the committed results
 * files. A failure is reported, not thrown: the results are written either way, and the drift test
 * (tests/scripts/docsFigures.test.ts) then names the stale region.
 */
export function updateDocsAfterWriting(written: string, root = repoRoot): string[] {
  if (!REGIONS.some((r) => resolve(root, r.source) === resolve(written))) return [];
  try {
    return updateDocs(root);
  } catch (error) {
    process.stderr.write(`docs:figures: could not rewrite the docs' figures: ${(error as Error).message}\n`);
    return [];
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? resolve(args[rootAt + 1] ?? '.') : repoRoot;
  if (args.includes('--check')) {
    const stale = checkDocs(root);
    for (const s of stale)
      process.stderr.write(
        `docs:figures: ${s.doc} region ${s.region} is stale: it differs from ${s.source}; run npm run docs:figures\n`,
      );
    if (stale.length > 0) process.exit(1);
    process.stdout.write(`docs:figures: ${REGIONS.length} regions match their results files\n`);
  } else {
    const changed = updateDocs(root);
    process.stdout.write(`docs:figures: ${changed.length ? `rewrote ${changed.join(', ')}` : 'nothing to change'}\n`);
  }
}
