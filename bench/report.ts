/** The results file: machine, versions, settings and every measure; plus a short markdown table. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINS, type Toolchain } from '../scripts/toolchain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface MeasureResult {
  description: string;
  headline: { metric: string; value: number; unit: string };
  floor: { what: string; value: number; unit: string };
  ratio: number;
  ratioMeaning: string;
  target: { text: string; met: boolean | null };
  [more: string]: unknown;
}

export function machine() {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** The whole machine's CPU counters (/proc/stat), to say afterwards how much of it the bench had. */
export function cpuCounters(): { steal: number; iowait: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { steal, iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return undefined; // not Linux
  }
}

/**
 * Shares of the machine's CPU time between two readings: `stealPercent` is time the hypervisor
 * gave to other guests (a virtual machine's noisy neighbours), `iowaitPercent` time spent idle
 * waiting for the disk. High values explain slow floors and wide p99s better than our code can.
 */
export function cpuShares(from: ReturnType<typeof cpuCounters>, to: ReturnType<typeof cpuCounters> = cpuCounters()) {
  if (!from || !to || to.total <= from.total) return undefined;
  const pct = (a: number, b: number) => Math.round(((b - a) / (to.total - from.total)) * 1000) / 10;
  return { stealPercent: pct(from.steal, to.steal), iowaitPercent: pct(from.iowait, to.iowait) };
}

export function versions(toolchain: Toolchain) {
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const cli = spawnSync(toolchain.temporalCli, ['--version'], { encoding: 'utf8' });
  return {
    node: process.version,
    temporalCli: (cli.stdout || cli.stderr || '').trim() || PINS.temporalCli,
    temporalSdk: pkg('@temporalio/worker'),
    temporalTestServer: PINS.temporalTestServer,
    dynamoDbLocal: PINS.dynamoDbLocal,
    awsSdk: pkg('@aws-sdk/client-dynamodb'),
    hono: pkg('hono'),
  };
}

const fmt = (v: number, unit: string) => `${v} ${unit}`;

export function markdown(results: {
  measuredBy?: Record<string, { command: string; startedAt: string }>;
  command: string;
  startedAt: string;
  wallSeconds: number;
  machine: ReturnType<typeof machine> & { loadAverage1mAtEnd: number; cpuDuringRun?: ReturnType<typeof cpuShares> };
  versions: ReturnType<typeof versions>;
  measures: Partial<Record<string, MeasureResult | { error: string }>>;
}): string {
  const rows = Object.entries(results.measures).map(([name, m]) => {
    if (!m) return `| ${name} | not run | | | | |`;
    if ('error' in m) return `| ${name} | failed: ${String(m.error).split('\n')[0]} | | | | |`;
    const met = m.target.met === null ? '—' : m.target.met ? 'yes' : '**no**';
    return `| ${name} | ${m.headline.metric}: **${fmt(m.headline.value, m.headline.unit)}** | ${fmt(m.floor.value, m.floor.unit)} (${m.floor.what}) | ${m.ratio} | ${m.target.text} | ${met} |`;
  });
  const v = results.versions;
  return [
    `# carepath bench — ${results.startedAt}`,
    '',
    `\`${results.command}\` · ${results.wallSeconds} s · ${results.machine.cpuModel}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB · load ${results.machine.loadAverage1mAtStart} → ${results.machine.loadAverage1mAtEnd}${results.machine.cpuDuringRun ? ` · CPU stolen by the hypervisor ${results.machine.cpuDuringRun.stealPercent} %, waiting on disk ${results.machine.cpuDuringRun.iowaitPercent} %` : ''}`,
    `Node ${v.node} · ${v.temporalCli} · Temporal SDK ${v.temporalSdk} · DynamoDB Local ${v.dynamoDbLocal}`,
    '',
    '| measure | carepath | floor (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...(results.measuredBy && new Set(Object.values(results.measuredBy).map((r) => r.command)).size > 1
      ? [
          'Measured by more than one run:',
          ...Object.entries(results.measuredBy).map(([m, r]) => `- ${m}: \`${r.command}\` (${r.startedAt})`),
          '',
        ]
      : []),
    'Ratios: intake is carepath ÷ floor (higher is better); the others are carepath ÷ floor (lower is better). Details in latest.json; what each measures and what limits it in bench/README.md.',
    '',
  ].join('\n');
}

/**
 * With `--only`, the measures not run are carried over from the previous latest.json (each keeps
 * the command and start time of the run that measured it, and its floor from that same run).
 */
export function carryOver(
  outDir: string,
  results: Parameters<typeof markdown>[0] & { measuredBy?: Record<string, { command: string; startedAt: string }> },
  ran: string[],
): void {
  const measuredBy: Record<string, { command: string; startedAt: string }> = Object.fromEntries(
    ran.map((m) => [m, { command: results.command, startedAt: results.startedAt }]),
  );
  const previousPath = join(outDir, 'latest.json');
  if (existsSync(previousPath)) {
    const previous = JSON.parse(readFileSync(previousPath, 'utf8')) as typeof results;
    for (const [name, m] of Object.entries(previous.measures)) {
      if (ran.includes(name) || !m || 'error' in m) continue;
      results.measures[name] = m;
      measuredBy[name] = previous.measuredBy?.[name] ?? { command: previous.command, startedAt: previous.startedAt };
    }
  }
  results.measuredBy = measuredBy;
}

export function write(
  outDir: string,
  results: Parameters<typeof markdown>[0],
): { json: string; dated: string; md: string } {
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(results, null, 2);
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const paths = {
    json: join(outDir, 'latest.json'),
    dated: join(outDir, `${stamp}.json`),
    md: join(outDir, 'latest.md'),
  };
  writeFileSync(paths.json, `${json}\n`);
  writeFileSync(paths.dated, `${json}\n`);
  writeFileSync(paths.md, markdown(results));
  return paths;
}
