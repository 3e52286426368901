/**
 * The faults of a chaos run, done to real processes: the worker killed with SIGKILL (and brought
 * back, as ECS would), the Temporal dev server stopped and started again on its own database, and
 * DynamoDB Local stopped for a while and started again on its own files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal, startTemporalDevServer, type Service } from './localServices.js';
import type { Toolchain } from './toolchain.js';
import { NONDETERMINISM_ALARM } from '../worker/nondeterminismAlarm.js';

export interface FaultCounts {
  workerKills: number;
  /** Worker exits nobody asked for (e.g. it gave up while Temporal was down); restarted too. */
  workerUnplannedExits: number;
  temporalRestarts: number;
  dynamoDbOutages: number;
  dynamoDbOutageSeconds: number;
  /**
   * Times the worker raised the nondeterminism alarm (worker/nondeterminismAlarm.ts): a journey
   * stuck on a replay divergence, which nothing resets by itself. Expected 0.
   */
  nondeterminismAlarms: number;
}

export interface PlatformProcesses {
  toolchain: Toolchain;
  dataDir: string;
  ports: { dynamo: number; temporal: number; ui: number };
  /** The worker's environment (Temporal address, table, codec keys, pre-built bundle). */
  workerEnv: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export class Faults {
  readonly counts: FaultCounts = {
    workerKills: 0,
    workerUnplannedExits: 0,
    temporalRestarts: 0,
    dynamoDbOutages: 0,
    dynamoDbOutageSeconds: 0,
    nondeterminismAlarms: 0,
  };
  /**
   * When work in flight could have been cut short: a worker killed or exiting unasked, DynamoDB
   * going away. An email SES accepted just before one of these may be sent again (scripts/chaosEmails.ts).
   */
  readonly interruptions: number[] = [];
  private worker?: ChildProcess;
  private temporal?: Service;
  private dynamo?: Service;
  private stopping = false;
  private workerLog = '';

  constructor(private readonly p: PlatformProcesses) {}

  async startServices(): Promise<void> {
    this.dynamo = await this.startDynamo();
    this.temporal = await this.startTemporal();
  }

  private startDynamo() {
    return startDynamoDbLocal(this.p.toolchain, {
      port: this.p.ports.dynamo,
      dbPath: join(this.p.dataDir, 'dynamodb'),
    });
  }

  private startTemporal() {
    return startTemporalDevServer(this.p.toolchain, {
      port: this.p.ports.temporal,
      uiPort: this.p.ports.ui,
      dbFile: join(this.p.dataDir, 'temporal.db'),
    });
  }

  /** Starts the worker and keeps one running until `stopAll`, like a service scheduler would. */
  startWorker(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      env: this.p.workerEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    // Every worker's whole output is kept beside the run's data (kept when a check fails), so a
    // violation can be traced to what the worker said at the time.
    const logFile = join(this.p.dataDir, 'worker.log');
    appendFileSync(logFile, `--- worker started ${new Date().toISOString()}\n`);
    const keep = (d: Buffer) => {
      appendFileSync(logFile, d);
      this.workerLog = (this.workerLog + d.toString()).slice(-8000);
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines.filter((l) => l.includes(NONDETERMINISM_ALARM))) {
        this.counts.nondeterminismAlarms += 1;
        this.p.log(`alarm: ${line.slice(line.indexOf(NONDETERMINISM_ALARM))}`);
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.stopping || this.worker !== child) return;
      if (signal !== 'SIGKILL') {
        this.counts.workerUnplannedExits += 1;
        this.interruptions.push(Date.now());
        this.p.log(
          `worker exited by itself (${code ?? signal}); restarting. Last output:\n${this.workerLog.slice(-1500)}`,
        );
      }
      setTimeout(() => {
        if (!this.stopping && this.worker === child) this.startWorker();
      }, 1000);
    });
    this.worker = child;
  }

  async killWorker(): Promise<void> {
    const child = this.worker;
    // Between a kill and the replacement starting there is no live worker to kill (a process killed
    // by a signal has a signalCode and no exitCode).
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    this.interruptions.push(Date.now());
    child.kill('SIGKILL');
    await exited;
    this.counts.workerKills += 1;
    this.p.log(`fault: worker killed (SIGKILL) — ${this.counts.workerKills}`);
  }

  async restartTemporal(downMs: number): Promise<void> {
    this.p.log('fault: Temporal dev server stopping');
    await this.temporal?.stop();
    await new Promise((r) => setTimeout(r, downMs));
    this.temporal = await this.startTemporal();
    this.counts.temporalRestarts += 1;
    this.p.log('fault: Temporal dev server back');
  }

  async dynamoDbOutage(downMs: number): Promise<void> {
    this.p.log(`fault: DynamoDB Local stopping for ${Math.round(downMs / 1000)} s`);
    this.interruptions.push(Date.now());
    await this.dynamo?.stop();
    await new Promise((r) => setTimeout(r, downMs));
    this.dynamo = await this.startDynamo();
    this.counts.dynamoDbOutages += 1;
    this.counts.dynamoDbOutageSeconds += Math.round(downMs / 1000);
    this.p.log('fault: DynamoDB Local back');
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    if (this.worker && this.worker.exitCode === null) {
      const exited = new Promise((r) => this.worker!.once('exit', r));
      this.worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (this.worker.exitCode === null) this.worker.kill('SIGKILL');
    }
    await this.temporal?.stop().catch(() => undefined);
    await this.dynamo?.stop().catch(() => undefined);
  }
}
