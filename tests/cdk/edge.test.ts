/**
 * The edge: a WAF web ACL in us-east-1 (the only region CloudFront takes one from) carried by the
 * site's distribution — carepath's one address, in front of the HTTP API, which serves the
 * dashboard too — with AWS's managed rules, a per-address rate limit sized for a trust behind one NAT address, and a log that keeps
 * tokens, cookies and searched-for NHS numbers out. The API's execute-api address refuses what
 * did not come through CloudFront, by a header whose value never appears in the template.
 */
import { describe, expect, it } from 'vitest';
import { carepathConfig } from '../../cdk/config.js';
import { COUNTED_COMMON_RULES } from '../../cdk/edge.js';
import { EDGE_REGION } from '../../cdk/edgeStack.js';
import { ORIGIN_SECRET_ARN_ENV, ORIGIN_CHECK_HEADER } from '../../lambdas/originLock.js';
import { defaultRateLimits } from '../../lambdas/rateLimits.js';
import { bodyLimitOf } from '../../lambdas/routes/shared.js';
import { routes } from '../../lambdas/routes.js';
import { actionsOf, logicalId, statementsOfRole, synthCarepath } from './synth.js';

const dev = synthCarepath({ env: 'dev' });
const prod = synthCarepath({ env: 'prod', wafRequestsPerIpPerMinute: '9000' });
const { stack, edge, template, edgeTemplate } = dev;

interface Rule {
  Name: string;
  Priority: number;
  Statement: {
    ManagedRuleGroupStatement?: { VendorName: string; Name: string; RuleActionOverrides?: unknown[] };
    RateBasedStatement?: { AggregateKeyType: string; Limit: number; EvaluationWindowSec: number };
  };
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
}
const webAclOf = (t: typeof edgeTemplate) =>
  Object.values(t.findResources('AWS::WAFv2::WebACL'))[0]!.Properties as {
    Scope: string;
    DefaultAction: unknown;
    Rules: Rule[];
    CustomResponseBodies: Record<string, { Content: string }>;
  };
const webAcl = webAclOf(edgeTemplate);
const rule = (name: string) => webAcl.Rules.find((r) => r.Name === name)!;

type DistributionConfig = {
  WebACLId: unknown;
  HttpVersion: string;
  Logging?: unknown;
  Origins: {
    DomainName: unknown;
    OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
    CustomOriginConfig?: Record<string, unknown>;
  }[];
  DefaultCacheBehavior: Record<string, unknown>;
};
const distribution = (construct: Parameters<typeof logicalId>[1]) =>
  (
    template.findResources('AWS::CloudFront::Distribution')[logicalId(stack, construct)]!.Properties as {
      DistributionConfig: DistributionConfig;
    }
  ).DistributionConfig;
const api = distribution(stack.site.distribution);

describe('the WAF web ACL', () => {
  it('lives in its own stack in us-east-1, for CloudFront, and lets through what no rule stops', () => {
    expect(edge.region).toBe(EDGE_REGION);
    expect(stack.region).toBe('eu-west-2');
    expect(edge.stackName).toBe('Carepath-dev-edge');
    expect(webAcl.Scope).toBe('CLOUDFRONT');
    expect(webAcl.DefaultAction).toEqual({ Allow: {} });
  });

  it("applies AWS's IP reputation, common and known-bad-inputs rule sets, blocking", () => {
    const managed = webAcl.Rules.filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement!.Name).sort()).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    for (const r of managed) {
      expect(r.Statement.ManagedRuleGroupStatement!.VendorName).toBe('AWS');
      // `None` keeps each group's own block actions; `Count` would turn the whole group off.
      expect(r.OverrideAction, r.Name).toEqual({ None: {} });
    }
    // Known-bad addresses go before they count towards anyone's rate.
    expect(rule('AWSManagedRulesAmazonIpReputationList').Priority).toBeLessThan(
      rule('RequestsPerIpPerMinute').Priority,
    );
  });

  it("only counts the common rule set's 8 KB body limit (the app limits each route's body) and its no-User-Agent rule", () => {
    expect(rule('AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement!.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
    ]);
    expect(Object.keys(COUNTED_COMMON_RULES)).toEqual(['SizeRestrictions_BODY', 'NoUserAgent_HEADER']);
    // Why the body rule cannot block: routes take far more than 8 KB (FHIR bundles, the codec).
    const large = routes.filter((r) => r.method !== 'GET' && bodyLimitOf(r) > 8 * 1024);
    expect(large.map((r) => r.path)).toEqual(expect.arrayContaining(['/referrals', '/adt', '/codec/decode']));
    expect(Math.max(...large.map(bodyLimitOf))).toBe(4 * 1024 * 1024);
  });

  it("answers one address's flood 429 with Retry-After, per minute, at the configured limit", () => {
    expect(rule('RequestsPerIpPerMinute').Statement.RateBasedStatement).toEqual({
      AggregateKeyType: 'IP',
      Limit: 600,
      EvaluationWindowSec: 60,
    });
    expect(rule('RequestsPerIpPerMinute').Action).toEqual({
      Block: {
        CustomResponse: {
          ResponseCode: 429,
          CustomResponseBodyKey: 'RateLimited',
          ResponseHeaders: [{ Name: 'retry-after', Value: '60' }],
        },
      },
    });
    expect(JSON.parse(webAcl.CustomResponseBodies.RateLimited!.Content)).toMatchObject({ status: 429 });
    expect(
      webAclOf(prod.edgeTemplate).Rules.find((r) => r.Name === 'RequestsPerIpPerMinute')!.Statement.RateBasedStatement!
        .Limit,
    ).toBe(9000);
  });

  it('sits above what one trust may send the app by default in prod, so a trust behind one NAT address meets the app’s own limits first', () => {
    const prodConfig = carepathConfig((key) => ({ env: 'prod' })[key]);
    const perMinute = prodConfig.edge.requestsPerIpPerMinute;
    expect(perMinute).toBeGreaterThanOrEqual(defaultRateLimits.adtPerMinute);
    // …and leaves at least half the stage's throttle to everyone else.
    expect(perMinute / 60).toBeLessThanOrEqual(prodConfig.api.throttleRate / 2);
  });

  it('logs only what it blocked or counted, to an encrypted aws-waf-logs- group, with token, cookie and query string redacted', () => {
    const [logGroupId, logGroup] = Object.entries(edgeTemplate.findResources('AWS::Logs::LogGroup'))[0]!;
    expect(logGroup.Properties.LogGroupName).toBe('aws-waf-logs-carepath-dev');
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EncryptionKey/), 'Arn'] });
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    const [logging] = Object.values(edgeTemplate.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(logging!.DependsOn).toContain(logGroupId);
    expect(JSON.stringify(logging!.Properties.LogDestinationConfigs)).toContain(':log-group:aws-waf-logs-carepath-dev');
    expect(JSON.stringify(logging!.Properties.LogDestinationConfigs)).not.toContain(':*');
    expect(logging!.Properties.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'cookie' } },
      { QueryString: {} },
    ]);
    expect(logging!.Properties.LoggingFilter).toEqual({
      DefaultBehavior: 'DROP',
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'].map((Action) => ({ ActionCondition: { Action } })),
        },
      ],
    });
  });
});

