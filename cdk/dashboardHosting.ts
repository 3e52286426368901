/**
 * The dashboard (dashboard/dist, a static React build) in a private S3 bucket, served only through
 * CloudFront with origin access control, with strict security headers. `config.json` beside the
 * assets tells the browser where the API and the Cognito sign-in are, so one build serves every
 * environment. The API is called cross-origin (CORS on the HTTP API allows exactly this origin):
 * routing `/api/*` through this distribution would make the distribution depend on the API, whose
 * authorizer depends on the Cognito client, whose callback URL is this distribution — a cycle that
 * only a custom domain name breaks.
 */
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

/** What the dashboard reads from `/config.json` at load. */
export interface DashboardRuntimeConfig {
  apiBaseUrl: string;
  auth: { kind: 'cognito'; region: string; userPoolId: string; clientId: string; domain: string };
}

export const RUNTIME_CONFIG_FILE = 'config.json';
/** Files that must never be cached long, because they name everything else. */
const ENTRY_FILES = ['index.html', RUNTIME_CONFIG_FILE];

export interface DashboardHostingProps {
  /** The built dashboard (`npm run build:dashboard` writes dashboard/dist). */
  distDir: string;
  /** prod: the buckets outlive the stack (their access logs are evidence). */
  retain: boolean;
  /** Days CloudFront and S3 access logs, and the upload helper's logs, are kept. */
  accessLogRetentionDays: number;
  /** Encrypts the upload helper's log group. */
  encryptionKey: kms.IKey;
  /** The WAF web ACL (in us-east-1) the distribution carries. */
  webAclArn: string;
}

export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  /** S3 and CloudFront access logs (the audit trail's bucket logs here too). */
  readonly accessLogs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<id>.cloudfront.net` */
  readonly origin: string;
  private readonly props: DashboardHostingProps;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    this.props = props;
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const region = Stack.of(this).region;

    const accessLogs = (this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { expiration: Duration.days(props.accessLogRetentionDays), noncurrentVersionExpiration: Duration.days(7) },
      ],
      removalPolicy,
    }));
    Validations.of(accessLogs).acknowledge(
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Access logs are operational evidence kept for a limited time, not records that need a second-region copy.',
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'CloudFront standard log delivery writes with bucket ACLs and SSE-S3, and these logs hold request metadata only, never patient data.',
      },
    );
    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });

    Validations.of(this.bucket).acknowledge(
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'The bucket holds only the public dashboard build, which is rebuilt from source on every deploy.',
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'The bucket holds only the public dashboard build (no patient data), so SSE-S3 suffices and avoids a KMS grant to CloudFront.',
      },
    );

    const cognitoHosts = `https://cognito-idp.${region}.amazonaws.com https://*.auth.${region}.amazoncognito.com`;
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'carepath dashboard: strict CSP, HSTS, no framing, no sniffing, no referrer leakage',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            // Charts and React set inline style attributes; no inline script is allowed.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            // The API is reached through its own CloudFront distribution (cdk/apiEdge.ts), whose host
            // is a token that would make this policy depend on the API (see the file comment).
            `connect-src 'self' https://*.cloudfront.net ${cognitoHosts}`,
            `form-action 'self' https://*.auth.${region}.amazoncognito.com`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
          ].join('; '),
        },
        strictTransportSecurity: {
          override: true,
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { override: true, frameOption: cloudfront.HeadersFrameOption.DENY },
        referrerPolicy: { override: true, referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER },
        xssProtection: { override: true, protection: false },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'carepath dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // A client-side route (/journeys/…) is not an object: answer with the app, which routes it.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclArn,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Staff may sign in from abroad (leave, cross-border care), so access is controlled by Cognito sign-in rather than geography.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain with its own certificate is the fix, and none is assumed here.',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }

  /** Uploads the build and its `config.json`; hashed assets are cached for a year, the entry files never. */
  deploy(config: DashboardRuntimeConfig): void {
    // Both deployments share one CDK-provided helper function, which logs here.
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      encryptionKey: this.props.encryptionKey,
      retention: this.props.accessLogRetentionDays as logs.RetentionDays,
      removalPolicy: this.props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [s3deploy.Source.asset(this.props.distDir, { exclude: ENTRY_FILES })],
      destinationBucket: this.bucket,
      exclude: ENTRY_FILES,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      memoryLimit: 512,
      logGroup,
    });
    const entry = new s3deploy.BucketDeployment(this, 'DeployEntry', {
      sources: [
        s3deploy.Source.asset(this.props.distDir, { exclude: ['*', ...ENTRY_FILES.map((f) => `!${f}`)] }),
        s3deploy.Source.jsonData(RUNTIME_CONFIG_FILE, config),
      ],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup,
    });
    // A new index.html must never point at assets that are not there yet.
    entry.node.addDependency(assets);
    this.acknowledgeDeploymentHelper();
  }

  /** The upload helper is a stack-level singleton that aws-cdk-lib creates for BucketDeployment. */
  private acknowledgeDeploymentHelper(): void {
    const stack = Stack.of(this);
    const helpers = stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (helpers.length !== 1) throw new Error(`expected one BucketDeployment helper, found ${helpers.length}`);
    const helper = helpers[0]!;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const assetsArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const deployOnly =
      'runs only during deployments, to copy the dashboard build into its bucket and invalidate CloudFront';
    Validations.of(helper).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: 'The runtime of this aws-cdk-lib upload helper is chosen and kept current by aws-cdk-lib itself.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The AWS-managed basic execution policy only lets the upload helper write its own logs.',
      },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `The helper reads the CDK asset bucket and lists the dashboard bucket, which is what aws-cdk-lib's ${action} grant covers.`,
      })),
      ...['s3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `The helper replaces the dashboard build, so it may ${action === 's3:Abort*' ? 'abort its own multipart uploads' : 'delete superseded objects'} in the dashboard bucket only.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*]`,
        reason:
          'The helper reads the dashboard build from the CDK bootstrap asset bucket, whose object keys are content hashes unknown before synthesis.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${assetsArn}/*]`,
        reason:
          'The helper writes every object of the dashboard bucket, because it holds nothing but the dashboard build.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudfront:CreateInvalidation and GetInvalidation are granted on all distributions by aws-cdk-lib, since the helper learns the distribution id at run time.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: `The inline policy belongs to the upload helper, which ${deployOnly}.`,
      },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason: `CloudFormation invokes the upload helper and records its failure itself; it ${deployOnly}.`,
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason: `The upload helper ${deployOnly}, one invocation per deployment.`,
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason: `The upload helper ${deployOnly}, and touches only the public dashboard build, never patient data.`,
      },
    );
  }
}
