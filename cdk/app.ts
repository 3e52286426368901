/**
 * The CDK app: for the environment named in the context, the carepath stack (in its region,
 * London by default) and its edge stack (the WAF, in us-east-1, where CloudFront requires it),
 * checked by cdk-nag's AwsSolutions and HIPAA Security packs — synthesis fails on any finding not
 * acknowledged (with its reason) next to the resource it concerns.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { CarepathStack } from './carepathStack.js';
import { carepathConfig } from './config.js';
import { CarepathEdgeStack, EDGE_REGION } from './edgeStack.js';

export interface CarepathAppOptions {
  /** The built dashboard to publish. */
  dashboardDistDir: string;
  /** Run cdk-nag during synthesis (tests turn it off and run the packs themselves, to read every finding). */
  nag?: boolean;
}

export function carepathNagPacks() {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks()];
}

export interface CarepathStacks {
  stack: CarepathStack;
  edge: CarepathEdgeStack;
}

export function addCarepathStacks(app: App, options: CarepathAppOptions): CarepathStacks {
  const config = carepathConfig((key) => app.node.tryGetContext(key));
  // The account comes from the deploying credentials.
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const edge = new CarepathEdgeStack(app, `Carepath-${config.envName}-edge`, {
    config,
    env: { account, region: EDGE_REGION },
    description: `carepath (${config.envName}): the WAF in front of the dashboard and the API (CloudFront takes it from us-east-1 only)`,
    terminationProtection: config.retainData,
  });
  const stack = new CarepathStack(app, `Carepath-${config.envName}`, {
    config,
    dashboardDistDir: options.dashboardDistDir,
    // A weak reference (cdk.json: defaultCrossStackReferences): CloudFormation's Fn::GetStackOutput
    // reads the edge stack's output across regions, so no custom resource or SSM parameter is
    // needed, and CDK deploys the edge stack first.
    webAclArn: edge.firewall.webAclArn,
    // The region is carepath's: UK data stays in London by default.
    env: { account, region: config.region },
    description: `carepath (${config.envName}): care co-ordination journeys on Temporal — API, worker, data, identity, dashboard and monitoring`,
    terminationProtection: config.retainData,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(...carepathNagPacks());
  return { stack, edge };
}