describe('the distribution', () => {
  it("is the stack's only one, and carries the edge stack's web ACL, read across regions without a custom resource", () => {
    expect(Object.keys(template.findResources('AWS::CloudFront::Distribution'))).toEqual([
      logicalId(stack, stack.site.distribution),
    ]);
    expect(api.WebACLId).toEqual({
      'Fn::GetStackOutput': {
        StackName: 'Carepath-dev-edge',
        Region: EDGE_REGION,
        OutputName: expect.stringMatching(/WebAcl.*Arn/),
      },
    });
    expect(Object.keys(template.findResources('Custom::CrossRegionExportReader'))).toEqual([]);
    expect(stack.dependencies).toContain(edge);
  });
});

describe('the site distribution', () => {
  it('sends everything to the HTTP API over TLS 1.2, caching nothing and forwarding every header but Host', () => {
    expect(api.Origins).toHaveLength(1);
    expect(api.Origins[0]!.DomainName).toEqual({
      'Fn::Join': [
        '',
        [{ Ref: logicalId(stack, stack.api.httpApi) }, '.execute-api.eu-west-2.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
    expect(api.Origins[0]!.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
      OriginReadTimeout: 30,
    });
    const behaviour = api.DefaultCacheBehavior;
    expect(behaviour.ViewerProtocolPolicy).toBe('https-only');
    expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies (Authorization, cookies, query strings).
    expect(behaviour.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behaviour.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(api.HttpVersion).toBe('http2and3');
  });

  it('adds the origin header from a generated Secrets Manager secret, never a literal in the template', () => {
    const secretId = logicalId(stack, stack.site.originSecret);
    const secret = template.findResources('AWS::SecretsManager::Secret')[secretId]!.Properties;
    expect(secret.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret.SecretString).toBeUndefined();
    expect(secret.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.encryption.key), 'Arn'] });
    expect(api.Origins[0]!.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_CHECK_HEADER,
        HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
      },
    ]);
  });

  it("lets the API's Lambda read that secret, and names it to the Lambda by ARN only", () => {
    const secretId = logicalId(stack, stack.site.originSecret);
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.api.handler)]!.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    expect(fn.Environment.Variables[ORIGIN_SECRET_ARN_ENV]).toEqual({ Ref: secretId });
    const reads = statementsOfRole(template, logicalId(stack, stack.api.handler.role!)).filter((s) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads.flatMap((s) => [s.Resource].flat())).toContainEqual({ Ref: secretId });
  });

  it("caches only the dashboard's fingerprinted assets, compressed, and still from the API (which serves them)", () => {
    const behaviours = (api as unknown as { CacheBehaviors: Record<string, unknown>[] }).CacheBehaviors;
    expect(behaviours).toHaveLength(1);
    expect(behaviours[0]).toMatchObject({
      PathPattern: '/assets/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
      // AWS's managed CachingOptimized policy: no cookies, headers or query strings in the key or to the origin.
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      Compress: true,
      TargetOriginId: api.Origins[0] && (api.DefaultCacheBehavior.TargetOriginId as string),
    });
    expect(behaviours[0]!.OriginRequestPolicyId).toBeUndefined();
  });

  it('is the address the stack outputs for the dashboard and the API, and where Cognito returns people', () => {
    const url = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack, stack.site.distribution), 'DomainName'] }]],
    };
    expect(template.toJSON().Outputs.ApiUrl.Value).toEqual(url);
    expect(template.toJSON().Outputs.DashboardUrl.Value).toEqual(url);
    expect(stack.resolve(stack.site.url)).toEqual(url);
  });
});
