/**
 * What differs between deployments, chosen with `-c env=dev|prod` and overridable one setting at
 * a time with `-c <key>=<value>` (see cdk/README.md). Nothing here is an account id or a secret:
 * the account and credentials come from the AWS CLI profile at deploy time, secrets from
 * Secrets Manager at run time.
 */
import { z } from 'zod';

export const environmentNames = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof environmentNames)[number];

/** How the API and worker prove themselves to Temporal (each process's credential secret holds its own). */
export const temporalAuthModes = ['api-key', 'mtls', 'none'] as const;
export type TemporalAuth = (typeof temporalAuthModes)[number];

export const vaultLockModes = ['compliance', 'governance', 'none'] as const;
export type VaultLockMode = (typeof vaultLockModes)[number];

export interface CarepathConfig {
  envName: EnvironmentName;
  region: string;
  /** prod: deletion protection on the table and user pool; data, keys and logs survive `cdk destroy`. */
  retainData: boolean;
  logRetentionDays: number;
  /** One per AZ in prod, so losing an AZ does not cut the worker and API off from Temporal Cloud. */
  natGateways: number;
  temporal: {
    auth: TemporalAuth;
    /** TLS to Temporal; only a self-hosted cluster on a private network would turn it off. */
    tls: boolean;
    /** The runtime secret also holds TEMPORAL_TLS_CA: a self-hosted cluster whose certificate a private CA signed. */
    privateCa: boolean;
    /** The Secrets Manager secret (created before the first deploy) holding the keys the API and the worker share. */
    runtimeSecretName: string;
    /**
     * The secrets (created before the first deploy) holding each process's own Temporal credential,
     * readable by that process alone; none with `auth: 'none'` (config/secretKeys.ts).
     */
    credentialSecretNames?: { api: string; worker: string };
    /** Where the Temporal Web UI runs, allowed by CORS to call the API's codec endpoints. */
    uiOrigin: string;
    /**
     * Codec key ids whose payloads were sealed before payloads were signed: history under them is
     * opened unsigned (CAREPATH_UNSIGNED_KEY_IDS, temporal/payloadCodec.ts). Not secret: key ids only.
     */
    unsignedKeyIds: string[];
  };
  api: {
    memoryMiB: number;
    /** Caps concurrent Lambdas, and so the load on Temporal and DynamoDB. */
    reservedConcurrency: number;
    /** Requests per second across the API, and the burst above it. */
    throttleRate: number;
    throttleBurst: number;
  };
  edge: {
    /**
     * Requests one client IP address may send through CloudFront in a minute before the WAF
     * answers it 429 for the rest of that minute. A whole NHS trust (its integration engine and
     * its staff) often reaches us from one NAT address, so this is sized for a trust, not a
     * person: see cdk/README.md, "The WAF at the edge".
     */
    requestsPerIpPerMinute: number;
  };
  worker: {
    cpu: number;
    memoryMiB: number;
    minTasks: number;
    maxTasks: number;
    /** Workflows kept hot per task (CAREPATH_WORKFLOW_CACHE). */
    workflowCache: number;
  };
  identity: {
    /** Prefix of the Cognito hosted sign-in domain; unique in the region. Default: carepath-<env>-<account id>. */
    domainPrefix?: string;
  };
  backup: {
    /** Daily AWS Backup recovery points kept (PITR covers the last 35 days to the second). */
    dailyRetentionDays: number;
    /** Monthly recovery points kept; 0 for none. */
    monthlyRetentionDays: number;
    /**
     * AWS Backup Vault Lock on the table's vault: no one, the root user included, deletes a recovery
     * point before the daily retention is up. `compliance` becomes immutable after a 3-day grace
     * period (the lock itself cannot then be removed); `governance` can be lifted by someone granted
     * `backup:DeleteBackupVaultLockConfiguration`; `none` locks nothing.
     */
    vaultLock: VaultLockMode;
  };
  /** Subscribed to the alarm topic, when set. */
  alarmEmail?: string;
  /** Email notifications through SES (a verified identity); without it, notifications go to the in-app inbox and the log only. */
  email?: { from: string; addressTemplate: string };
}

const defaults: Record<EnvironmentName, Omit<CarepathConfig, 'envName' | 'region' | 'temporal' | 'identity'>> = {
  dev: {
    retainData: false,
    logRetentionDays: 30,
    natGateways: 1,
    api: { memoryMiB: 1024, reservedConcurrency: 10, throttleRate: 20, throttleBurst: 40 },
    // Half the stage's throttle: no one address can take it all; plenty for testers and a test engine.
    edge: { requestsPerIpPerMinute: 600 },
    worker: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 2, workflowCache: 500 },
    backup: { dailyRetentionDays: 7, monthlyRetentionDays: 0, vaultLock: 'governance' },
  },
  prod: {
    retainData: true,
    logRetentionDays: 400,
    natGateways: 2,
    api: { memoryMiB: 1024, reservedConcurrency: 50, throttleRate: 200, throttleBurst: 400 },
    // A large trust's busiest minute (a few hundred ADT messages, ~500 staff at a few calls a
    // minute) is under 4,000; 6,000 matches the app's own per-engine ADT limit, so the app's
    // 429 (an AE ACK the engine retries) comes first, and is half the stage's throttle, so no
    // single address can take all of it.
    edge: { requestsPerIpPerMinute: 6000 },
    worker: { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 6, workflowCache: 2000 },
    backup: { dailyRetentionDays: 7, monthlyRetentionDays: 366, vaultLock: 'compliance' },
  },
};

