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
import type { CarepathConfig } from './config.js';

/** The DynamoDB actions each process uses; nothing broader, and never a wildcard. */
export const tableActions = {
  /**
   * The API: reads journeys, people and inboxes (one batch read for a page of them); records
   * patients, referrals, reads of a record, break-glass codec sessions, ADT message ids, rate-limit counts, inbox
   * acknowledgements, corrections and the staff directory (whose absences and team memberships
   * are taken back by deleting them); checks an entry exists before marking it entered in error;
   * /health describes the table. Where it may write: `apiWrites`.
   */
  api: [
    'GetItem',
    'BatchGetItem',
    'Query',
    'ConditionCheckItem',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'DescribeTable',
  ],
  /** The worker's activities: projections, audit (conditional puts), caseload transactions. */
  worker: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
} as const;

/** Partition keys whose items are never changed once written (the access, deletion and break-glass logs). */
export const APPEND_ONLY_KEYS = ['ACCESS#*', 'DELETIONS#*', 'BREAK-GLASS#*'];

/**
 * Partition keys whose items may expire (`TTL_ATTRIBUTE`): processed ADT message ids and
 * rate-limit windows. No role may write the attribute anywhere else, so nothing of the record,
 * its audit trail least of all, can be set to vanish.
 */
export const EXPIRING_KEYS = ['ADT#*', 'RATE#*'];

export type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * Where a process may write, by action, as IAM can say it: by partition key
 * (`dynamodb:LeadingKeys`) — IAM sees neither sort keys nor values.
 */
export interface WriteScope {
  /** The partitions (`StringLike` patterns) each write action may touch; an action not named may not write. */
  partitions: Partial<Record<WriteAction, readonly string[]>>;
}

/**
 * Every partition the API writes (tests/security/tableWrites.test.ts drives the API and fails on a
 * write outside it). None is a journey's (`JOURNEY#…`), which holds its audit trail beside its
 * record: the API marks an entry entered in error in the journey's corrections item
 * (`CORRECTION#…`, activities/journeyRecord.ts), so it cannot write, change or remove an audit item.
 */
export const apiWrites: WriteScope = {
  partitions: {
    PutItem: [
      'PATIENT#*',
      'ACCESS#*',
      'BREAK-GLASS#*',
      'ADT#*',
      'STAFF#*',
      'TEAM-STAFF#*',
      'TEAM-ABSENCE#*',
      // MDT meetings and their amendments, each put once (activities/mdtMeetings.ts).
      'MDT#*',
    ],
    UpdateItem: ['PATIENT#*', 'CORRECTION#*', 'INBOX#*', 'RATE#*'],
    DeleteItem: ['STAFF#*', 'TEAM-STAFF#*', 'TEAM-ABSENCE#*'],
  },
};

const isWrite = (action: string): action is WriteAction =>
  action === 'PutItem' || action === 'UpdateItem' || action === 'DeleteItem';

export interface DataProps {
  /** e.g. `carepath-prod`. */
  tableName: string;
  encryptionKey: kms.IKey;
  /** prod: deletion protection, and the table and its backups outlive the stack. */
  retain: boolean;
  backup: CarepathConfig['backup'];
}

/** Days a compliance-mode Vault Lock can still be changed or removed after it is first deployed (AWS's minimum is 3). */
export const VAULT_LOCK_GRACE_DAYS = 3;

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

    // The immutable copy: a recovery point outlives any credential that would delete it early. The
    // minimum is the shortest rule's retention, or that rule's copies would be refused.
    const { vaultLock } = props.backup;
    const vault = new backup.BackupVault(this, 'BackupVault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      ...(vaultLock === 'none'
        ? {}
        : {
            lockConfiguration: {
              minRetention: Duration.days(props.backup.dailyRetentionDays),
              // Compliance mode: after these days the lock can be neither changed nor removed.
              ...(vaultLock === 'compliance' ? { changeableFor: Duration.days(VAULT_LOCK_GRACE_DAYS) } : {}),
            },
          }),
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
   * Grants exactly `actions` on the table and the key operations DynamoDB performs for them; with a
   * `scope`, each write action only where the scope says. Whatever else a process may do, it may
   * not update or delete items of the access and deletion logs (`APPEND_ONLY_KEYS`), nor write the
   * TTL attribute outside `EXPIRING_KEYS`.
   */
  grant(grantee: iam.IGrantable, actions: readonly string[], scope?: WriteScope): void {
    const principal = grantee.grantPrincipal;
    const dynamodbActions = (list: readonly string[]) => list.map((a) => `dynamodb:${a}`);
    const anywhere = scope ? actions.filter((a) => !isWrite(a)) : actions;
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: dynamodbActions(anywhere), resources: this.resourceArns() }),
    );
    const writes = actions.filter(isWrite);
    if (scope) {
      for (const action of writes) {
        const partitions = scope.partitions[action];
        if (!partitions?.length) throw new Error(`Data.grant: ${action} is granted but its scope names no partition`);
        principal.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: dynamodbActions([action]),
            resources: [this.table.tableArn],
            // ForAllValues: every item of the request (each of a transaction's, too) is in one of them.
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } },
          }),
        );
      }
    }
    const rewrites = writes.filter((a) => a === 'UpdateItem' || a === 'DeleteItem');
    if (rewrites.length > 0)
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: dynamodbActions(rewrites),
          resources: [this.table.tableArn],
          conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': APPEND_ONLY_KEYS } },
        }),
      );
    const expiring = writes.filter((a) => a !== 'DeleteItem');
    if (expiring.length > 0)
      principal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: dynamodbActions(expiring),
          resources: [this.table.tableArn],
          conditions: {
            'ForAnyValue:StringEquals': { 'dynamodb:Attributes': [TTL_ATTRIBUTE] },
            'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': EXPIRING_KEYS },
          },
        }),
      );
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'kms:Decrypt',
          'kms:DescribeKey',
          ...(writes.length > 0 ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
        ],
        resources: [this.encryptionKey.keyArn],
        // Only through DynamoDB: the key cannot be used directly with these permissions.
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}
