/**
 * `npm run audit:prod`: `npm audit --omit=dev` — no high or critical advisory against a production
 * dependency (what ships in the Lambda bundle and the worker image). Fails closed: an audit that
 * cannot run is not a pass. It is not part of `npm test` because it needs a registry that serves
 * npm's advisory endpoint, which some mirrors (this project's build machine's among them) answer
 * with 405; run it wherever that endpoint is reachable (release pipelines, developer machines).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface AuditReport {
  metadata?: {
    vulnerabilities?: Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>;
    dependencies?: { prod?: number };
  };
  vulnerabilities?: Record<
    string,
    { severity: string; via: (string | { title?: string; url?: string })[]; range?: string; fixAvailable?: unknown }
  >;
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  statusCode?: number;
}

export function npmAudit(): Promise<{ code: number; report: AuditReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let report: AuditReport = {};
      try {
        report = JSON.parse(stdout) as AuditReport;
      } catch {
        report = { message: stdout.slice(0, 500) };
      }
      resolve({ code: code ?? -1, report, stderr });
    });
  });
}

/** What is wrong with an audit report: nothing when it ran over a production tree and found no high or critical advisory. */
export function auditProblems(report: AuditReport, stderr = ''): string[] {
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const why = [
      report.message ?? report.error?.summary ?? '',
      stderr.split('\n').find((l) => /audit|error/i.test(l)) ?? '',
    ]
      .join(' ')
      .trim();
    return [`npm audit did not run, so production dependencies are unaudited: ${why}`];
  }
  if (!report.metadata?.dependencies?.prod) return ['npm audit saw no production dependencies'];
  const serious = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
    .map(
      ([name, v]) =>
        `${name} (${v.severity}, ${v.range ?? ''}): ${v.via.map((x) => (typeof x === 'string' ? x : `${x.title} ${x.url}`)).join('; ')}`,
    );
  if (serious.length === 0 && counts.high + counts.critical > 0)
    serious.push(`${counts.high} high and ${counts.critical} critical advisories`);
  return serious;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { report, stderr } = await npmAudit();
  const problems = auditProblems(report, stderr);
  for (const p of problems) console.error(`audit: ${p}`);
  if (problems.length === 0)
    console.log(`audit: ${report.metadata?.dependencies?.prod} production dependencies, no high or critical advisory`);
  process.exit(problems.length ? 1 : 0);
}
