/**
 * The part of a carepath deployment that AWS requires in us-east-1: the WAF web ACL that the
 * CloudFront distributions carry (cdk/edge.ts), its log and the key that encrypts the log. It is
 * deployed before the main stack, which reads the web ACL's ARN from this stack's outputs with
 * CloudFormation's Fn::GetStackOutput (a weak cross-region reference: no custom resource, no SSM
 * parameter, nothing more for cdk-nag to flag). Nothing in it holds patient data.
 */
import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CarepathConfig } from './config.js';
import { EdgeFirewall } from './edge.js';
import { Encryption } from './encryption.js';

/** CloudFront reads WAF web ACLs, and ACM certificates, only from here. */
export const EDGE_REGION = 'us-east-1';

export interface CarepathEdgeStackProps extends StackProps {
  config: CarepathConfig;
}

export class CarepathEdgeStack extends Stack {
  readonly firewall: EdgeFirewall;

  constructor(scope: Construct, id: string, props: CarepathEdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = `carepath-${config.envName}`;
    Tags.of(this).add('application', 'carepath');
    Tags.of(this).add('environment', config.envName);

    // CloudWatch Logs encrypts only with a key in its own region: the main stack's is in London.
    const encryption = new Encryption(this, 'Encryption', {
      aliasName: `${name}-edge`,
      retain: config.retainData,
      protects: 'the WAF log',
    });
    this.firewall = new EdgeFirewall(this, 'Firewall', {
      name,
      requestsPerIpPerMinute: config.edge.requestsPerIpPerMinute,
      encryptionKey: encryption.key,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.retainData,
    });
  }
}
