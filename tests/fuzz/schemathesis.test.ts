/**
 * API fuzzing with schemathesis (PyPI, pinned in scripts/schemathesis.ts) against the OpenAPI
 * document the app serves, on the real stack, signed in as each role in turn. Schemathesis
 * generates valid and invalid requests for every operation and checks each answer: never a 5xx,
 * only documented status codes and content types, and bodies that match the documented schemas.
 *
 * The document is the served one with example values added for path and query parameters (a
 * real journey id, a real team), so the examples phase reaches the 200 answers of journey
 * routes — random ids alone would only ever meet 404s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { parseProgrammes } from '../../config/programmeFiles.js';
import { roles } from '../../lambdas/auth.js';
import { SCHEMATHESIS_VERSION, schemathesisCommand } from '../../scripts/schemathesis.js';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';
import { useApiStack } from '../support/apiStack.js';
import { recordFigures } from './figures.js';

const api = useApiStack(() => parseProgrammes({ programmes: builtInProgrammes }, 'built-in'), {
  codec: new EncryptionCodec(parseCodecKeys(`fuzz:${newCodecKey()}`)),
});

/** Who each role signs in as: people the configuration names, so inboxes and caseloads have content. */
const people: Record<string, { sub: string; teams: string[] }> = {
  coordinator: { sub: 'coord-ana', teams: ['south-devon-1'] },
  'team-lead': { sub: 'lead-raj', teams: ['south-devon-1'] },
};

const MAX_EXAMPLES = Number(process.env.CAREPATH_FUZZ_EXAMPLES ?? 12);
const PHASES = 'examples,fuzzing';
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];

interface RunResult {
  role: string;
  exitCode: number;
  output: string;
  requests: number;
  failures: number;
}

function runSchemathesis(
  command: { command: string; args: string[] },
  args: string[],
  cwd: string,
): Promise<{ exitCode: number; output: string }> {
  // Asynchronous on purpose: the API under test answers from this same process.
  return new Promise((resolve, reject) => {
    // Its working folder takes the Hypothesis database and reports, so they stay out of the repository.
    const child = spawn(command.command, [...command.args, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', PYTHONIOENCODING: 'utf-8' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, output }));
  });
}

/** Counts from the NDJSON event stream schemathesis writes: every response it checked, and the failures. */
function countEvents(path: string): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<
      string,
      { recorder?: { interactions?: Record<string, unknown>; checks?: Record<string, { status: string }[]> } }
    >;
    const recorder = event.ScenarioFinished?.recorder;
    if (!recorder) continue;
    requests += Object.keys(recorder.interactions ?? {}).length;
    for (const checks of Object.values(recorder.checks ?? {}))
      failures += checks.filter((c) => c.status.toUpperCase() === 'FAILURE').length;
  }
  return { requests, failures };
}

describe('schemathesis against /openapi.json', () => {
  it(
    'finds no server error and no answer outside the documented contract, for any role',
    { timeout: 300_000 },
    async () => {
      const { base, call, token } = api.get();
      const command = await schemathesisCommand();

      // Something to find: a journey (whose triage reminder lands in the lead's inbox).
      const made = await call('POST', '/referrals', {
        token: await token('gp-1', 'referrer'),
        json: {
          // Middling risk: it waits for triage (not declined, not accepted outright), so it stays open.
          patient: {
            nhsNumber: '9434765919',
            givenName: 'Ann',
            familyName: 'Lee',
            birthDate: '1948-04-04',
            postcode: 'TQ5 9AA',
          },
          programme: 'frailty-virtual-ward',
          source: 'gp',
          reason: 'frailty',
          urgency: 'routine',
          conditions: ['copd'],
          admissionsLast12Months: 1,
          consent: { given: true, recordedBy: 'GP' },
        },
      });
      expect(made).toMatchObject({ status: 202, body: { phase: 'triage' } });
      const { journeyId } = made.body as { journeyId: string };
      // The triage reminder goes to the lead's inbox: wait for it, so the inbox answer has an item to check.
      const lead = await token('lead-raj', 'team-lead', ['south-devon-1']);
      await expect
        .poll(async () => ((await call('GET', '/inbox', { token: lead })).body as { items: unknown[] }).items.length, {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);

      const served = await call('GET', '/openapi.json');
      expect(served.status).toBe(200);
      const document = served.body as {
        paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[] }>>;
      };
      const examples: Record<string, string> = {
        id: journeyId,
        actionId: 'a1',
        team: 'south-devon-1',
        programme: 'frailty-virtual-ward',
        limit: '5',
        phase: 'triage',
        from: '2026-01-01T00:00:00Z',
      };
      for (const operations of Object.values(document.paths))
        for (const operation of Object.values(operations))
          for (const p of operation.parameters ?? []) if (examples[p.name]) p.schema.examples = [examples[p.name]];
      const dir = mkdtempSync(join(tmpdir(), 'carepath-schemathesis-'));
      const schemaFile = join(dir, 'openapi.json');
      writeFileSync(schemaFile, JSON.stringify(document));

      const runs: RunResult[] = [];
      const started = performance.now();
      const runRole = async (role: string) => {
        const who = people[role] ?? { sub: `${role}-1`, teams: [] };
        const bearer = await token(who.sub, role, who.teams);
        const events = join(dir, `${role}.ndjson`);
        const { exitCode, output } = await runSchemathesis(
          command,
          [
            'run',
            schemaFile,
            '--url',
            base,
            '--header',
            `Authorization: Bearer ${bearer}`,
            '--checks',
            CHECKS.join(','),
            '--phases',
            PHASES,
            '--max-examples',
            String(MAX_EXAMPLES),
            '--seed',
            '8',
            '--workers',
            process.env.CAREPATH_FUZZ_WORKERS ?? '1',
            '--no-shrink',
            '--suppress-health-check',
            'all',
            '--request-timeout',
            '30',
            '--report',
            'ndjson',
            '--report-ndjson-path',
            events,
          ],
          dir,
        );
        runs.push({ role, exitCode, output, ...countEvents(events) });
        writeFileSync(join(dir, `${role}.log`), output);
      };
      // Two roles at a time: schemathesis and the stack share two cores.
      const queue = [...roles];
      await Promise.all(
        [0, 1].map(async () => {
          for (let role = queue.shift(); role; role = queue.shift()) await runRole(role);
        }),
      );

      const summary = runs.map((r) => ({
        role: r.role,
        requests: r.requests,
        failures: r.failures,
        exitCode: r.exitCode,
      }));
      console.log(`[schemathesis] reports in ${dir}`);
      recordFigures('schemathesis', {
        version: SCHEMATHESIS_VERSION,
        maxExamples: MAX_EXAMPLES,
        phases: PHASES,
        checks: CHECKS,
        operations: Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0),
        requests: runs.reduce((n, r) => n + r.requests, 0),
        failures: runs.reduce((n, r) => n + r.failures, 0),
        seconds: Math.round((performance.now() - started) / 100) / 10,
        runs: summary,
      });
      for (const r of runs) {
        // The report's last lines name each failing check, the request and how to reproduce it.
        expect(r.exitCode, `${r.role}:\n${r.output.slice(-6000)}`).toBe(0);
        expect(r.failures, r.role).toBe(0);
        expect(r.requests, `${r.role} made too few requests to mean anything`).toBeGreaterThan(100);
      }
      expect(runs.map((r) => r.role).sort()).toEqual([...roles].sort());
    },
  );
});
