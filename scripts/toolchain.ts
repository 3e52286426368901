/**
 * Installs the real components carepath runs against — the Temporal CLI (dev server + Web UI),
 * the Java time-skipping test server and DynamoDB Local — pinned, into a cache outside the
 * repository, and reuses them when present. `npm test` and `npm start` call this first, so a
 * fresh machine needs nothing but Go, Java 17+ and Maven (which build or fetch them). The tests
 * also need a headless Chromium for the dashboard: Debian's package, installed with apt-get.
 *
 * Run directly: `npm run toolchain` (prints the paths it resolved).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every pinned version in one place. */
export const PINS = {
  temporalCli: '1.5.1', // newer tags carry a `replace` directive that `go install` refuses
  temporalTestServer: '1.38.0', // io.temporal:temporal-test-server on Maven Central
  dynamoDbLocal: '3.1.0', // software.amazon.dynamodb:DynamoDBLocal on Maven Central
} as const;

export interface Toolchain {
  /** The `temporal` CLI binary (`temporal server start-dev`). */
  temporalCli: string;
  /** Executable wrapper around the Java time-skipping test server; takes `<port>`. */
  temporalTestServer: string;
  /** Classpath folder and native-library folder for DynamoDB Local. */
  dynamoDbLocal: { classpath: string; libraryPath: string; mainClass: string };
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export const cacheDir = resolve(process.env.CAREPATH_CACHE ?? join(homedir(), '.cache', 'carepath'));

export class MissingPrerequisite extends Error {}

function log(message: string): void {
  process.stderr.write(`[toolchain] ${message}\n`);
}

function has(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.status === 0;
}

function requireCommand(command: string, args: string[], why: string, install: string): void {
  if (!has(command, args)) {
    throw new MissingPrerequisite(`${command} is not installed: it is needed to ${why}. ${install}`);
  }
}

/** Runs a build step, streaming its output so a slow first build shows progress. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        lines += 1;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        // Enough to see it moving without flooding CI logs.
        if (lines % 25 === 1) log(`  … ${line.trim().slice(0, 120)}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}

/** Builds into a scratch folder and renames it into place, so an interrupted build never looks complete. */
async function installOnce(target: string, what: string, build: (scratch: string) => Promise<void>): Promise<void> {
  if (existsSync(join(target, '.complete'))) return;
  mkdirSync(cacheDir, { recursive: true });
  const scratch = mkdtempSync(join(cacheDir, '.building-'));
  const started = Date.now();
  log(`installing ${what} into ${target} (first time only)…`);
  try {
    await build(scratch);
    writeFileSync(join(scratch, '.complete'), new Date().toISOString());
    rmSync(target, { recursive: true, force: true });
    renameSync(scratch, target);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  log(`installed ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function ensureTemporalCli(): Promise<string> {
  const target = join(cacheDir, `temporal-cli-${PINS.temporalCli}`);
  await installOnce(target, `Temporal CLI ${PINS.temporalCli} (go install)`, async (scratch) => {
    requireCommand(
      'go',
      ['version'],
      'build the Temporal CLI (dev server)',
      'Install Go 1.22 or newer (https://go.dev/doc/install, or `apt-get install golang`).',
    );
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${PINS.temporalCli}`], {
      env: strictGoEnv(process.env, scratch),
    });
  });
  return join(target, 'temporal');
}

/**
 * Go with its checksum database on and nothing exempt from it, whatever the machine's own settings:
 * every module is checked against sum.golang.org (reached through the module proxy), and one it
 * does not vouch for stops the build.
 */
export function strictGoEnv(env: NodeJS.ProcessEnv, gobin: string): NodeJS.ProcessEnv {
  return {
    ...env,
    GOBIN: gobin,
    GOSUMDB: 'sum.golang.org',
    GONOSUMDB: '',
    GOPRIVATE: '',
    GOINSECURE: '',
    GOFLAGS: '-mod=readonly',
    CGO_ENABLED: '0',
  };
}

/**
 * Maven resolving one artifact's runtime dependencies, refusing any whose checksum does not match
 * (`--strict-checksums`; Maven only warns by default).
 */
export const mavenFetchArgs = [
  '-B',
  '--no-transfer-progress',
  '--strict-checksums',
  'dependency:copy-dependencies',
  '-DoutputDirectory=lib',
  '-DincludeScope=runtime',
];

/** A throwaway Maven project whose only job is to resolve one artifact and its dependencies. */
async function fetchFromMaven(scratch: string, groupId: string, artifactId: string, version: string): Promise<void> {
  requireCommand(
    'java',
    ['-version'],
    `run ${artifactId}`,
    'Install Java 17 or newer (`apt-get install openjdk-17-jre-headless`).',
  );
  requireCommand('mvn', ['-v'], `fetch ${artifactId} from Maven Central`, 'Install Maven (`apt-get install maven`).');
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>carepath.toolchain</groupId>
  <artifactId>fetch-${artifactId}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;
  writeFileSync(join(scratch, 'pom.xml'), pom);
  await run('mvn', mavenFetchArgs, { cwd: scratch });
}

