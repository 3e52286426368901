/**
 * Secrets for the Lambda, read from Secrets Manager once per cold start rather than placed in the
 * function's environment (where anyone with lambda:GetFunctionConfiguration could read them): the
 * shared runtime secret, and the API's own Temporal credential (config/secretKeys.ts). Each is a
 * JSON object whose keys are the environment variables it provides; the ECS worker receives its
 * keys through the task definition's `secrets` instead.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  SHARED_KEYS_OF,
  SHARED_SECRET_KEYS,
  TEMPORAL_CREDENTIAL_KEYS,
  type RuntimeSecretKey,
} from '../config/secretKeys.js';

export { RUNTIME_SECRET_KEYS, type RuntimeSecretKey } from '../config/secretKeys.js';

/** The environment variable naming the shared runtime secret (its ARN). */
export const RUNTIME_SECRET_ARN_ENV = 'CAREPATH_RUNTIME_SECRET_ARN';
/** The environment variable naming the API's own Temporal credential secret; unset with `temporalAuth=none`. */
export const TEMPORAL_CREDENTIAL_SECRET_ARN_ENV = 'CAREPATH_TEMPORAL_CREDENTIAL_SECRET_ARN';

export type FetchSecretString = (secretId: string) => Promise<string | undefined>;

/** One string secret from Secrets Manager, by name or ARN. */
export const fromSecretsManager: FetchSecretString = async (secretId) => {
  const client = new SecretsManagerClient({});
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } finally {
    client.destroy();
  }
};

const isCredentialKey = (key: string) => (TEMPORAL_CREDENTIAL_KEYS as readonly string[]).includes(key);

/** The values of the secret named by `arnEnv`, keeping only `keys`; any other key is named in a warning. */
function valuesOf(
  arnEnv: string,
  text: string | undefined,
  keys: readonly RuntimeSecretKey[],
): Partial<Record<RuntimeSecretKey, string>> {
  if (!text) throw new Error(`${arnEnv}: the secret has no string value`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${arnEnv}: the secret is not a JSON object of environment variables`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${arnEnv}: the secret is not a JSON object of environment variables`);

  const values: Partial<Record<RuntimeSecretKey, string>> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!(keys as readonly string[]).includes(key)) unknown.push(key);
    else if (typeof value !== 'string') throw new Error(`${arnEnv}: ${key} must be a string`);
    else values[key as RuntimeSecretKey] = value;
  }
  // Names only: never a value.
  if (unknown.length)
    console.warn(
      JSON.stringify({ level: 'warn', msg: 'secret has keys the API does not read', arnEnv, keys: unknown }),
    );
  return values;
}

/**
 * `env` with the secrets' values added; `env` itself when no secret is named (local runs). Refuses
 * to start when the shared secret lacks a key the API needs, holds a Temporal credential (which
 * every process reading it could use), or the credential secret holds no credential.
 */
export async function withRuntimeSecrets(
  env: NodeJS.ProcessEnv,
  fetchSecret: FetchSecretString = fromSecretsManager,
): Promise<NodeJS.ProcessEnv> {
  const sharedId = env[RUNTIME_SECRET_ARN_ENV];
  const credentialId = env[TEMPORAL_CREDENTIAL_SECRET_ARN_ENV];
  if (!sharedId && !credentialId) return env;
  if (!sharedId) throw new Error(`${TEMPORAL_CREDENTIAL_SECRET_ARN_ENV} is set but ${RUNTIME_SECRET_ARN_ENV} is not`);

  const [sharedText, credentialText] = await Promise.all([
    fetchSecret(sharedId),
    credentialId ? fetchSecret(credentialId) : undefined,
  ]);
  const shared = valuesOf(RUNTIME_SECRET_ARN_ENV, sharedText, [...SHARED_SECRET_KEYS, ...TEMPORAL_CREDENTIAL_KEYS]);
  const misplaced = Object.keys(shared).filter(isCredentialKey);
  if (misplaced.length)
    throw new Error(
      `${RUNTIME_SECRET_ARN_ENV}: ${misplaced.join(', ')} must not be in the shared runtime secret, which the worker reads too: ` +
        `move it to the API's own Temporal credential secret (${TEMPORAL_CREDENTIAL_SECRET_ARN_ENV}, cdk/README.md)`,
    );
  const missing = SHARED_KEYS_OF.api.filter((key) => !shared[key]?.trim());
  if (missing.length)
    throw new Error(`${RUNTIME_SECRET_ARN_ENV}: the shared runtime secret has no ${missing.join(', ')}`);

  if (!credentialId) return { ...env, ...shared };
  const credential = valuesOf(TEMPORAL_CREDENTIAL_SECRET_ARN_ENV, credentialText, TEMPORAL_CREDENTIAL_KEYS);
  if (
    !credential.TEMPORAL_API_KEY?.trim() &&
    !(credential.TEMPORAL_TLS_CERT?.trim() && credential.TEMPORAL_TLS_KEY?.trim())
  )
    throw new Error(
      `${TEMPORAL_CREDENTIAL_SECRET_ARN_ENV}: the API's Temporal credential secret holds neither TEMPORAL_API_KEY ` +
        '(temporalAuth=api-key) nor TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (temporalAuth=mtls)',
    );
  return { ...env, ...shared, ...credential };
}
