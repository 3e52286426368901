/**
 * `npm start` as a person uses it: it comes up, serves the API, stops everything on Ctrl-C, and
 * started again on the same data directory carries every journey on — including a deadline that
 * fell due while it was stopped, whose ladder steps then fire once each.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { freePort } from '../../scripts/localServices.js';

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start', () => {
  it('runs the platform, stops cleanly, and resumes every journey and due deadline on restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carepath-start-'));
    // A programme whose assessment falls due 25 seconds after the referral.
    const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
    const quick = {
      ...frailty,
      deadlines: { ...frailty.deadlines, assessment: { urgent: 'PT25S', routine: 'PT25S' } },
      escalation: [
        { at: '-PT10S', notify: 'coordinator', kind: 'reminder' },
        { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
      ],
    };
    const programmes = join(dataDir, 'programmes.yaml');
    writeFileSync(programmes, stringify({ programmes: [quick] }));
    const ports = { api: await freePort(), dynamo: await freePort(), temporal: await freePort(), ui: await freePort() };
    const env = {
      ...process.env,
      CAREPATH_DATA_DIR: dataDir,
      CAREPATH_PROGRAMMES: programmes,
      PORT: String(ports.api),
      CAREPATH_DYNAMODB_PORT: String(ports.dynamo),
      CAREPATH_TEMPORAL_PORT: String(ports.temporal),
      CAREPATH_TEMPORAL_UI_PORT: String(ports.ui),
    };
    delete (env as Record<string, string | undefined>).TEMPORAL_ADDRESS;

    const start = async (): Promise<{ child: ChildProcess; output: () => string }> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 120_000;
      while (!output.includes('carepath is running')) {
        if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      return { child, output: () => output };
    };
    const stop = async (child: ChildProcess) => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    };
    const base = `http://127.0.0.1:${ports.api}`;
    const json = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as Record<string, unknown> };
    };
    const tokenFor = async (sub: string, role: string, teams: string[]) =>
      (await json('/auth/dev-token', { method: 'POST', body: JSON.stringify({ sub, role, teams }) })).body.token as string;

    let run = await start();
    expect(run.output()).toContain(`API             http://127.0.0.1:${ports.api}`);
    expect(run.output()).toContain(`Temporal Web UI http://127.0.0.1:${ports.ui}`);
    expect((await json('/health')).body).toEqual({ status: 'ok', temporal: 'up', dynamodb: 'up' });
    const gp = await tokenFor('gp-1', 'referrer', []);
    const referral = await json('/referrals', {
      method: 'POST',
      headers: { authorization: `Bearer ${gp}` },
      body: JSON.stringify({
        patient: { nhsNumber: '9434765919', givenName: 'Jane', familyName: 'Doe', birthDate: '1940-01-01', postcode: 'TQ1 2AB' },
        programme: 'frailty-virtual-ward',
        source: 'gp',
        reason: 'falls',
        urgency: 'routine',
        conditions: ['falls', 'copd', 'heart failure'],
        livesAlone: true,
        admissionsLast12Months: 2,
        consent: { given: true, recordedBy: 'GP' },
      }),
    });
    expect(referral.status).toBe(202);
    const journeyId = referral.body.journeyId as string;
    const referredAt = Date.now();
    await stop(run.child);
    for (const port of Object.values(ports)) expect(await answers(port), `port ${port} still open after Ctrl-C`).toBe(false);

    // The assessment falls due while everything is stopped.
    await new Promise((r) => setTimeout(r, Math.max(0, referredAt + 30_000 - Date.now())));
    run = await start();
    try {
      const lead = await tokenFor('lead-raj', 'team-lead', ['south-devon-1']);
      const journey = await json(`/journeys/${journeyId}`, { headers: { authorization: `Bearer ${lead}` } });
      expect(journey.body).toMatchObject({ id: journeyId, phase: 'assessment' });
      const coordinator = journey.body.coordinatorId as string;
      const mine = await tokenFor(coordinator, 'coordinator', ['south-devon-1']);
      const ladder = async () =>
        ((await json('/inbox', { headers: { authorization: `Bearer ${mine}` } })).body.items as { journeyId: string; kind: string }[])
          .filter((i) => i.journeyId === journeyId)
          .map((i) => i.kind)
          .sort();
      await expect.poll(ladder, { timeout: 30_000, interval: 500 }).toEqual(['overdue', 'reminder']);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await ladder()).toEqual(['overdue', 'reminder']); // once each, not again
    } finally {
      await stop(run.child);
    }
  }, 300_000);
});