/**
 * Our fixes to the test server, as patches to its own source (see scripts/testServerPatch/README.md).
 * They are compiled over the released jar; the cache folder is named after their digest, so a
 * changed patch is rebuilt.
 */
const testServerPatchDir = join(repoRoot, 'scripts', 'testServerPatch');
const testServerPatches = (): string[] =>
  readdirSync(testServerPatchDir)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => join(testServerPatchDir, f));

async function ensureTemporalTestServer(): Promise<string> {
  const patches = testServerPatches();
  const digest = createHash('sha256');
  for (const patch of patches) digest.update(readFileSync(patch));
  digest.update(testServerJvmOptions('').join(' ')); // how it is run is part of what is installed
  const target = join(cacheDir, `temporal-test-server-${PINS.temporalTestServer}-${digest.digest('hex').slice(0, 10)}`);
  await installOnce(
    target,
    `Temporal time-skipping test server ${PINS.temporalTestServer} (Maven), with carepath's patches`,
    async (scratch) => {
      requireCommand(
        'javac',
        ['-version'],
        'compile the test server patches',
        'Install a Java 17 JDK (`apt-get install openjdk-17-jdk-headless`).',
      );
      await fetchFromMaven(scratch, 'io.temporal', 'temporal-test-server', PINS.temporalTestServer);
      await run(
        'mvn',
        [
          '-B',
          '--no-transfer-progress',
          'dependency:copy',
          `-Dartifact=io.temporal:temporal-test-server:${PINS.temporalTestServer}:jar:sources`,
          '-DoutputDirectory=sources',
        ],
        { cwd: scratch },
      );
      const sourcesJar = join(scratch, 'sources', `temporal-test-server-${PINS.temporalTestServer}-sources.jar`);
      const source = join(scratch, 'patched-source');
      mkdirSync(source);
      const patchedFiles = patches.flatMap((patch) =>
        [...readFileSync(patch, 'utf8').matchAll(/^\+\+\+ b\/(\S+)/gm)].map((m) => m[1]!),
      );
      await run('jar', ['xf', sourcesJar, ...new Set(patchedFiles)], { cwd: source });
      for (const patch of patches) {
        // `git apply` works as a plain patch tool outside a repository; the ceiling keeps it from
        // finding one above the cache.
        await run('git', ['apply', '--verbose', patch], {
          cwd: source,
          env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(source) },
        });
      }
      const classpath = `${join(scratch, 'lib')}/*`;
      await run(
        'javac',
        [
          '-nowarn',
          '-encoding',
          'UTF-8',
          '--release',
          '17',
          '-cp',
          classpath,
          '-d',
          join(scratch, 'patched-classes'),
        ].concat([...new Set(patchedFiles)]),
        { cwd: source },
      );
      // CDS archives take jars, not folders.
      await run('jar', ['cf', join(scratch, 'carepath-patches.jar'), '-C', join(scratch, 'patched-classes'), '.'], {});
      const wrapper = join(scratch, 'temporal-test-server');
      // The SDK starts this with `<port>` (plus any extra args); the final path is known once
      // renamed. The patched classes come first, so they stand in for the jar's own.
      writeFileSync(wrapper, `#!/bin/sh\nexec java ${testServerJvmOptions(target).join(' ')} "$@"\n`);
      chmodSync(wrapper, 0o755);
    },
  );
  await ensureStartupArchive(target);
  return join(target, 'temporal-test-server');
}

/**
 * sdk-core gives the test server a fixed 5 s to start listening, and every workflow test file
 * starts one or more. On two busy cores a cold JVM took 5-6 s, and the test failed before it began
 * ("ephemeral server … did not start within 5s"). Two things bring it to about a second on the same
 * machine: a class-data-sharing archive of the classes it loads at start (made once, after
 * installing), and the client compiler only, which warms up far sooner and is plenty for a test
 * server that lives for one test.
 */
function testServerJvmOptions(target: string, archive: 'use' | 'create' = 'use'): string[] {
  const archiveFile = join(target, 'startup.jsa');
  return [
    archive === 'use'
      ? `-XX:SharedArchiveFile=${archiveFile}`
      : `-XX:ArchiveClassesAtExit=${archiveFile}.${process.pid}`,
    '-XX:TieredStopAtLevel=1',
    '-Xss4m',
    '-cp',
    `"${join(target, 'carepath-patches.jar')}:${join(target, 'lib')}/*"`,
    'io.temporal.testserver.TestServer',
  ];
}

