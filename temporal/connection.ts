/**
 * Where Temporal is and how to prove who we are to it, from the environment — the same for the
 * worker (NativeConnection) and the API (Connection), so a deployment that works for one works
 * for the other.
 *
 * | env                                   | meaning                                                        |
 * |---------------------------------------|----------------------------------------------------------------|
 * | TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE  | host:port and namespace (default 127.0.0.1:7233, `default`)    |
 * | TEMPORAL_API_KEY                      | Temporal Cloud API key (sent only over TLS)                    |
 * | TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY   | mTLS client certificate and key, PEM text                      |
 * | TEMPORAL_TLS_CA                       | PEM of a private CA that signed the server's certificate        |
 * | TEMPORAL_TLS_SERVER_NAME              | SNI / host name to verify, when it differs from the address    |
 * | TEMPORAL_TLS                          | `true`/`false`: force TLS on (self-hosted, no client auth) or off |
 *
 * Without any of these it is the plaintext local dev server, as `npm start` runs it.
 */
import type { TLSConfig } from '@temporalio/client';

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** `true` for TLS with the system's trusted CAs; an object for a client certificate or private CA. */
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** gRPC headers on every call; Temporal Cloud routes API-key calls by `temporal-namespace`. */
  metadata?: Record<string, string>;
}

/** What `Connection.connect` and `NativeConnection.connect` both take (the namespace goes to the client or worker). */
export type TemporalConnectOptions = Omit<TemporalConnectionSettings, 'namespace'>;

const utf8 = (pem: string) => new TextEncoder().encode(pem);
const blankToUndefined = (value: string | undefined) => (value?.trim() ? value : undefined);

export function temporalConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  const address = blankToUndefined(env.TEMPORAL_ADDRESS) ?? '127.0.0.1:7233';
  const namespace = blankToUndefined(env.TEMPORAL_NAMESPACE) ?? 'default';
  const apiKey = blankToUndefined(env.TEMPORAL_API_KEY);
  const cert = blankToUndefined(env.TEMPORAL_TLS_CERT);
  const key = blankToUndefined(env.TEMPORAL_TLS_KEY);
  const ca = blankToUndefined(env.TEMPORAL_TLS_CA);
  const serverName = blankToUndefined(env.TEMPORAL_TLS_SERVER_NAME);
  const tlsFlag = blankToUndefined(env.TEMPORAL_TLS)?.toLowerCase();

  if (tlsFlag !== undefined && tlsFlag !== 'true' && tlsFlag !== 'false')
    throw new Error(`TEMPORAL_TLS must be true or false, not "${env.TEMPORAL_TLS}"`);
  if (Boolean(cert) !== Boolean(key))
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mTLS, or neither.');
  if (apiKey && cert)
    throw new Error(
      'Set TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY, not both: a namespace accepts one way of signing in.',
    );
  for (const [name, pem] of [
    ['TEMPORAL_TLS_CERT', cert],
    ['TEMPORAL_TLS_KEY', key],
    ['TEMPORAL_TLS_CA', ca],
  ] as const) {
    if (pem && !pem.includes('-----BEGIN '))
      throw new Error(`${name} must be PEM text (-----BEGIN ...), not a file name or base64 blob.`);
  }

  const wantsTls = Boolean(apiKey || cert || ca || serverName) || tlsFlag === 'true';
  if (tlsFlag === 'false' && wantsTls && (apiKey || cert || ca || serverName)) {
    throw new Error(
      'TEMPORAL_TLS=false, but an API key, client certificate or CA is set: those are only ever sent over TLS.',
    );
  }
  if (!wantsTls) return { address, namespace };

  const tlsConfig: TLSConfig = {
    ...(cert && key ? { clientCertPair: { crt: utf8(cert), key: utf8(key) } } : {}),
    ...(ca ? { serverRootCACertificate: utf8(ca) } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
  return {
    address,
    namespace,
    tls: Object.keys(tlsConfig).length > 0 ? tlsConfig : true,
    ...(apiKey ? { apiKey, metadata: { 'temporal-namespace': namespace } } : {}),
  };
}

/** Only the connection's own fields, so callers can pass a wider settings object (e.g. the worker's). */
export function connectOptions({ address, tls, apiKey, metadata }: TemporalConnectionSettings): TemporalConnectOptions {
  return {
    address,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(metadata ? { metadata } : {}),
  };
}
