/**
 * The quarterly report as the Lambda runs it: bundled by esbuild exactly as cdk/api.ts bundles the
 * handler, with the fonts copied beside it as the CDK app copies them, and run by Node from a
 * folder with no node_modules anywhere above it. A library that reads its own files at run time
 * (PDFKit's built-in fonts do) fails here, not in production.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ESBUILD } from '../../cdk/api.js';
import { copyReportFonts } from '../../lambdas/reportFonts.js';

const root = resolve(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'carepath-bundled-report-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the quarterly report in the Lambda bundle', () => {
  it('renders from an esbuild bundle with no node_modules, its fonts beside it', async () => {
    await build({
      entryPoints: [join(root, 'lambdas', 'quarterlyReport.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: API_ESBUILD.target,
      mainFields: API_ESBUILD.mainFields,
      banner: { js: API_ESBUILD.banner },
      minify: API_ESBUILD.minify,
      outfile: join(out, 'index.mjs'),
      logLevel: 'silent',
    });
    for (const command of copyReportFonts(out)) execSync(command);
    const input = {
      programme: { id: 'p', name: 'Siân’s programme' },
      teams: [{ id: 't', name: 'Team Zoë' }],
      quarter: {
        id: '2026-27-Q1',
        label: 'Q1 2026/27',
        months: 'April to June 2026',
        from: '2026-03-31T23:00:00Z',
        to: '2026-06-30T23:00:00Z',
      },
      metrics: {
        period: { from: '', to: '' },
        referrals: { total: 9, bySource: { gp: 9 } },
        referralToAssessmentDays: { count: 0, median: null, p90: null },
        onTime: {
          assessment: { met: 0, onTime: 0, rate: null },
          'care-plan': { met: 0, onTime: 0, rate: null },
          review: { met: 0, onTime: 0, rate: null },
        },
        postDischargeContact: { discharges: 0, contactedInWindow: 0, rate: null },
        readmissions: { admissions: 0, within30Days: 0 },
        hospital: { deaths: 0, transfers: 0, attendances: 0 },
        contactAttempts: 0,
        escalationsByLevel: { '0': 0, '1': 0, '2': 0 },
        closures: {
          total: 0,
          byReason: {},
          byGoalsMet: {},
          placeOfDeathAchieved: { yes: 0, no: 0, deaths: 0, notRecorded: 0, rate: null },
        },
        outcomes: [],
        admissionsBeforeAfter: {
          of: 0,
          measured: 0,
          completeness: null,
          before: 0,
          after: 0,
          afterAll: 0,
          meanBefore: null,
          meanAfter: null,
        },
        caseloadDays: [],
      },
      smallNumbersBelow: 5,
      generatedAt: '2026-07-02T09:00:00Z',
    };
    const script = `
      const { quarterlyReportPdf } = await import(${JSON.stringify(join(out, 'index.mjs'))});
      const input = JSON.parse(process.argv[1]);
      input.generatedAt = new Date(input.generatedAt);
      input.quarter.from = new Date(input.quarter.from);
      input.quarter.to = new Date(input.quarter.to);
      const pdf = await quarterlyReportPdf(input);
      process.stdout.write(pdf.subarray(0, 5).toString() + ' ' + pdf.length);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(input)], {
      cwd: out,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^%PDF- \d{4,}$/);
    // The bundle reads nothing from a package: no node_modules path survives in it.
    expect(readFileSync(join(out, 'index.mjs'), 'utf8')).not.toContain('node_modules/@expo-google-fonts');
  });
});
