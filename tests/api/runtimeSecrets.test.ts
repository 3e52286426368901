/** The Lambda's cold-start read of the shared runtime secret and its own Temporal credential into its environment. */
import { describe, expect, it, vi } from 'vitest';
import { SHARED_KEYS_OF } from '../../config/secretKeys.js';
import {
  RUNTIME_SECRET_ARN_ENV,
  TEMPORAL_CREDENTIAL_SECRET_ARN_ENV,
  withRuntimeSecrets,
} from '../../lambdas/runtimeSecrets.js';
import { temporalConnectionFromEnv } from '../../temporal/connection.js';

const sharedArn = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:carepath/dev/runtime';
const credentialArn = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:carepath/dev/temporal/api';

const shared = {
  TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233',
  TEMPORAL_NAMESPACE: 'carepath-dev.a1b2c',
  CAREPATH_CODEC_KEYS: 'k1:AAAA',
  CAREPATH_SIGNING_KEYS: 's1:BBBB',
  CAREPATH_PSEUDONYM_KEY: 'p'.repeat(40),
};
const pem = (what: string) => `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----\n`;

/** Secrets Manager as the Lambda sees it: each secret's string by ARN, and which were asked for. */
function secrets(byArn: Record<string, unknown>) {
  return vi.fn(async (id: string) => {
    if (!(id in byArn)) throw new Error(`ResourceNotFoundException: ${id}`);
    const value = byArn[id];
    return typeof value === 'string' || value === undefined ? value : JSON.stringify(value);
  });
}
const named = { [RUNTIME_SECRET_ARN_ENV]: sharedArn, [TEMPORAL_CREDENTIAL_SECRET_ARN_ENV]: credentialArn };

