/**
 * The HTTP API: API Gateway (HTTP API) in front of one Lambda running the same Hono app as
 * `npm start` (lambdas/lambda.ts). Every route of lambdas/routes.ts is declared here with the
 * Cognito JWT authorizer, so unauthenticated and unknown requests stop at the gateway and never
 * start a Lambda; the app still checks role and team on each call. Throttled, access-logged,
 * and limited by reserved concurrency so a flood cannot exhaust Temporal or DynamoDB.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLED_DASHBOARD_DIR, COGNITO_DOMAIN_ENV } from '../lambdas/dashboardSite.js';
import { copyReportFonts } from '../lambdas/reportFonts.js';
import { RUNTIME_SECRET_ARN_ENV, TEMPORAL_CREDENTIAL_SECRET_ARN_ENV } from '../lambdas/runtimeSecrets.js';
import { routes, type RouteSpec } from '../lambdas/routes.js';
import { apiWrites, tableActions, type Data } from './data.js';
import type { RuntimeSecret } from './runtimeSecret.js';
import type { TemporalCredential } from './temporalCredential.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Routes that exist only for local development (`CAREPATH_DEV_AUTH=1`) and are not published in AWS. */
export const DEV_ONLY_PATHS = ['/auth/dev-token'];

/**
 * The routes API Gateway publishes, each behind the JWT authorizer: every route of the app but the
 * dev-only ones and the codec's. The codec takes a break-glass session in a cookie, which a JWT
 * authorizer cannot read, so it reaches the app through the default route with the dashboard's
 * files and CORS preflights, and the app checks it.
 */
export const publishedRoutes = (): RouteSpec[] =>
  routes.filter((r) => !DEV_ONLY_PATHS.includes(r.path) && !r.codecSession);

export const API_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * How esbuild bundles the handler, beside the ESM format: exported so a test can bundle a module the
 * same way and run it where no node_modules are (tests/reports/bundledReport.test.ts).
 */
export const API_ESBUILD = {
  target: 'node24',
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner:
    "import { createRequire as __carepathCreateRequire } from 'node:module'; const require = __carepathCreateRequire(import.meta.url);",
  minify: true,
};

export interface ApiProps {
  vpc: ec2.IVpc;
  data: Data;
  userPool: cognito.IUserPool;
  /** App clients people sign in through: the authorizer and the app accept their ID tokens. */
  peopleClients: cognito.IUserPoolClient[];
  /** Integration engines' client-credentials app clients: their access tokens, with the integration scope. */
  integrationClients: cognito.IUserPoolClient[];
  runtimeSecret: RuntimeSecret;
  /** The API's own Temporal credential; none when Temporal takes no client credential. */
  temporalCredential?: TemporalCredential;
  encryptionKey: kms.IKey;
  /**
   * The built dashboard (dashboard/dist), bundled with the Lambda, which serves it at the API's own
   * origin (lambdas/dashboardSite.ts), and the Cognito hosted UI domain its sign-in goes through.
   */
  dashboard: { distDir: string; cognitoDomain: string };
  /** The Temporal Web UI's origin, allowed to call the codec with credentials (CAREPATH_TEMPORAL_UI_ORIGIN). */
  temporalUiOrigin: string;
  /** Codec key ids sealed before payloads were signed (CAREPATH_UNSIGNED_KEY_IDS); none by default. */
  unsignedKeyIds?: string[];
  /** `false` only for a self-hosted Temporal reached in plaintext on a private network. */
  temporalTls: boolean;
  memoryMiB: number;
  reservedConcurrency: number;
  throttle: { rate: number; burst: number };
  logRetentionDays: number;
  retainLogs: boolean;
}

