/**
 * Worker Deployment Versioning (ADR 0013). Every journey worker belongs to the Worker Deployment
 * `carepath-journeys`, in the version its workflow code makes: the build id is a hash of the
 * workflow bundle, so workers running the same journey code are one version however often they
 * restart, and a deploy that changes the journey is a new one.
 *
 * Temporal gives journey work only to the deployment's current version. A new worker therefore
 * makes its own version current once it is polling, and only then reports itself healthy: ECS stops
 * the old tasks when the new ones are healthy, and by then every journey's next task goes to the new
 * code, never back and forth between old and new workers while the deploy rolls. Journeys are
 * AUTO_UPGRADE: they live for years, so they move to each new version, and changes to the journey
 * stay patched (`patched()`) as before; PINNED would keep every version's workers running for as
 * long as its oldest journey.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { WorkerOptions } from '@temporalio/worker';

const { RoutingConfigUpdateState } = proto.temporal.api.enums.v1;

export const JOURNEY_DEPLOYMENT = 'carepath-journeys';

/** The build id of a worker running `workflowBundle`: the first 16 hex digits of its SHA-256. */
export const buildIdOf = (workflowBundle: string): string =>
  `journeys-${createHash('sha256').update(workflowBundle).digest('hex').slice(0, 16)}`;

/**
 * The worker's deployment version, unless `CAREPATH_WORKER_VERSIONING=off` (a Temporal cluster
 * without Worker Deployments). `CAREPATH_BUILD_ID` names the version instead of the bundle's hash.
 */
export function deploymentVersionFromEnv(
  env: NodeJS.ProcessEnv,
  workflowBundle: string,
): WorkerDeploymentVersion | undefined {
  if (env.CAREPATH_WORKER_VERSIONING === 'off') return undefined;
  return { deploymentName: JOURNEY_DEPLOYMENT, buildId: env.CAREPATH_BUILD_ID || buildIdOf(workflowBundle) };
}

export const deploymentOptions = (version: WorkerDeploymentVersion): WorkerOptions['workerDeploymentOptions'] => ({
  version,
  useWorkerVersioning: true,
  defaultVersioningBehavior: 'AUTO_UPGRADE',
});

/**
 * The deployment's current version's build id (undefined while it has none: journeys then go to
 * unversioned workers), and whether Temporal has carried it to every task queue yet.
 */
export async function currentVersionOf(
  client: Client,
  deploymentName = JOURNEY_DEPLOYMENT,
): Promise<{ buildId?: string; propagated: boolean }> {
  try {
    const { workerDeploymentInfo: info } = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    });
    const buildId = info?.routingConfig?.currentDeploymentVersion?.buildId || undefined;
    return {
      ...(buildId ? { buildId } : {}),
      propagated: info?.routingConfigUpdateState !== RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS,
    };
  } catch (error) {
    // NOT_FOUND: no worker of the deployment has polled yet.
    if ((error as { code?: number }).code === 5) return { propagated: true };
    throw error;
  }
}

export const currentBuildId = async (client: Client, deploymentName = JOURNEY_DEPLOYMENT) =>
  (await currentVersionOf(client, deploymentName)).buildId;

/**
 * Makes `version` the deployment's current version, and resolves once Temporal has carried that
 * to the task queue (from then on no journey task goes to another version). Tries again until
 * Temporal takes it: it refuses a version none of whose workers it has seen poll yet, and may be
 * away (a restart). Stops trying when `signal` aborts (the worker is shutting down).
 */
export async function makeCurrent(
  client: Client,
  version: WorkerDeploymentVersion,
  opts: { signal?: AbortSignal; retryMs?: number; warn?: (message: string) => void } = {},
): Promise<'made current' | 'already current'> {
  let outcome: 'made current' | 'already current' | undefined;
  for (let attempt = 1; ; attempt += 1) {
    opts.signal?.throwIfAborted();
    try {
      const current = await currentVersionOf(client, version.deploymentName);
      if (current.buildId === version.buildId) {
        outcome ??= 'already current';
        if (current.propagated) return outcome;
      } else {
        await client.workflowService.setWorkerDeploymentCurrentVersion({
          namespace: client.options.namespace,
          deploymentName: version.deploymentName,
          buildId: version.buildId,
          identity: `carepath worker ${version.buildId}`,
        });
        outcome = 'made current';
        continue; // at once: see whether it has reached the task queue yet
      }
    } catch (error) {
      // Not yet seen polling is expected for the first second or two; anything longer is worth a word.
      if (attempt % 10 === 0)
        opts.warn?.(`worker version ${version.buildId} not yet current: ${(error as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 250));
  }
}
