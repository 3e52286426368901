/**
 * Which secret holds which key, and which process is given which (issue 20). In AWS there are up
 * to three Secrets Manager secrets, each a JSON object keyed by environment variable:
 *
 * - the shared runtime secret: where Temporal is, and the keys the API and the worker must agree on;
 * - the API's Temporal credential, readable by the API's role alone;
 * - the worker's Temporal credential, readable by the worker's task execution role alone.
 *
 * Each process proves itself to Temporal with its own credential, so Temporal can give each only
 * what it does (cdk/README.md, "Temporal access") and one can be revoked without the other. With
 * `temporalAuth=none` there is no credential, and no credential secret.
 */

/** The keys of the shared runtime secret. */
export const SHARED_SECRET_KEYS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TLS_CA',
  'CAREPATH_CODEC_KEYS',
  'CAREPATH_SIGNING_KEYS',
  'CAREPATH_PSEUDONYM_KEY',
] as const;
export type SharedSecretKey = (typeof SHARED_SECRET_KEYS)[number];

/** The keys of a process's own Temporal credential secret: an API key, or an mTLS client certificate. */
export const TEMPORAL_CREDENTIAL_KEYS = ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const;
export type TemporalCredentialKey = (typeof TEMPORAL_CREDENTIAL_KEYS)[number];

export type CarepathProcess = 'api' | 'worker';

/**
 * The shared keys each process is given, beyond `TEMPORAL_TLS_CA` (which both take when a private
 * CA signed the server's certificate). A key a process does not use is not given to it:
 *
 * - `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`: both talk to the same namespace.
 * - `CAREPATH_CODEC_KEYS`: both. The API seals what it starts and signals, opens what queries
 *   answer, and serves the Temporal UI's codec endpoint; the worker opens and seals the history.
 * - `CAREPATH_SIGNING_KEYS`: both. The API signs every command it sends; the worker checks every
 *   signature and signs what it seals itself (results, a caseload move's signals) — ADR 0014.
 * - `CAREPATH_PSEUDONYM_KEY`: the API only. It turns the NHS numbers of referrals, hospital feeds
 *   and searches into patient ids, and seals list cursors. The worker only ever meets the pseudonym
 *   already made (in the journey's id); given the key, a compromised worker could check guessed NHS
 *   numbers against every journey in Temporal. (`npm run retention -- erase` is run by a person
 *   with the key, not by the worker.)
 */
export const SHARED_KEYS_OF: Record<CarepathProcess, readonly SharedSecretKey[]> = {
  api: [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'CAREPATH_CODEC_KEYS',
    'CAREPATH_SIGNING_KEYS',
    'CAREPATH_PSEUDONYM_KEY',
  ],
  worker: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'CAREPATH_CODEC_KEYS', 'CAREPATH_SIGNING_KEYS'],
};

/** Every key any of the secrets may hold: none of them may appear as a plain environment variable. */
export const RUNTIME_SECRET_KEYS = [...SHARED_SECRET_KEYS, ...TEMPORAL_CREDENTIAL_KEYS] as const;
export type RuntimeSecretKey = (typeof RUNTIME_SECRET_KEYS)[number];
