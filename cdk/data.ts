/**
 * The DynamoDB table, built from the same definition the local bootstrap and the tests create
 * (activities/table.ts), so keys and indexes cannot drift between laptop and AWS. Encrypted with
 * the deployment's KMS key, point-in-time recovery on, daily AWS Backup copies, and deletion
 * protection where the data is real.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { indexes, tableDefinition, TTL_ATTRIBUTE } from '../activities/table.js';

/** The DynamoDB actions each process uses; nothing broader, and never a wildcard. */
export const tableActions = {
  /** The API: reads journeys and inboxes, records patients, ADT message ids and inbox acknowledgements; /health describes the table. */
  api: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DescribeTable'],
  /** The worker's activities: projections, audit (conditional puts), caseload transactions. */
  worker: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
} as const;

/** Partition keys whose items are never changed once written (the access and deletion logs). */
export const APPEND_ONLY_KEYS = ['ACCESS#*', 'DELETIONS#*'];

export interface DataProps {
  /** e.g. `carepath-prod`. */
  tableName: string;
  encryptionKey: kms.IKey;
  /** prod: deletion protection, and the table and its backups outlive the stack. */
  retain: boolean;
  backup: { dailyRetentionDays: number; monthlyRetentionDays: number };
}

const attributeType = (type: string | undefined): dynamodb.AttributeType => {
  if (type === 'S') return dynamodb.AttributeType.STRING;
  if (type === 'N') return dynamodb.AttributeType.NUMBER;
  if (type === 'B') return dynamodb.AttributeType.BINARY;
  throw new Error(`activities/table.ts: unsupported attribute type ${type}`);
};

export class Data extends Construct {
  readonly table: dynamodb.Table;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const definition = tableDefinition(props.tableName);
    const attribute = (name: string | undefined): dynamodb.Attribute => {
      const found = definition.AttributeDefinitions?.find((a) => a.AttributeName === name);
      if (!name || !found) throw new Error(`activities/table.ts: key attribute ${name} has no definition`);
      return { name, type: attributeType(found.AttributeType) };
    };
    const keyOf = (schema: dynamodb.CfnTable.KeySchemaProperty[] | undefined, kind: 'HASH' | 'RANGE') =>
      schema?.find((k) => k.keyType === kind)?.attributeName;
    const keySchema = (definition.KeySchema ?? []).map((k) => ({
      attributeName: k.AttributeName!,
      keyType: k.KeyType!,
    }));
    const sortKey = keyOf(keySchema, 'RANGE');
    if (definition.BillingMode !== 'PAY_PER_REQUEST')
      throw new Error('activities/table.ts: the CDK table expects on-demand billing');

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: definition.TableName,
      partitionKey: attribute(keyOf(keySchema, 'HASH')),
      ...(sortKey ? { sortKey: attribute(sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    for (const gsi of definition.GlobalSecondaryIndexes ?? []) {
      const schema = (gsi.KeySchema ?? []).map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! }));
      const gsiSort = keyOf(schema, 'RANGE');
      if (gsi.Projection?.ProjectionType !== 'ALL')
        throw new Error(`activities/table.ts: ${gsi.IndexName} must project ALL`);
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.IndexName!,
        partitionKey: attribute(keyOf(schema, 'HASH')),
        ...(gsiSort ? { sortKey: attribute(gsiSort) } : {}),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    const vault = new backup.BackupVault(this, 'BackupVault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const plan = new backup.BackupPlan(this, 'BackupPlan', { backupVault: vault });
    plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
        deleteAfter: Duration.days(props.backup.dailyRetentionDays),
      }),
    );
    if (props.backup.monthlyRetentionDays > 0) {
      plan.addRule(
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: events.Schedule.cron({ day: '1', hour: '4', minute: '0' }),
          deleteAfter: Duration.days(props.backup.monthlyRetentionDays),
        }),
      );
    }
    const selection = plan.addSelection('Table', { resources: [backup.BackupResource.fromDynamoDbTable(this.table)] });
    Validations.of(selection.grantPrincipal as iam.Role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWSBackupServiceRolePolicyForBackup is the AWS-maintained service role policy for AWS Backup and grants backup actions only.',
    });
  }

  /** The ARNs a Query may name: the table and each of its indexes by name (no `index/*`). */
  private resourceArns(): string[] {
    return [this.table.tableArn, ...Object.values(indexes).map((name) => `${this.table.tableArn}/index/${name}`)];
  }

  /**
   * Grants exactly `actions` on the table and the key operations DynamoDB performs for them. The
   * access log and the deletion log are append-only for every process: whatever else it may do, it
   * may not update or delete their items (activities/table.ts: `ACCESS#…`, `DELETIONS#…`).
   */
  grant(grantee: iam.IGrantable, actions: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: this.resourceArns() }),
    );
    const rewrites = actions.filter((a) => a === 'UpdateItem' || a === 'DeleteItem');
    if (rewrites.length > 0)
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: rewrites.map((a) => `dynamodb:${a}`),
          resources: [this.table.tableArn],
          conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': APPEND_ONLY_KEYS } },
        }),
      );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'kms:Decrypt',
          'kms:DescribeKey',
          ...(actions.some((a) => /Put|Update|Delete/.test(a)) ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
        ],
        resources: [this.encryptionKey.keyArn],
        // Only through DynamoDB: the key cannot be used directly with these permissions.
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}
