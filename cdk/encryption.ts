/**
 * The customer-managed KMS key behind everything carepath stores at rest: the table, its backups,
 * the log groups (which carry journey ids and staff ids) and the alarm topic. One key per
 * deployment keeps the key policy reviewable in one place; rotation is yearly and automatic.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionProps {
  /** e.g. `carepath-prod`; becomes `alias/carepath-prod`. */
  aliasName: string;
  /** Keep the key when the stack is deleted: without it, the table's backups cannot be read. */
  retain: boolean;
  /** What the key protects, for its description; the main stack's table, backups, logs and alarm topic when absent. */
  protects?: string;
}

export class Encryption extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.aliasName}`,
      description: `carepath (${props.aliasName}): ${props.protects ?? 'DynamoDB table, backups, logs, audit trail and alarm topic'}`,
      enableKeyRotation: true,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(props.retain ? 30 : 7),
    });
    // CloudWatch Logs encrypts log groups itself, so its service principal needs the key, limited
    // to log groups of this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
    // CloudTrail encrypts the audit trail's log files (cdk/auditTrail.ts) for trails of this
    // account only; people read them with their own IAM grants on the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Stack.of(this).partition}:cloudtrail:*:${account}:trail/*`,
          },
        },
      }),
    );
    // Alarms publish to the encrypted SNS topic as CloudWatch, which must be able to use the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
}
