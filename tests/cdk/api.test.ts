/**
 * The HTTP API: every route of lambdas/routes.ts behind the Cognito JWT authorizer but the codec's
 * (a break-glass cookie the app checks) and CORS preflights (and nothing else published), throttled and access-logged; the Lambda on a current Node runtime, arm64, in
 * the VPC, with bounded memory, time and concurrency, its secrets fetched at cold start rather
 * than placed in its environment — and its esbuild bundle loads on Node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_ONLY_PATHS, publishedRoutes } from '../../cdk/api.js';
import { BUNDLED_DASHBOARD_DIR, COGNITO_DOMAIN_ENV } from '../../lambdas/dashboardSite.js';
import { ORIGIN_SECRET_ARN_ENV, ORIGIN_SECRET_ENV } from '../../lambdas/originLock.js';
import {
  RUNTIME_SECRET_ARN_ENV,
  RUNTIME_SECRET_KEYS,
  TEMPORAL_CREDENTIAL_SECRET_ARN_ENV,
} from '../../lambdas/runtimeSecrets.js';
import { routes } from '../../lambdas/routes.js';
import { actionsOf, logicalId, secretsIn, statementsOfRole, synthCarepath } from './synth.js';

const { app, stack, template } = synthCarepath({ env: 'prod', apiReservedConcurrency: 40 });
const apiId = logicalId(stack, stack.api.httpApi);
const fnId = logicalId(stack, stack.api.handler);
const fn = () =>
  template.findResources('AWS::Lambda::Function')[fnId]!.Properties as Record<string, unknown> & {
    Environment: { Variables: Record<string, unknown> };
  };

describe('the API routes', () => {
  const published = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => r.Properties as { RouteKey: string; AuthorizationType?: string; AuthorizerId?: unknown },
  );

  it('publish every route of the app behind the authorizer but the development sign-in and the codec, and a default route', () => {
    const codec = routes.filter((r) => r.codecSession).map((r) => `${r.method} ${r.path}`);
    expect(codec).toEqual(['POST /codec/decode', 'POST /codec/encode']);
    expect(publishedRoutes().length).toBe(routes.length - DEV_ONLY_PATHS.length - codec.length);
    expect(published.map((r) => r.RouteKey).sort()).toEqual(
      [...publishedRoutes().map((r) => `${r.method} ${r.path}`), '$default'].sort(),
    );
    for (const hidden of ['POST /auth/dev-token', ...codec])
      expect(published.map((r) => r.RouteKey)).not.toContain(hidden);
    expect(published.some((r) => r.RouteKey.includes('proxy+'))).toBe(false);
  });

  it('all carry the Cognito JWT authorizer, but the default route (the dashboard, preflights and the codec, which the app checks)', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    expect(Object.keys(authorizers)).toHaveLength(1);
    const open = published.filter((r) => (r.AuthorizationType ?? 'NONE') === 'NONE').map((r) => r.RouteKey);
    expect(open).toEqual(['$default']);
    for (const route of published.filter((r) => r.RouteKey !== '$default')) {
      expect(route.AuthorizationType, route.RouteKey).toBe('JWT');
      expect(route.AuthorizerId, route.RouteKey).toEqual({ Ref: authorizerId });
    }
  });

  it('accept tokens of the user pool and its two app clients only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          { Ref: logicalId(stack, stack.identity.dashboardClient) },
          { Ref: logicalId(stack, stack.identity.integrationClient) },
        ],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.eu-west-2.amazonaws.com/', { Ref: logicalId(stack, stack.identity.userPool) }],
          ],
        },
      },
    });
  });

  it('tells the Lambda how the dashboard it serves signs people in: the pool, the dashboard client first, the hosted UI', () => {
    const env = fn().Environment.Variables;
    expect(env.COGNITO_USER_POOL_ID).toEqual({ Ref: logicalId(stack, stack.identity.userPool) });
    expect(env.COGNITO_CLIENT_ID).toEqual({ Ref: logicalId(stack, stack.identity.dashboardClient) });
    expect(env[COGNITO_DOMAIN_ENV]).toEqual({
      'Fn::Join': ['', [{ Ref: logicalId(stack, stack.identity.domain) }, '.auth.eu-west-2.amazoncognito.com']],
    });
  });

  it('leave CORS to the app, which is told the Temporal UI origin (the dashboard is the same origin)', () => {
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0]!.Properties as Record<
      string,
      unknown
    >;
    expect(api.CorsConfiguration).toBeUndefined();
    expect(fn().Environment.Variables).toMatchObject({ CAREPATH_TEMPORAL_UI_ORIGIN: 'https://cloud.temporal.io' });
  });
});

describe('the API stage', () => {
  it('is throttled and writes JSON access logs (ids and timings, no tokens) to an encrypted log group', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties as {
      DefaultRouteSettings: Record<string, number>;
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
      ApiId: unknown;
    };
    expect(stage.ApiId).toEqual({ Ref: apiId });
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      route: '$context.routeKey',
    });
    expect(Object.values(format).join(' ')).not.toMatch(/header|querystring|body/i);
    const logGroup =
      template.findResources('AWS::Logs::LogGroup')[stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.encryption.key), 'Arn'] });
  });
});

describe('the API Lambda', () => {
  it('runs Node 22 or later on arm64, with bounded memory, timeout and reserved concurrency, inside the VPC', () => {
    const props = fn();
    expect(props.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.MemorySize).toBe(1024);
    expect(props.Timeout).toBeLessThan(30);
    expect(props.ReservedConcurrentExecutions).toBe(40);
    expect(props.VpcConfig).toEqual({ SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) });
    expect(props.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
  });

  it('is configured from plain settings plus secret ARNs: no secret value is in its environment', () => {
    const env = fn().Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'CAREPATH_TABLE',
        RUNTIME_SECRET_ARN_ENV,
        TEMPORAL_CREDENTIAL_SECRET_ARN_ENV,
        // The CloudFront origin secret (cdk/site.ts), read like the runtime secret at cold start.
        ORIGIN_SECRET_ARN_ENV,
        'COGNITO_USER_POOL_ID',
        'COGNITO_CLIENT_ID',
        'COGNITO_INTEGRATION_CLIENT_ID',
        'CAREPATH_TEMPORAL_UI_ORIGIN',
        COGNITO_DOMAIN_ENV,
        'TEMPORAL_TLS',
        'NODE_OPTIONS',
      ].sort(),
    );
    for (const key of [...RUNTIME_SECRET_KEYS, ORIGIN_SECRET_ENV]) expect(env).not.toHaveProperty(key);
    expect(JSON.stringify(env[RUNTIME_SECRET_ARN_ENV])).toContain(':secret:carepath/prod/runtime');
    expect(JSON.stringify(env[TEMPORAL_CREDENTIAL_SECRET_ARN_ENV])).toContain(':secret:carepath/prod/temporal/api');
    // People's ID tokens from the dashboard's client; engines' access tokens from theirs (lambdas/auth.ts).
    expect(env.COGNITO_CLIENT_ID).toEqual({ Ref: logicalId(stack, stack.identity.dashboardClient) });
    expect(env.COGNITO_INTEGRATION_CLIENT_ID).toEqual({ Ref: logicalId(stack, stack.identity.integrationClient) });
  });

  it("may read the shared runtime secret and the API's Temporal credential, and nothing else in Secrets Manager", () => {
    const statements = statementsOfRole(template, logicalId(stack, stack.api.handler.role!)).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    for (const statement of statements)
      expect(new Set(actionsOf(statement))).toEqual(
        new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
    expect(secretsIn(statements)).toEqual(['carepath/prod/runtime', 'carepath/prod/temporal/api']);
  });

  it('is one esbuild bundle of lambdas/lambda.ts, with the dashboard and the report fonts beside it, that loads on Node and exports the handler', () => {
    const code = fn().Code as { S3Key: string };
    const assetDir = join(app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(assetDir)).toBe(true);
    expect(readdirSync(assetDir).sort()).toEqual([BUNDLED_DASHBOARD_DIR, 'index.mjs', 'index.mjs.map', 'report-fonts']);
    // The font the PDF reports embed (lambdas/reportFonts.ts); a bundle has no node_modules to read it from.
    expect(readdirSync(join(assetDir, 'report-fonts')).sort()).toEqual([
      'NotoSans_400Regular.ttf',
      'NotoSans_700Bold.ttf',
    ]);
    // The dashboard's build as it was given, without its source maps.
    const bundled = readdirSync(join(assetDir, BUNDLED_DASHBOARD_DIR), { recursive: true }).map(String).sort();
    expect(bundled).toEqual(['assets', join('assets', 'index-3f2a1c.js'), 'index.html']);
    // Loading starts the cold start (secret fetch, Temporal connection); with nothing to reach it
    // fails afterwards, which is fine here: what matters is that the module itself loads.
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(assetDir, 'index.mjs'))}); console.log('handler:' + typeof m.handler); process.exit(0);`,
      ],
      {
        env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: '127.0.0.1:1', AWS_REGION: 'eu-west-2' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(probe.stdout, probe.stderr).toContain('handler:function');
  });
});
