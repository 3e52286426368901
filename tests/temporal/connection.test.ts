/** How the environment becomes a Temporal connection, for the worker and the API alike. */
import { describe, expect, it } from 'vitest';
import { connectOptions, temporalConnectionFromEnv } from '../../temporal/connection.js';

const pem = (kind: string) => `-----BEGIN ${kind}-----\nMIIBfake\n-----END ${kind}-----\n`;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('temporalConnectionFromEnv', () => {
  it('is the plaintext local dev server when nothing is set', () => {
    expect(temporalConnectionFromEnv({})).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(temporalConnectionFromEnv({ TEMPORAL_ADDRESS: ' ', TEMPORAL_NAMESPACE: '' })).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
    });
  });

  it('uses TLS and the API key for Temporal Cloud, naming the namespace for routing', () => {
    const env = {
      TEMPORAL_ADDRESS: 'eu-west-2.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'carepath-prod.a1b2c',
      TEMPORAL_API_KEY: 'key-123',
    };
    expect(temporalConnectionFromEnv(env)).toEqual({
      address: 'eu-west-2.aws.api.temporal.io:7233',
      namespace: 'carepath-prod.a1b2c',
      tls: true,
      apiKey: 'key-123',
      metadata: { 'temporal-namespace': 'carepath-prod.a1b2c' },
    });
  });

  it('uses the client certificate pair for mTLS, with an optional private CA and server name', () => {
    const env = {
      TEMPORAL_ADDRESS: 'carepath.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'carepath.a1b2c',
      TEMPORAL_TLS_CERT: pem('CERTIFICATE'),
      TEMPORAL_TLS_KEY: pem('PRIVATE KEY'),
    };
    expect(temporalConnectionFromEnv(env)).toEqual({
      address: 'carepath.a1b2c.tmprl.cloud:7233',
      namespace: 'carepath.a1b2c',
      tls: { clientCertPair: { crt: bytes(pem('CERTIFICATE')), key: bytes(pem('PRIVATE KEY')) } },
    });
    const selfHosted = temporalConnectionFromEnv({
      ...env,
      TEMPORAL_TLS_CA: pem('CERTIFICATE'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(selfHosted.tls).toMatchObject({
      serverRootCACertificate: bytes(pem('CERTIFICATE')),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('turns TLS on or off explicitly for a self-hosted cluster', () => {
    expect(temporalConnectionFromEnv({ TEMPORAL_TLS: 'true' }).tls).toBe(true);
    expect(temporalConnectionFromEnv({ TEMPORAL_TLS: 'FALSE' }).tls).toBeUndefined();
  });

  it.each([
    [{ TEMPORAL_TLS_CERT: pem('CERTIFICATE') }, /go together/],
    [{ TEMPORAL_TLS_KEY: pem('PRIVATE KEY') }, /go together/],
    [
      { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CERT: pem('CERTIFICATE'), TEMPORAL_TLS_KEY: pem('PRIVATE KEY') },
      /not both/,
    ],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, /only ever sent over TLS/],
    [{ TEMPORAL_TLS: 'yes' }, /true or false/],
    [{ TEMPORAL_TLS_CERT: '/etc/certs/client.pem', TEMPORAL_TLS_KEY: pem('PRIVATE KEY') }, /PEM text/],
  ])('refuses a contradictory or malformed setting %#', (env, message) => {
    expect(() => temporalConnectionFromEnv(env)).toThrow(message);
  });

  it('gives Connection.connect and NativeConnection.connect only connection fields', () => {
    const settings = {
      ...temporalConnectionFromEnv({ TEMPORAL_API_KEY: 'k', TEMPORAL_NAMESPACE: 'ns' }),
      maxCachedWorkflows: 10,
    };
    expect(connectOptions(settings)).toEqual({
      address: '127.0.0.1:7233',
      tls: true,
      apiKey: 'k',
      metadata: { 'temporal-namespace': 'ns' },
    });
    expect(connectOptions(temporalConnectionFromEnv({}))).toEqual({ address: '127.0.0.1:7233' });
  });
});
