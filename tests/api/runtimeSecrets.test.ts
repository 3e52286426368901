/** The Lambda's cold-start read of the runtime secret into its environment. */
import { describe, expect, it, vi } from 'vitest';
import { RUNTIME_SECRET_ARN_ENV, withRuntimeSecrets } from '../../lambdas/runtimeSecrets.js';

const arn = 'arn:aws:secretsmanager:eu-west-2:111122223333:secret:carepath/dev/runtime';

describe('withRuntimeSecrets', () => {
  it('leaves the environment alone when no secret is named (local runs)', async () => {
    const fetch = vi.fn();
    const env = { TEMPORAL_ADDRESS: 'localhost:7233' };
    expect(await withRuntimeSecrets(env, fetch)).toBe(env);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('adds the secret JSON keys as environment variables, over what the function was given', async () => {
    const fetch = vi.fn(async () =>
      JSON.stringify({
        TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233',
        TEMPORAL_API_KEY: 'k',
        CAREPATH_PSEUDONYM_KEY: 'p'.repeat(40),
      }),
    );
    const env = await withRuntimeSecrets(
      { [RUNTIME_SECRET_ARN_ENV]: arn, TEMPORAL_ADDRESS: 'stale', CAREPATH_TABLE: 'carepath-dev' },
      fetch,
    );
    expect(fetch).toHaveBeenCalledWith(arn);
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233',
      TEMPORAL_API_KEY: 'k',
      CAREPATH_PSEUDONYM_KEY: 'p'.repeat(40),
      CAREPATH_TABLE: 'carepath-dev',
    });
  });

  it('names unknown keys in a warning but never their values', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const env = await withRuntimeSecrets({ [RUNTIME_SECRET_ARN_ENV]: arn }, async () =>
      JSON.stringify({ TEMPORAL_APIKEY: 'typo-value', TEMPORAL_NAMESPACE: 'ns' }),
    );
    expect(env.TEMPORAL_APIKEY).toBeUndefined();
    expect(env.TEMPORAL_NAMESPACE).toBe('ns');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('TEMPORAL_APIKEY');
    expect(String(warn.mock.calls[0]![0])).not.toContain('typo-value');
    warn.mockRestore();
  });

  it.each([
    ['no string value', undefined, /no string value/],
    ['not JSON', 'TEMPORAL_API_KEY=k', /not a JSON object/],
    ['a JSON array', '["k"]', /not a JSON object/],
    ['a non-string value', '{"TEMPORAL_API_KEY": 42}', /must be a string/],
  ])('fails the cold start loudly when the secret is %s', async (_why, value, message) => {
    await expect(withRuntimeSecrets({ [RUNTIME_SECRET_ARN_ENV]: arn }, async () => value)).rejects.toThrow(message);
  });
});
