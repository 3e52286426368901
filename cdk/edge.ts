/**
 * The web application firewall in front of everything carepath publishes: one WAFv2 web ACL that
 * both CloudFront distributions (the dashboard's and the API's) carry. API Gateway HTTP APIs take
 * no WAF of their own, so the API is reached through CloudFront to get one. A web ACL for
 * CloudFront must be created in us-east-1, which is why this lives in its own small stack
 * (cdk/edgeStack.ts) while everything else stays in London.
 *
 * What it does, in order: drops addresses on Amazon's reputation list, answers 429 to any one
 * address sending more than the configured requests a minute, and blocks what AWS's common and
 * known-bad-inputs rule sets recognise as attacks. It logs only what it blocked or counted, with
 * the token, cookie and query string (where NHS numbers are searched for) redacted.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Rules of AWSManagedRulesCommonRuleSet that only count here, each for the reason given. */
export const COUNTED_COMMON_RULES = {
  // Blocks any body over 8 KB. FHIR referral bundles (256 KiB), ADT messages and commands (64 KiB)
  // and the Temporal UI's codec batches (4 MiB) are routinely larger; the app refuses each route's
  // oversized bodies itself (413, counted as they stream), and API Gateway caps every body at 10 MB.
  SizeRestrictions_BODY: 'legitimate bodies are larger than 8 KB; the app enforces a limit per route',
  // Hospital integration engines are machines with their own HTTP clients, some of which send no
  // User-Agent; refusing a trust's ADT feed for that would lose admissions and discharges.
  NoUserAgent_HEADER: 'integration engines may send no User-Agent; every API route needs a token anyway',
} as const;

/** Seconds in the rate rule's window: a minute, the same unit as the app's own per-caller limits. */
const RATE_WINDOW_SECONDS = 60;

/** The body WAF answers a rate-limited caller with: problem+json, like the app's own 429. */
const RATE_LIMITED_BODY = 'RateLimited';

export interface EdgeFirewallProps {
  /** e.g. `carepath-prod`: names the web ACL, its metrics and its log group. */
  name: string;
  /** See CarepathConfig.edge.requestsPerIpPerMinute. */
  requestsPerIpPerMinute: number;
  /** Encrypts the WAF log: a key in this region (us-east-1), since CloudWatch Logs cannot use one elsewhere. */
  encryptionKey: kms.IKey;
  logRetentionDays: number;
  retainLogs: boolean;
}

export class EdgeFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  /** What a CloudFront distribution's `webAclId` takes. */
  readonly webAclArn: string;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      metricName: `${props.name}-${name}`,
      cloudWatchMetricsEnabled: true,
      // Sampled requests keep three hours of matches for the console, where a false positive is investigated.
      sampledRequestsEnabled: true,
    });
    const managed = (
      priority: number,
      name: string,
      ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(ruleActionOverrides ? { ruleActionOverrides } : {}),
        },
      },
      overrideAction: { none: {} },
      visibilityConfig: metric(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      // WAF allows no brackets here.
      description: `${props.name}: the dashboard and the API, at CloudFront`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metric('all'),
      customResponseBodies: {
        [RATE_LIMITED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'about:blank',
            title: 'Too many requests',
            status: 429,
            detail: 'Too many requests from this network address; try again in a minute.',
          }),
        },
      },
      rules: [
        // Known-bad addresses first, so they never count towards anyone's rate.
        managed(0, 'AWSManagedRulesAmazonIpReputationList'),
        {
          name: 'RequestsPerIpPerMinute',
          priority: 1,
          statement: {
            rateBasedStatement: {
              // The viewer's own address as CloudFront sees it: a forwarded-for header could be forged.
              aggregateKeyType: 'IP',
              limit: props.requestsPerIpPerMinute,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: RATE_LIMITED_BODY,
                // Integration engines back off on Retry-After, as they do for the app's own 429.
                responseHeaders: [{ name: 'retry-after', value: String(RATE_WINDOW_SECONDS) }],
              },
            },
          },
          visibilityConfig: metric('RequestsPerIpPerMinute'),
        },
        managed(
          2,
          'AWSManagedRulesCommonRuleSet',
          Object.keys(COUNTED_COMMON_RULES).map((name) => ({ name, actionToUse: { count: {} } })),
        ),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    this.webAclArn = this.webAcl.attrArn;

    // WAF delivers only to log groups whose names start with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-${props.name}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAclArn,
      // WAF wants the log group's ARN without the `:*` that logGroupArn ends with.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // A staff or engine token, the codec cookie (which holds one), and the query string, which
      // carries the NHS number or name and birth date of a person searched for (GET /patients).
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
        { queryString: {} },
      ],
      // Only what a rule blocked or counted: the log is for investigating the WAF, and every
      // request is already in the API's access log.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'].map((Action) => ({ ActionCondition: { Action } })),
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup);
  }
}
