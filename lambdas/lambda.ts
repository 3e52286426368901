/** The API on AWS Lambda behind API Gateway (HTTP API events); dependencies built once per container. */
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';
import { withOriginSecret } from './originLock.js';
import { withRuntimeSecrets } from './runtimeSecrets.js';
import { appDepsFromEnv } from './wiring.js';

const app = withRuntimeSecrets(process.env).then(withOriginSecret).then(appDepsFromEnv).then(createApp);

export const handler: ReturnType<typeof handle> = async (event, context) => handle(await app)(event, context);
