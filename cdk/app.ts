/**
 * The CDK app: one carepath stack for the environment named in the context, checked by cdk-nag's
 * AwsSolutions and HIPAA Security packs — synthesis fails on any finding not acknowledged (with
 * its reason) next to the resource it concerns.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { CarepathStack } from './carepathStack.js';
import { carepathConfig } from './config.js';

export interface CarepathAppOptions {
  /** The built dashboard to publish. */
  dashboardDistDir: string;
  /** Run cdk-nag during synthesis (tests turn it off and run the packs themselves, to read every finding). */
  nag?: boolean;
}

export function carepathNagPacks() {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks()];
}

export function addCarepathStack(app: App, options: CarepathAppOptions): CarepathStack {
  const config = carepathConfig((key) => app.node.tryGetContext(key));
  const stack = new CarepathStack(app, `Carepath-${config.envName}`, {
    config,
    dashboardDistDir: options.dashboardDistDir,
    // The account comes from the deploying credentials; the region is carepath's (UK data stays in London by default).
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
    description: `carepath (${config.envName}): care co-ordination journeys on Temporal — API, worker, data, identity, dashboard and monitoring`,
    terminationProtection: config.retainData,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(...carepathNagPacks());
  return stack;
}
