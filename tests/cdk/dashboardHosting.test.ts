/**
 * Dashboard hosting: a private bucket that only this CloudFront distribution can read (origin
 * access control, no public access, TLS only), strict security headers on every response, and
 * the build published with a config.json naming this deployment's API and Cognito sign-in.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_CONFIG_FILE } from '../../cdk/dashboardHosting.js';
import { logicalId, synthCarepath } from './synth.js';

const { app, stack, template } = synthCarepath({ env: 'dev' });
const bucketId = logicalId(stack, stack.dashboard.bucket);
const distributionId = logicalId(stack, stack.dashboard.distribution);
const distribution = () =>
  (
    template.findResources('AWS::CloudFront::Distribution')[distributionId]!.Properties as {
      DistributionConfig: Record<string, unknown> & {
        DefaultCacheBehavior: Record<string, unknown>;
        Origins: Record<string, unknown>[];
      };
    }
  ).DistributionConfig;

describe('the dashboard bucket', () => {
  it('blocks all public access, is encrypted and versioned, and logs access', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LoggingConfiguration).toMatchObject({ LogFilePrefix: 's3/' });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
  });

  it('lets only this distribution read objects, over TLS', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0]!.Condition)).toContain(`"Ref":"${distributionId}"`);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the distribution', () => {
  it('reaches the bucket through origin access control (not an identity, not a website endpoint) and redirects to HTTPS', () => {
    const [origin] = distribution().Origins;
    expect(distribution().Origins).toHaveLength(1);
    expect(origin!.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'],
    });
    expect(origin!.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(JSON.stringify(origin!.DomainName)).toContain(bucketId);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    expect(distribution().DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(distribution().Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('sends strict security headers with every response', () => {
    const policyId = (distribution().DefaultCacheBehavior.ResponseHeadersPolicyId as { Ref: string }).Ref;
    const config = (
      template.findResources('AWS::CloudFront::ResponseHeadersPolicy')[policyId]!.Properties as {
        ResponseHeadersPolicyConfig: Record<string, Record<string, unknown>>;
      }
    ).ResponseHeadersPolicyConfig;
    const security = config.SecurityHeadersConfig as Record<string, Record<string, unknown>>;
    const csp = String(security.ContentSecurityPolicy!.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*\s*;|\s\*$/);
    // The API is called at its CloudFront address; its execute-api address refuses the dashboard.
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/\*\.cloudfront\.net https:\/\/cognito-idp\.eu-west-2\.amazonaws\.com/,
    );
    expect(csp).not.toContain('execute-api');
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(Number(security.StrictTransportSecurity!.AccessControlMaxAgeSec)).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'no-referrer' });
    expect(JSON.stringify(config.CustomHeadersConfig)).toContain('Permissions-Policy');
  });

  it('answers client-side routes with the app', () => {
    expect(distribution().DefaultRootObject).toBe('index.html');
    expect(distribution().CustomErrorResponses).toEqual(
      [403, 404].map((ErrorCode) => ({
        ErrorCode,
        ResponseCode: 200,
        ResponsePagePath: '/index.html',
        ErrorCachingMinTTL: 0,
      })),
    );
  });
});

describe('the published build', () => {
  const deployments = () => Object.entries(template.findResources('Custom::CDKBucketDeployment'));

  it('puts config.json beside the assets, naming this API and this Cognito sign-in', () => {
    const [, entry] = deployments().find(([, d]) => d.Properties.SourceMarkers)!;
    const markers = (entry.Properties.SourceMarkers as Record<string, unknown>[])[1]!;
    const staged = (entry.Properties.SourceObjectKeys as string[]).map((key) =>
      join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`),
    );
    const configDir = staged.find((dir) => existsSync(join(dir, RUNTIME_CONFIG_FILE)))!;
    const config = JSON.parse(readFileSync(join(configDir, RUNTIME_CONFIG_FILE), 'utf8')) as {
      apiBaseUrl: string;
      auth: Record<string, string>;
    };
    const resolve = (value: string) => markers[value];
    expect(config.auth.kind).toBe('cognito');
    expect(config.auth.region).toBe('eu-west-2');
    // The API's CloudFront address (cdk/apiEdge.ts), where the WAF is: the execute-api one refuses callers.
    expect(config.apiBaseUrl).toMatch(/^https:\/\//);
    expect(resolve(config.apiBaseUrl.replace(/^https:\/\//, ''))).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.apiEdge.distribution), 'DomainName'],
    });
    expect(resolve(config.auth.userPoolId!)).toEqual({ Ref: logicalId(stack, stack.identity.userPool) });
    expect(resolve(config.auth.clientId!)).toEqual({ Ref: logicalId(stack, stack.identity.dashboardClient) });
    expect(resolve(config.auth.domain!)).toEqual({
      'Fn::Join': ['', [{ Ref: logicalId(stack, stack.identity.domain) }, '.auth.eu-west-2.amazoncognito.com']],
    });
    expect(staged.flatMap((dir) => readdirSync(dir)).sort()).toEqual([RUNTIME_CONFIG_FILE, 'index.html']);
  });

  it('caches hashed assets for a year and the entry files never, and invalidates CloudFront after both are in place', () => {
    const [assetsId, assets] = deployments().find(([, d]) => !d.Properties.SourceMarkers)!;
    const [, entry] = deployments().find(([, d]) => d.Properties.SourceMarkers)!;
    expect(assets.Properties).toMatchObject({
      Exclude: ['index.html', RUNTIME_CONFIG_FILE],
      Prune: true,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(assets.Properties.DistributionId).toBeUndefined();
    expect(entry.Properties).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
    });
    expect(entry.DependsOn).toContain(assetsId);
  });
});
