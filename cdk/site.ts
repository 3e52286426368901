/**
 * carepath's one public address: a CloudFront distribution in front of the HTTP API, carrying the
 * WAF web ACL (cdk/edge.ts) that API Gateway HTTP APIs cannot take themselves. The API's Lambda
 * serves the dashboard too (its build is bundled with it, lambdas/dashboardSite.ts), so the
 * dashboard and the API share an origin: no CORS for the dashboard, and the break-glass codec
 * cookie is set first-party. API answers are never cached, and every method, header, cookie and
 * query string passes through except Host (API Gateway routes on its own host name); the
 * dashboard's fingerprinted assets are cached at the edge, so a page load costs the Lambda one
 * small request for index.html.
 *
 * One distribution and no bucket of static files means no upload helper either: the CDK's
 * BucketDeployment Lambda, with its broad S3 grants, is gone with the bucket.
 *
 * The execute-api address stays public (turning it off needs a custom domain, which none is
 * assumed here), so CloudFront adds a header holding a generated secret and the app refuses any
 * request without it (lambdas/originLock.ts): the WAF cannot be walked around.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_ARN_ENV, ORIGIN_CHECK_HEADER } from '../lambdas/originLock.js';
import type { Api } from './api.js';

export interface SiteProps {
  api: Api;
  /** The WAF web ACL (in us-east-1) the distribution carries. */
  webAclArn: string;
  /** Encrypts the origin secret. */
  encryptionKey: kms.IKey;
  /** prod: keep the origin secret if the stack goes, with the key that reads it. */
  retain: boolean;
}

export class Site extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The value CloudFront sends in ORIGIN_CHECK_HEADER; the API's Lambda reads it at cold start. */
  readonly originSecret: secretsmanager.Secret;
  /** `https://<id>.cloudfront.net`: the dashboard, and the API's base URL, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `carepath: the header value by which the API knows a request came through CloudFront and its WAF`,
      encryptionKey: props.encryptionKey,
      // Letters and digits only: it travels as an HTTP header value.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.originSecret).acknowledge(
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'CloudFront reads this value only when the stack deploys, so rotation would lock the API out; replace it by redeploying after a new value is generated.',
      },
      {
        id: 'HIPAA.Security-SecretsManagerRotationEnabled',
        reason:
          'The origin secret is fixed in the distribution at deploy time, so automatic rotation would refuse every request until the next deploy.',
      },
    );

    props.api.handler.addEnvironment(ORIGIN_SECRET_ARN_ENV, this.originSecret.secretArn);
    this.originSecret.grantRead(props.api.handler);

    const { httpApi } = props.api;
    const origin = new origins.HttpOrigin(`${httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // The template holds a dynamic reference that CloudFormation resolves at deploy, never the value.
      customHeaders: { [ORIGIN_CHECK_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
      // The Lambda finishes (or fails) within 28 s; wait for it.
      readTimeout: Duration.seconds(30),
    });
    // Vite fingerprints everything under assets/ (the Lambda marks them immutable): cache them at
    // the edge, compressed, whoever asks. Nothing else is cached.
    const staticAsset: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'carepath: the dashboard and the API',
      defaultBehavior: {
        origin,
        // Never redirect: a token sent over plain HTTP has already leaked, so it is refused outright.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every answer is for one caller: nothing may be cached. With caching off, the all-viewer
        // policy also forwards Authorization, which no origin request policy may name.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
      additionalBehaviors: { '/assets/*': staticAsset },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
      enableLogging: false,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Staff may sign in from abroad and trusts reach the API from any network, so access is controlled by Cognito tokens rather than geography.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "CloudFront's standard log records query strings, which carry NHS numbers on patient searches; the API access log and the redacted WAF log record requests instead.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain with its own certificate is the fix, and none is assumed here.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
  }
}
