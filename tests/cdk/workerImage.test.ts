/**
 * The worker's container image, without Docker: the Dockerfile's build step (scripts/buildWorker.ts)
 * is run for real, and what it produces is started the way the image's CMD starts it, against a
 * real Temporal dev server — it must report healthy through the HEALTHCHECK script, and stop
 * cleanly (exit 0) on SIGTERM, as ECS stops a task.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IgnoreStrategy } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startTemporalDevServer, type Service } from '../../scripts/localServices.js';
import { buildWorker, WORKER_NODE_MAJOR, workerArtifacts } from '../../scripts/buildWorker.js';
import { startLocalTable, type LocalTable } from '../support/dynamoDbLocal.js';
import { createStaffDirectory } from '../../activities/staffDirectory.js';
import { loadProgrammes } from '../../config/programmeFiles.js';
import { staffFromProgrammes } from '../../domain/staff.js';
import { API_NODE_RUNTIME } from '../../cdk/api.js';

const root = resolve(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const runtimeStage = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));

/**
 * The image each stage starts from, as Docker resolves it: the ARG defaults declared before the
 * first FROM substituted, flags (`--platform=…`) and the stage name dropped. A stage built on an
 * earlier stage names no image and is left out.
 */
function baseImagesOf(lines: string[]): string[] {
  const firstFrom = lines.findIndex((l) => l.startsWith('FROM '));
  const args = new Map(
    lines
      .slice(0, firstFrom)
      .map((l) => /^ARG (\w+)=(\S+)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of lines.filter((l) => l.startsWith('FROM '))) {
    const [image, as, stage] = line
      .split(/\s+/)
      .slice(1)
      .filter((w) => !w.startsWith('--'));
    const resolved = image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args.get((a ?? b)!) ?? '');
    if (!stages.has(resolved)) images.push(resolved);
    if (as?.toUpperCase() === 'AS' && stage) stages.add(stage);
  }
  return images;
}

/** An official Node image pinned by its index digest: `node:<major>[.<minor>.<patch>]-<variant>@sha256:<64 hex>`. */
const PINNED_NODE_IMAGE = /^node:(\d+)(?:\.\d+\.\d+)?-[a-z0-9-]+@sha256:[0-9a-f]{64}$/;

/** Inside node_modules, so the externalised packages resolve as they do under /app in the image. */
const outDir = join(root, 'node_modules', '.cache', 'carepath', 'worker-image-test', 'dist');

describe('the Dockerfile', () => {
  it('runs the Node major .nvmrc pins in every stage, and the build step this test runs', () => {
    const images = baseImagesOf(instructions);
    expect(images).toHaveLength(3);
    for (const image of images) {
      expect(Number(PINNED_NODE_IMAGE.exec(image)?.[1]), image).toBe(WORKER_NODE_MAJOR);
      expect(image).toMatch(/-bookworm-slim@/);
    }
    expect(instructions.filter((l) => l.startsWith('FROM ')).every((l) => l.startsWith('FROM ${NODE_IMAGE}'))).toBe(
      true,
    );
    expect(instructions).toContain('RUN npx tsx scripts/buildWorker.ts dist');
    // The API's Lambda runs the same major as the worker image and the tests.
    expect(API_NODE_RUNTIME.name).toBe(`nodejs${WORKER_NODE_MAJOR}.x`);
    expect(WORKER_NODE_MAJOR).toBe(Number(process.versions.node.split('.')[0]));
  });

  it('starts every stage from a base image pinned by digest, so a moved tag cannot change what runs', () => {
    const pinned = (image: string) => PINNED_NODE_IMAGE.test(image);
    expect(baseImagesOf(instructions).every(pinned)).toBe(true);
    // What the check refuses: a tag alone, a digest cut short, a digest with no tag to read.
    const digest = 'a'.repeat(64);
    const tagged = (image: string) =>
      baseImagesOf([`ARG NODE_IMAGE=${image}`, 'FROM ${NODE_IMAGE} AS build', 'FROM build']);
    expect(tagged(`node:24-bookworm-slim@sha256:${digest}`)).toEqual([`node:24-bookworm-slim@sha256:${digest}`]);
    for (const image of [
      'node:24-bookworm-slim',
      `node:24-bookworm-slim@sha256:${digest.slice(1)}`,
      `node@sha256:${digest}`,
    ])
      expect(tagged(image).every(pinned), image).toBe(false);
    expect(baseImagesOf(['FROM --platform=linux/arm64 node:24-bookworm-slim']).every(pinned)).toBe(false);
  });

  it('starts the built worker as a non-root user, in exec form, with the pre-built workflow bundle and a health check', () => {
    const user = runtimeStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtimeStage.at(-1)).toBe(`CMD ["node", "--enable-source-maps", "dist/${workerArtifacts.worker}"]`);
    expect(runtimeStage.join('\n')).toContain(`CAREPATH_WORKFLOW_BUNDLE=/app/dist/${workerArtifacts.workflowBundle}`);
    expect(runtimeStage.find((l) => l.startsWith('HEALTHCHECK '))).toMatch(
      new RegExp(`CMD \\["node", "/app/dist/${workerArtifacts.healthcheck}"\\]$`),
    );
    expect(runtimeStage).toContain('COPY --from=build /src/dist ./dist');
  });

  it('has a .dockerignore that sends what the build copies and nothing of node_modules, local data or the dashboard', () => {
    const ignore = IgnoreStrategy.docker(root, readFileSync(join(root, '.dockerignore'), 'utf8').split('\n'));
    const copied = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(5);
    for (const path of [...copied, 'worker/main.ts', 'workflows/index.ts', 'domain/programme.ts'])
      expect(ignore.ignores(join(root, path)), path).toBe(false);
    for (const path of [
      'node_modules/zod/package.json',
      '.data/temporal.db',
      'cdk.out/manifest.json',
      'dashboard/src/main.tsx',
      'tests/cdk/workerImage.test.ts',
      '.git/HEAD',
    ]) {
      expect(ignore.ignores(join(root, path)), path).toBe(true);
    }
  });
});