/**
 * Starts the installed server once with archiving on, waits for it to listen, and stops it; the
 * JVM writes the archive as it exits. The archive records the classpath, so it is made in place.
 * A JVM that cannot use it (upgraded since) ignores it and starts as before, only slower; so
 * does a machine where this fails.
 */
async function ensureStartupArchive(target: string): Promise<void> {
  const archiveFile = join(target, 'startup.jsa');
  if (existsSync(archiveFile)) return;
  const port = await freePort();
  const options = testServerJvmOptions(target, 'create').map((o) => o.replace(/^"|"$/g, ''));
  const server = spawn('java', [...options, String(port)], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  try {
    const listening = await waitForPort(port, 120_000);
    server.kill('SIGTERM');
    await exited;
    const made = `${archiveFile}.${process.pid}`;
    if (listening && existsSync(made)) {
      renameSync(made, archiveFile);
      log('made the test server start-up archive');
    } else log('could not make the test server start-up archive; it will start more slowly');
  } finally {
    server.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const open = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.once('error', () => r(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function ensureDynamoDbLocal(): Promise<Toolchain['dynamoDbLocal']> {
  const target = join(cacheDir, `dynamodb-local-${PINS.dynamoDbLocal}`);
  await installOnce(target, `DynamoDB Local ${PINS.dynamoDbLocal} (Maven)`, async (scratch) => {
    await fetchFromMaven(scratch, 'software.amazon.dynamodb', 'DynamoDBLocal', PINS.dynamoDbLocal);
  });
  const lib = join(target, 'lib');
  return {
    classpath: `${lib}/*`,
    libraryPath: lib, // sqlite4java finds its versioned .so here
    mainClass: 'software.amazon.dynamodb.services.local.main.ServerRunner',
  };
}

/**
 * Debian's Chromium, which playwright-core drives headless in the dashboard tests (Playwright's own
 * browser downloads are not reachable from every build machine; Debian's mirror is). Installed
 * with apt-get when running as root (CI, containers) or with password-less sudo.
 */
export async function ensureChromium(): Promise<string> {
  const path = process.env.CAREPATH_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const install = 'Install it (`sudo apt-get install chromium`) or set CAREPATH_CHROMIUM to a Chromium binary.';
  if (!has('apt-get', ['--version']))
    throw new MissingPrerequisite(`Chromium is not installed: the dashboard tests drive it headless. ${install}`);
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && !has('sudo', ['-n', 'true']))
    throw new MissingPrerequisite(`Chromium is not installed: the dashboard tests drive it headless. ${install}`);
  const apt = (args: string[]) =>
    asRoot
      ? run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      : run('sudo', ['-n', 'apt-get', ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log('installing Debian chromium with apt-get (first time only)…');
  const started = Date.now();
  // Package lists may be stale or absent on a fresh machine; refresh them once if the install fails.
  await apt(['install', '-y', '--no-install-recommends', 'chromium']).catch(async () => {
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', 'chromium']);
  });
  if (!existsSync(path))
    throw new MissingPrerequisite(`apt-get installed chromium but ${path} is not there. ${install}`);
  log(`installed chromium in ${Math.round((Date.now() - started) / 1000)} s`);
  return path;
}

/**
 * carepath's baseline is the Node.js LTS pinned in .nvmrc (the Lambda runtime and the worker
 * image run the same major). An older Node fails here with the fix, not later with a puzzle.
 */
export function requireSupportedNode(version: string = process.versions.node): void {
  const pinned = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim();
  const wanted = Number(pinned.split('.')[0]);
  if (Number(version.split('.')[0]) < wanted) {
    throw new MissingPrerequisite(
      `carepath needs Node.js ${wanted} LTS or newer; this is Node.js ${version}. Install Node.js ${pinned} (nvm: \`nvm install\`, which reads .nvmrc), or run \`source scripts/useNode24.sh\`, which fetches it from the npm registry into ~/.cache/carepath and puts it first on PATH.`,
    );
  }
}

export async function ensureToolchain(): Promise<Toolchain> {
  requireSupportedNode();
  // Sequential on purpose: two JVM/Go builds at once on a 2-core machine are slower, not faster.
  const temporalCli = await ensureTemporalCli();
  const temporalTestServer = await ensureTemporalTestServer();
  const dynamoDbLocal = await ensureDynamoDbLocal();
  return { temporalCli, temporalTestServer, dynamoDbLocal };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run directly (and by `pretest`): everything, including the browser the tests drive.
  Promise.all([ensureToolchain(), ensureChromium()]).then(
    ([toolchain, chromium]) => log(`ready: ${JSON.stringify({ ...toolchain, chromium })}`),
    (error: unknown) => {
      log(error instanceof MissingPrerequisite ? error.message : String(error instanceof Error ? error.stack : error));
      process.exit(1);
    },
  );
}
