/**
 * The worker process's Temporal runtime: sdk-core's warnings forwarded to the process logger, and
 * failing workflow tasks (with their run ids) handed to whoever listens — the journey repair.
 *
 * The runtime is one per process and must be installed before the first NativeConnection; a
 * process that created one already (a test harness) gets a warning and no failing-task feed.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';

export interface FailingTask {
  runId: string;
  failure: string;
}

const listeners = new Set<(task: FailingTask) => void>();
let installed = false;

/** Installs the runtime (once per process). Returns whether failing tasks will be reported. */
export function installWorkerRuntime(level: LogLevel = 'INFO'): boolean {
  if (installed) return true;
  const downstream = new DefaultLogger(level);
  if (Runtime._instance) {
    downstream.warn(
      'Temporal runtime created before the worker: failing workflow tasks are not watched, stuck journeys are not repaired',
    );
    return false;
  }
  Runtime.install({
    logger: tapFailingTasks(downstream, (task) => listeners.forEach((l) => l(task))),
    // Core's own warnings (a failing task among them) come through the logger instead of stderr.
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }), forward: {} } },
  });
  installed = true;
  return true;
}

/** Listens for failing workflow tasks; returns the way to stop listening. */
export function onFailingWorkflowTask(listener: (task: FailingTask) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A logger that passes everything on and picks out sdk-core's "Failing workflow task" warnings. */
export function tapFailingTasks(downstream: Logger, onFailing: (task: FailingTask) => void): Logger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    downstream.log(level, message, meta);
    if (message === 'Failing workflow task' && typeof meta?.runId === 'string') {
      onFailing({ runId: meta.runId, failure: String(meta.failure ?? '') });
    }
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
