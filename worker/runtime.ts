/**
 * The worker process's Temporal runtime: sdk-core's warnings forwarded to the process logger, and
 * sdk-core's metrics kept in a buffer that this process drains (worker/nondeterminismAlarm.ts).
 *
 * The runtime is one per process and must be installed before the first NativeConnection; a
 * process that created one already (a test harness) gets a warning and no metrics.
 */
import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, makeTelemetryFilterString, MetricsBuffer, Runtime } from '@temporalio/worker';

let buffer: MetricsBuffer | undefined;

/**
 * Installs the runtime (once per process). Answers the buffer sdk-core's metrics collect in, or
 * undefined when another runtime came first.
 */
export function installWorkerRuntime(level: LogLevel = 'INFO'): MetricsBuffer | undefined {
  if (buffer) return buffer;
  const logger = new DefaultLogger(level);
  if (Runtime._instance) {
    logger.warn(
      'Temporal runtime created before the worker: its metrics are not watched, a journey stuck on a replay divergence raises no alarm',
    );
    return undefined;
  }
  const metrics = new MetricsBuffer({ maxBufferSize: 50_000 });
  Runtime.install({
    logger,
    telemetryOptions: {
      // Core's own warnings (a failing task among them) come through the logger instead of stderr.
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }), forward: {} },
      metrics: { buffer: metrics },
    },
  });
  buffer = metrics;
  return buffer;
}
