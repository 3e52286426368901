/**
 * Secrets for the Lambda, read from Secrets Manager once per cold start rather than placed in the
 * function's environment (where anyone with lambda:GetFunctionConfiguration could read them).
 * The secret is a JSON object whose keys are the environment variables it provides; the ECS
 * worker receives the same keys through the task definition's `secrets`, so one secret serves both.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Every key the runtime secret may hold. Anything else in it is a typo worth hearing about. */
export const RUNTIME_SECRET_KEYS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_CA',
  'CAREPATH_CODEC_KEYS',
  'CAREPATH_SIGNING_KEYS',
  'CAREPATH_PSEUDONYM_KEY',
] as const;
export type RuntimeSecretKey = (typeof RUNTIME_SECRET_KEYS)[number];

/** The environment variable naming the secret (its ARN). */
export const RUNTIME_SECRET_ARN_ENV = 'CAREPATH_RUNTIME_SECRET_ARN';

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

/** `env` with the runtime secret's values added; `env` itself when no secret is named (local runs). */
export async function withRuntimeSecrets(
  env: NodeJS.ProcessEnv,
  fetchSecret: FetchSecretString = fromSecretsManager,
): Promise<NodeJS.ProcessEnv> {
  const secretId = env[RUNTIME_SECRET_ARN_ENV];
  if (!secretId) return env;
  const text = await fetchSecret(secretId);
  if (!text) throw new Error(`${RUNTIME_SECRET_ARN_ENV}: the secret has no string value`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${RUNTIME_SECRET_ARN_ENV}: the secret is not a JSON object of environment variables`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${RUNTIME_SECRET_ARN_ENV}: the secret is not a JSON object of environment variables`);

  const values: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!(RUNTIME_SECRET_KEYS as readonly string[]).includes(key)) unknown.push(key);
    else if (typeof value !== 'string') throw new Error(`${RUNTIME_SECRET_ARN_ENV}: ${key} must be a string`);
    else values[key] = value;
  }
  // Names only: never a value.
  if (unknown.length)
    console.warn(
      JSON.stringify({ level: 'warn', msg: 'runtime secret has keys carepath does not read', keys: unknown }),
    );
  return { ...env, ...values };
}