describe('withRuntimeSecrets', () => {
  it('leaves the environment alone when no secret is named (local runs)', async () => {
    const fetch = vi.fn();
    const env = { TEMPORAL_ADDRESS: 'localhost:7233' };
    expect(await withRuntimeSecrets(env, fetch)).toBe(env);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("adds the shared keys and the API's own API key, over what the function was given, and Temporal gets that key", async () => {
    const fetch = secrets({ [sharedArn]: shared, [credentialArn]: { TEMPORAL_API_KEY: 'api-key-of-the-api' } });
    const env = await withRuntimeSecrets(
      { ...named, TEMPORAL_ADDRESS: 'stale', CAREPATH_TABLE: 'carepath-dev' },
      fetch,
    );
    expect(fetch.mock.calls.map(([id]) => id).sort()).toEqual([credentialArn, sharedArn].sort());
    expect(env).toMatchObject({ ...shared, TEMPORAL_API_KEY: 'api-key-of-the-api', CAREPATH_TABLE: 'carepath-dev' });
    expect(temporalConnectionFromEnv(env)).toMatchObject({
      address: shared.TEMPORAL_ADDRESS,
      namespace: shared.TEMPORAL_NAMESPACE,
      apiKey: 'api-key-of-the-api',
    });
  });

  it("takes an mTLS client certificate from the API's credential secret, and a private CA from the shared one", async () => {
    const fetch = secrets({
      [sharedArn]: { ...shared, TEMPORAL_TLS_CA: pem('CERTIFICATE') },
      [credentialArn]: { TEMPORAL_TLS_CERT: pem('CERTIFICATE'), TEMPORAL_TLS_KEY: pem('PRIVATE KEY') },
    });
    const connection = temporalConnectionFromEnv(await withRuntimeSecrets(named, fetch));
    expect(connection.apiKey).toBeUndefined();
    expect(connection.tls).toMatchObject({
      clientCertPair: { crt: expect.any(Uint8Array), key: expect.any(Uint8Array) },
      serverRootCACertificate: expect.any(Uint8Array),
    });
  });

  it('reads the shared secret alone when no credential secret is named (temporalAuth=none)', async () => {
    const fetch = secrets({ [sharedArn]: shared });
    const env = await withRuntimeSecrets({ [RUNTIME_SECRET_ARN_ENV]: sharedArn }, fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(env).toMatchObject(shared);
    expect(env.TEMPORAL_API_KEY).toBeUndefined();
  });

  it('refuses a Temporal credential left in the shared secret, which the worker can read too, naming the key and not its value', async () => {
    const fetch = secrets({
      [sharedArn]: { ...shared, TEMPORAL_API_KEY: 'the-old-shared-key' },
      [credentialArn]: { TEMPORAL_API_KEY: 'api-key-of-the-api' },
    });
    const refusal = await withRuntimeSecrets(named, fetch).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(new RegExp(`^${RUNTIME_SECRET_ARN_ENV}: TEMPORAL_API_KEY must not be in the shared`));
    expect(refusal).toContain(TEMPORAL_CREDENTIAL_SECRET_ARN_ENV);
    expect(refusal).not.toContain('the-old-shared-key');
  });

  it.each(SHARED_KEYS_OF.api)('refuses a shared secret without %s, naming it', async (key) => {
    const rest: Record<string, string> = { ...shared };
    delete rest[key];
    const fetch = secrets({ [sharedArn]: rest, [credentialArn]: { TEMPORAL_API_KEY: 'k' } });
    await expect(withRuntimeSecrets(named, fetch)).rejects.toThrow(
      `${RUNTIME_SECRET_ARN_ENV}: the shared runtime secret has no ${key}`,
    );
  });

  it.each([
    ['nothing', {}],
    ['a certificate without its key', { TEMPORAL_TLS_CERT: pem('CERTIFICATE') }],
    ['a blank API key', { TEMPORAL_API_KEY: ' ' }],
  ])('refuses a credential secret holding %s', async (_what, credential) => {
    const fetch = secrets({ [sharedArn]: shared, [credentialArn]: credential });
    await expect(withRuntimeSecrets(named, fetch)).rejects.toThrow(
      `${TEMPORAL_CREDENTIAL_SECRET_ARN_ENV}: the API's Temporal credential secret holds neither TEMPORAL_API_KEY`,
    );
  });

  it('refuses a credential secret named without the shared one', async () => {
    await expect(
      withRuntimeSecrets({ [TEMPORAL_CREDENTIAL_SECRET_ARN_ENV]: credentialArn }, secrets({})),
    ).rejects.toThrow(`${TEMPORAL_CREDENTIAL_SECRET_ARN_ENV} is set but ${RUNTIME_SECRET_ARN_ENV} is not`);
  });

  it('names keys a secret should not hold in a warning, never their values, and does not apply them', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const env = await withRuntimeSecrets(
      named,
      secrets({
        [sharedArn]: { ...shared, TEMPORAL_APIKEY: 'typo-value' },
        [credentialArn]: { TEMPORAL_API_KEY: 'k', TEMPORAL_NAMESPACE: 'other-namespace' },
      }),
    );
    expect(env.TEMPORAL_APIKEY).toBeUndefined();
    expect(env.TEMPORAL_NAMESPACE).toBe(shared.TEMPORAL_NAMESPACE);
    const warnings = warn.mock.calls.map(([line]) => String(line));
    warn.mockRestore();
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('TEMPORAL_APIKEY');
    expect(warnings.find((w) => w.includes(TEMPORAL_CREDENTIAL_SECRET_ARN_ENV))).toContain('TEMPORAL_NAMESPACE');
    expect(warnings.join('\n')).not.toMatch(/typo-value|other-namespace/);
  });

  it.each([
    ['no string value', undefined, /no string value/],
    ['not JSON', 'TEMPORAL_API_KEY=k', /not a JSON object/],
    ['a JSON array', '["k"]', /not a JSON object/],
    ['a non-string value', '{"TEMPORAL_API_KEY": 42}', /TEMPORAL_API_KEY must be a string/],
  ])(
    'fails the cold start loudly, naming the secret, when the credential secret is %s',
    async (_why, value, message) => {
      const fetch = secrets({ [sharedArn]: shared, [credentialArn]: value });
      const refusal = withRuntimeSecrets(named, fetch);
      await expect(refusal).rejects.toThrow(message);
      await expect(refusal).rejects.toThrow(TEMPORAL_CREDENTIAL_SECRET_ARN_ENV);
    },
  );

  it.each([
    ['no string value', undefined, /no string value/],
    ['not JSON', 'TEMPORAL_ADDRESS=x', /not a JSON object/],
    [
      'a non-string value',
      JSON.stringify({ ...shared, CAREPATH_CODEC_KEYS: 42 }),
      /CAREPATH_CODEC_KEYS must be a string/,
    ],
  ])('fails the cold start loudly, naming the secret, when the shared secret is %s', async (_why, value, message) => {
    const fetch = secrets({ [sharedArn]: value, [credentialArn]: { TEMPORAL_API_KEY: 'k' } });
    const refusal = withRuntimeSecrets(named, fetch);
    await expect(refusal).rejects.toThrow(message);
    await expect(refusal).rejects.toThrow(RUNTIME_SECRET_ARN_ENV);
  });
});