describe('the image build step and what it produces', () => {
  let temporal: Service | undefined;
  // The worker seeds the staff directory before it polls (HAZ-30), so it needs its table.
  let table: LocalTable | undefined;
  let worker: ChildProcess | undefined;
  let built: { sourceFolders: string[] } = { sourceFolders: [] };
  const healthFile = join(outDir, '..', 'worker.alive');
  const healthcheck = () =>
    spawnSync(process.execPath, [join(outDir, workerArtifacts.healthcheck)], {
      env: { ...process.env, CAREPATH_HEALTH_FILE: healthFile },
    }).status;

  beforeAll(async () => {
    rmSync(join(outDir, '..'), { recursive: true, force: true });
    const port = await freePort();
    [temporal, built, table] = await Promise.all([
      startTemporalDevServer(inject('toolchain'), { port, uiPort: await freePort() }),
      buildWorker(outDir),
      startLocalTable(),
    ]);
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await Promise.all([temporal?.stop(), table?.service.stop()]);
  });

  it('builds the workflow bundle, the worker and the health check', () => {
    for (const file of Object.values(workerArtifacts)) expect(existsSync(join(outDir, file)), file).toBe(true);
    expect(readFileSync(join(outDir, workerArtifacts.workflowBundle), 'utf8')).toContain('careJourney');
  });

  it('is built in the image from folders the Dockerfile copies: every folder the worker imports from', () => {
    const copiedFolders = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .map((l) => l.split(/\s+/)[1]!.replace(/\/$/, ''));
    expect(built.sourceFolders).toEqual(
      expect.arrayContaining(['activities', 'domain', 'temporal', 'worker', 'workflows']),
    );
    for (const folder of built.sourceFolders)
      expect(copiedFolders, `the Dockerfile does not COPY ${folder}/`).toContain(folder);
  });

  it('runs: seeds the staff directory, is healthy while polling, then drains and exits 0 on SIGTERM', async () => {
    expect(healthcheck()).toBe(1);
    const output: string[] = [];
    worker = spawn(process.execPath, [join(outDir, workerArtifacts.worker)], {
      cwd: join(outDir, '..'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: `127.0.0.1:${temporal!.port}`,
        TEMPORAL_NAMESPACE: 'default',
        CAREPATH_WORKFLOW_BUNDLE: join(outDir, workerArtifacts.workflowBundle),
        CAREPATH_HEALTH_FILE: healthFile,
        CAREPATH_TABLE: table!.tableName,
        CAREPATH_DYNAMODB_ENDPOINT: table!.endpoint,
        AWS_REGION: 'eu-west-2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (b: Buffer) => output.push(b.toString()));
    worker.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<number | null>((done) => worker!.once('exit', (code) => done(code)));

    await expect.poll(() => healthcheck(), { timeout: 30_000, interval: 250 }).toBe(0);
    // Healthy only once the directory has the programme file's people (here the built-in examples').
    const people = staffFromProgrammes(loadProgrammes({}));
    const directory = createStaffDirectory(table!.doc, table!.tableName);
    for (const person of people) expect(await directory.member(person.staffId), person.staffId).toBeDefined();
    worker.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000)),
    ]);
    expect(code, output.join('')).toBe(0);
    expect(healthcheck()).toBe(1);
  });
});