const positiveInt = z.coerce.number().int().positive();
/**
 * A Secrets Manager secret the stack names by partial ARN (name, no suffix): a name ending in a
 * hyphen and six characters (`…/temporal-worker`) is read as a shorter name plus the random suffix
 * Secrets Manager adds, and is not found.
 */
const secretName = z
  .string()
  .min(1)
  .refine((name) => !/-[A-Za-z0-9]{6}$/.test(name), {
    message: 'must not end in a hyphen and six characters, which Secrets Manager reads as its own suffix',
  });
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** Context keys a deployer may set, each with the config field it overrides. */
const overrides = z.object({
  env: z.enum(environmentNames).default('dev'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .optional(),
  temporalAuth: z.enum(temporalAuthModes).default('api-key'),
  temporalTls: flag.default(true),
  temporalPrivateCa: flag.default(false),
  runtimeSecretName: secretName.optional(),
  apiTemporalSecretName: secretName.optional(),
  workerTemporalSecretName: secretName.optional(),
  temporalUiOrigin: z.url().default('https://cloud.temporal.io'),
  /** Comma-separated codec key ids sealed before signing began (cdk/README.md, "Signed payloads"). */
  unsignedCodecKeyIds: z
    .string()
    .regex(/^[\w-]+(,[\w-]+)*$/)
    .optional(),
  cognitoDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
    .optional(),
  apiReservedConcurrency: positiveInt.optional(),
  /** WAF's floor is 10 a window; below 100 a minute, one person's dashboard would be refused. */
  wafRequestsPerIpPerMinute: z.coerce.number().int().min(100).optional(),
  natGateways: z.coerce.number().int().min(1).max(3).optional(),
  workerMinTasks: positiveInt.optional(),
  workerMaxTasks: positiveInt.optional(),
  backupVaultLock: z.enum(vaultLockModes).optional(),
  alarmEmail: z.email().optional(),
  emailFrom: z.email().optional(),
  emailAddressTemplate: z.string().includes('{id}').optional(),
});

export type ContextReader = (key: string) => unknown;

export function carepathConfig(context: ContextReader): CarepathConfig {
  const raw = Object.fromEntries(
    Object.keys(overrides.shape)
      .map((k) => [k, context(k)])
      .filter(([, v]) => v !== undefined),
  );
  const parsed = overrides.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `Invalid CDK context: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const c = parsed.data;
  if (Boolean(c.emailFrom) !== Boolean(c.emailAddressTemplate))
    throw new Error('Set emailFrom and emailAddressTemplate together (or neither, for inbox-only notifications).');
  if (c.temporalAuth !== 'none' && !c.temporalTls)
    throw new Error(`temporalAuth=${c.temporalAuth} needs TLS: credentials are never sent in plaintext.`);
  if (c.temporalAuth === 'none' && (c.apiTemporalSecretName || c.workerTemporalSecretName))
    throw new Error(
      'temporalAuth=none has no Temporal credentials: drop apiTemporalSecretName and workerTemporalSecretName.',
    );
  const base = defaults[c.env];
  const names = {
    runtime: c.runtimeSecretName ?? `carepath/${c.env}/runtime`,
    api: c.apiTemporalSecretName ?? `carepath/${c.env}/temporal/api`,
    worker: c.workerTemporalSecretName ?? `carepath/${c.env}/temporal/worker`,
  };
  if (new Set(Object.values(names)).size < 3)
    throw new Error(
      'runtimeSecretName, apiTemporalSecretName and workerTemporalSecretName must name three different secrets.',
    );
  const worker = {
    ...base.worker,
    ...(c.workerMinTasks ? { minTasks: c.workerMinTasks } : {}),
    ...(c.workerMaxTasks ? { maxTasks: c.workerMaxTasks } : {}),
  };
  if (worker.maxTasks < worker.minTasks)
    throw new Error(`workerMaxTasks (${worker.maxTasks}) is below workerMinTasks (${worker.minTasks}).`);
  return {
    ...base,
    envName: c.env,
    region: c.region ?? 'eu-west-2',
    natGateways: c.natGateways ?? base.natGateways,
    api: { ...base.api, ...(c.apiReservedConcurrency ? { reservedConcurrency: c.apiReservedConcurrency } : {}) },
    edge: { requestsPerIpPerMinute: c.wafRequestsPerIpPerMinute ?? base.edge.requestsPerIpPerMinute },
    worker,
    backup: { ...base.backup, ...(c.backupVaultLock ? { vaultLock: c.backupVaultLock } : {}) },
    temporal: {
      auth: c.temporalAuth,
      tls: c.temporalTls,
      privateCa: c.temporalPrivateCa,
      runtimeSecretName: names.runtime,
      ...(c.temporalAuth === 'none' ? {} : { credentialSecretNames: { api: names.api, worker: names.worker } }),
      uiOrigin: new URL(c.temporalUiOrigin).origin,
      unsignedKeyIds: c.unsignedCodecKeyIds?.split(',') ?? [],
    },
    identity: c.cognitoDomainPrefix ? { domainPrefix: c.cognitoDomainPrefix } : {},
    ...(c.alarmEmail ? { alarmEmail: c.alarmEmail } : {}),
    ...(c.emailFrom && c.emailAddressTemplate
      ? { email: { from: c.emailFrom, addressTemplate: c.emailAddressTemplate } }
      : {}),
  };
}