export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly handler: nodejs.NodejsFunction;
  /** The handler's log group (the break-glass alarm counts lines in it). */
  readonly logGroup: logs.LogGroup;
  /** Base URL of the API, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const removalPolicy = props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = props.logRetentionDays as logs.RetentionDays;

    const securityGroup = new ec2.SecurityGroup(this, 'HandlerSecurityGroup', {
      vpc: props.vpc,
      description: 'carepath API Lambda: no inbound; outbound to Temporal, DynamoDB, Secrets Manager and Cognito',
      allowAllOutbound: true,
    });
    this.handler = new nodejs.NodejsFunction(this, 'Handler', {
      entry: join(root, 'lambdas', 'lambda.ts'),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: API_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      // API Gateway gives up after 30 s; finish (or fail) before it does.
      timeout: Duration.seconds(28),
      reservedConcurrentExecutions: props.reservedConcurrency,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: (this.logGroup = new logs.LogGroup(this, 'HandlerLogs', {
        encryptionKey: props.encryptionKey,
        retention,
        removalPolicy,
      })),
      environment: {
        CAREPATH_TABLE: props.data.table.tableName,
        [RUNTIME_SECRET_ARN_ENV]: props.runtimeSecret.secret.secretArn,
        ...(props.temporalCredential
          ? { [TEMPORAL_CREDENTIAL_SECRET_ARN_ENV]: props.temporalCredential.secret.secretArn }
          : {}),
        COGNITO_USER_POOL_ID: props.userPool.userPoolId,
        COGNITO_CLIENT_ID: props.peopleClients.map((c) => c.userPoolClientId).join(','),
        COGNITO_INTEGRATION_CLIENT_ID: props.integrationClients.map((c) => c.userPoolClientId).join(','),
        CAREPATH_TEMPORAL_UI_ORIGIN: props.temporalUiOrigin,
        [COGNITO_DOMAIN_ENV]: props.dashboard.cognitoDomain,
        TEMPORAL_TLS: String(props.temporalTls),
        ...(props.unsignedKeyIds?.length ? { CAREPATH_UNSIGNED_KEY_IDS: props.unsignedKeyIds.join(',') } : {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // esbuild from node_modules, never a Docker image: synth works offline and without a daemon.
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        ...API_ESBUILD,
        // The SDK version we test with, not whichever the runtime ships.
        externalModules: [],
        sourceMap: true,
        // The dashboard's build beside the handler, without its source maps (lambdas/dashboardSite.ts),
        // and the fonts the PDF reports embed (lambdas/reportFonts.ts).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            `cp -R "${props.dashboard.distDir}" "${join(output, BUNDLED_DASHBOARD_DIR)}"`,
            `find "${join(output, BUNDLED_DASHBOARD_DIR)}" -name '*.map' -delete`,
            ...copyReportFonts(output),
          ],
        },
      },
    });
    props.data.grant(this.handler, tableActions.api, apiWrites);
    props.runtimeSecret.secret.grantRead(this.handler);
    props.temporalCredential?.grantRead(this.handler);
    Validations.of(this.handler).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'API Gateway invokes this function synchronously and hands any failure back to the caller, so there is no asynchronous event to dead-letter.',
    });
    Validations.of(this.handler.role!).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AWS-managed basic execution policy only lets the function write its own logs, which every Lambda needs.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'The AWS-managed VPC access policy only manages the network interfaces a Lambda in a VPC needs, and those actions support no resource scoping.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          "The inline policy holds this role's least-privilege grants (named table actions, the shared secret, the API's Temporal credential) and cannot be attached to any other principal.",
      },
    );

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.encryptionKey,
      retention,
      removalPolicy,
    });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'carepath API',
      createDefaultStage: false,
      // No CORS here: the dashboard shares the API's origin, and only the Temporal Web UI calls
      // across origins, to the codec, with credentials. API Gateway would answer every route's
      // preflight alike and overwrite the app's answers; the app answers them (lambdas/cors.ts).
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // Ids and timings only: no query strings, bodies or tokens.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            staffId: '$context.authorizer.claims.sub',
            responseLength: '$context.responseLength',
          }),
        ),
      },
    });

    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.userPool, {
      userPoolClients: [...props.peopleClients, ...props.integrationClients],
      userPoolRegion: Stack.of(this).region,
    });
    const integration = new HttpLambdaIntegration('App', this.handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of publishedRoutes()) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        authorizer,
      });
    }
    // Everything else goes to the app unchecked by the gateway: the dashboard's files, CORS
    // preflights, the codec (opened only by its break-glass session) and anything unknown (404).
    const fallback = new apigwv2.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration,
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The default route reaches only what the app opens without a sign-in (the dashboard, CORS preflights, and the codec, which checks its own break-glass session) and answers the rest 404.',
    });
    this.url = this.httpApi.apiEndpoint;
  }
}
