/**
 * Builds the API's dependencies from the environment, the same way for the Node server and the
 * Lambda handler: one Temporal connection per process, reused by every request.
 */
import { readFileSync } from 'node:fs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { Client, Connection } from '@temporalio/client';
import { createDocumentClient, dataConfigFromEnv } from '../activities/dynamo.js';
import { pseudonymKeyFromEnv } from '../activities/pseudonym.js';
import { createReadModel } from '../activities/readModel.js';
import { loadHospitalFeeds, loadProgrammes, loadReferralsSharedWithin } from '../config/programmeFiles.js';
import { codecFromEnv } from '../temporal/payloadCodec.js';
import { connectOptions, temporalConnectionFromEnv } from '../temporal/connection.js';
import { cognitoAuthenticator, devAuthenticator, type Authenticator, type UserPoolKeys } from './auth.js';
import type { AppDeps } from './app.js';
import { createJourneyGateway } from './journeyGateway.js';
import { ORIGIN_SECRET_ENV } from './originLock.js';
import { rateLimitsFromEnv } from './rateLimits.js';

/**
 * `userPoolKeys` pre-loads the user pool's signing keys instead of fetching them from Cognito: the
 * security probe (scripts/securityProbe.ts) verifies tokens exactly as in AWS against a pool it
 * made up. It is a parameter, never an environment variable, so no deployment can be told to trust
 * other keys.
 */
export function authenticatorFromEnv(env: NodeJS.ProcessEnv, userPoolKeys?: UserPoolKeys): Authenticator {
  if (env.CAREPATH_DEV_AUTH === '1') {
    if (env.COGNITO_USER_POOL_ID)
      throw new Error(
        'CAREPATH_DEV_AUTH=1 and COGNITO_USER_POOL_ID are both set: development sign-in is never allowed beside Cognito.',
      );
    const secret =
      env.CAREPATH_DEV_AUTH_SECRET ??
      (env.CAREPATH_DEV_AUTH_SECRET_FILE ? readFileSync(env.CAREPATH_DEV_AUTH_SECRET_FILE, 'utf8').trim() : undefined);
    if (!secret || secret.length < 32)
      throw new Error('CAREPATH_DEV_AUTH=1 needs CAREPATH_DEV_AUTH_SECRET (32+ characters); npm start provides one.');
    return devAuthenticator(secret);
  }
  if (!env.COGNITO_USER_POOL_ID || !env.COGNITO_CLIENT_ID)
    throw new Error('Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID (or CAREPATH_DEV_AUTH=1 for local development).');
  const ids = (list: string | undefined) =>
    (list ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  // Comma-separated: the app clients people sign in through, and the integration engines' ones.
  return cognitoAuthenticator({
    userPoolId: env.COGNITO_USER_POOL_ID,
    clientId: ids(env.COGNITO_CLIENT_ID),
    integrationClientId: ids(env.COGNITO_INTEGRATION_CLIENT_ID),
    ...(userPoolKeys ? { jwks: userPoolKeys } : {}),
  });
}

export async function appDepsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  opts: { userPoolKeys?: UserPoolKeys } = {},
): Promise<AppDeps> {
  const data = dataConfigFromEnv(env);
  const doc = createDocumentClient(data);
  const temporal = temporalConnectionFromEnv(env);
  const connection = await Connection.connect(connectOptions(temporal));
  const codec = codecFromEnv(env);
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}),
  });
  return {
    programmes: loadProgrammes(env),
    hospitalFeeds: loadHospitalFeeds(env),
    referralsSharedWithin: loadReferralsSharedWithin(env),
    ...(env.CAREPATH_SMALL_NUMBERS_BELOW
      ? { smallNumbersBelow: smallNumbersBelowFrom(env.CAREPATH_SMALL_NUMBERS_BELOW) }
      : {}),
    rateLimits: rateLimitsFromEnv(env),
    rateLimitCounts: { doc, tableName: data.tableName },
    gateway: createJourneyGateway(client),
    read: createReadModel(doc, data.tableName),
    auth: authenticatorFromEnv(env, opts.userPoolKeys),
    pseudonymKey: pseudonymKeyFromEnv(env),
    ...(codec ? { codec } : {}),
    ...(env.CAREPATH_TEMPORAL_UI_ORIGIN ? { temporalUiOrigin: env.CAREPATH_TEMPORAL_UI_ORIGIN } : {}),
    ...(env[ORIGIN_SECRET_ENV] ? { originSecret: env[ORIGIN_SECRET_ENV] } : {}),
    health: async () => {
      const [temporal, dynamodb] = await Promise.all([
        connection.healthService.check({}).then(
          () => true,
          () => false,
        ),
        doc.send(new DescribeTableCommand({ TableName: data.tableName })).then(
          () => true,
          () => false,
        ),
      ]);
      return { temporal, dynamodb };
    },
  };
}

/** `CAREPATH_SMALL_NUMBERS_BELOW`: a whole number, 0 to 100 (0 or 1 shows every count). */
export function smallNumbersBelowFrom(value: string): number {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value) || n > 100)
    throw new Error(`CAREPATH_SMALL_NUMBERS_BELOW must be a whole number from 0 to 100, not "${value}".`);
  return n;
}
