/**
 * The table in AWS is the table of activities/table.ts, encrypted with the deployment's own KMS
 * key, recoverable (PITR and AWS Backup), protected from deletion in prod, and reachable only
 * through named actions — no IAM statement anywhere grants a wildcard action on it.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { indexes, tableDefinition, TTL_ATTRIBUTE } from '../../activities/table.js';
import { apiWrites, APPEND_ONLY_KEYS, EXPIRING_KEYS, tableActions, VAULT_LOCK_GRACE_DAYS } from '../../cdk/data.js';
import { actionsOf, iamStatements, logicalId, statementsOfRole, synthCarepath } from './synth.js';

const dev = synthCarepath({ env: 'dev' });
const prod = synthCarepath({ env: 'prod' });

describe.each([
  ['dev', dev],
  ['prod', prod],
])('the %s table', (envName, { stack, template }) => {
  const tableId = logicalId(stack, stack.data.table);
  const keyId = logicalId(stack, stack.encryption.key);
  const table = () => template.findResources('AWS::DynamoDB::Table')[tableId]!.Properties as Record<string, unknown>;

  it('has exactly the keys, attributes and indexes of activities/table.ts, on demand, with the TTL attribute', () => {
    const definition = tableDefinition(`carepath-${envName}`);
    const props = table();
    expect(props.TableName).toBe(definition.TableName);
    expect(props.BillingMode).toBe(definition.BillingMode);
    expect(props.KeySchema).toEqual(definition.KeySchema);
    expect(new Set(props.AttributeDefinitions as unknown[])).toEqual(new Set(definition.AttributeDefinitions));
    expect(props.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it('is encrypted with the customer-managed, rotating KMS key', () => {
    expect(table().SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has point-in-time recovery, and daily AWS Backup copies in a vault encrypted with the same key', () => {
    expect(table().PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
    });
    const rules = (
      Object.values(template.findResources('AWS::Backup::BackupPlan'))[0]!.Properties.BackupPlan as {
        BackupPlanRule: { RuleName: string; Lifecycle: { DeleteAfterDays: number } }[];
      }
    ).BackupPlanRule;
    expect(rules.map((r) => [r.RuleName, r.Lifecycle.DeleteAfterDays])).toEqual(
      envName === 'prod'
        ? [
            ['Daily', 7],
            ['Monthly', 366],
          ]
        : [['Daily', 7]],
    );
  });

  it(
    envName === 'prod' ? 'is protected from deletion and retained with its key' : 'can be torn down with the stack',
    () => {
      const resource = template.findResources('AWS::DynamoDB::Table')[tableId]!;
      const key = template.findResources('AWS::KMS::Key')[keyId]!;
      const retained = envName === 'prod';
      expect(resource.Properties.DeletionProtectionEnabled).toBe(retained);
      expect(resource.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
      expect(key.DeletionPolicy).toBe(retained ? 'Retain' : 'Delete');
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        DeletionProtection: retained ? 'ACTIVE' : 'INACTIVE',
      });
    },
  );

  it('is reached through named actions only: no wildcard action, and no statement on all resources, touches it', () => {
    const onTable = iamStatements(template).filter(
      ({ statement }) =>
        JSON.stringify(statement.Resource ?? '').includes(tableId) ||
        actionsOf(statement).some((a) => a.startsWith('dynamodb:')),
    );
    expect(onTable.length).toBeGreaterThanOrEqual(2);
    for (const { statement } of onTable) {
      expect(
        actionsOf(statement).filter((a) => a.includes('*')),
        JSON.stringify(statement),
      ).toEqual([]);
      expect(statement.Resource).not.toBe('*');
      expect(JSON.stringify(statement.Resource)).not.toMatch(/index\/\*/);
    }
  });

  it('grants the API and the worker exactly their lists of table actions, the API its writes only to the partitions it uses', () => {
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const tableResources = [
      tableArn,
      ...Object.values(indexes).map((i) => ({ 'Fn::Join': ['', [tableArn, `/index/${i}`]] })),
    ];
    const roles = {
      api: logicalId(stack, stack.api.handler.role!),
      worker: logicalId(stack, stack.worker.taskDefinition.taskRole),
    };
    const dynamodb = (list: readonly string[]) => new Set(list.map((a) => `dynamodb:${a}`));
    for (const [who, role] of Object.entries(roles) as [keyof typeof tableActions, string][]) {
      const statements = statementsOfRole(template, role);
      const allowed = statements.filter(
        (s) => s.Effect !== 'Deny' && actionsOf(s).some((a) => a.startsWith('dynamodb:')),
      );
      const granted = allowed.flatMap(actionsOf);
      expect(new Set(granted)).toEqual(dynamodb(tableActions[who]));
      expect(granted).toHaveLength(tableActions[who].length);
      const denied = statements.filter((s) => s.Effect === 'Deny');
      const denial = (condition: Record<string, Record<string, unknown>>) =>
        denied.find((s) => JSON.stringify(s.Condition) === JSON.stringify(condition));

      // The access and deletion logs are append-only: no update or delete of their items.
      const appendOnly = denial({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': APPEND_ONLY_KEYS } });
      expect(new Set(actionsOf(appendOnly!))).toEqual(
        dynamodb(tableActions[who].filter((a) => /Update|Delete/.test(a))),
      );
      // No one writes the TTL attribute outside the partitions that expire.
      const ttl = denial({
        'ForAnyValue:StringEquals': { 'dynamodb:Attributes': [TTL_ATTRIBUTE] },
        'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': EXPIRING_KEYS },
      });
      expect(new Set(actionsOf(ttl!))).toEqual(dynamodb(['PutItem', 'UpdateItem']));
      for (const s of [appendOnly!, ttl!]) expect(s.Resource).toEqual(tableArn);

      if (who === 'worker') {
        expect(allowed).toHaveLength(1);
        expect(allowed[0]!.Resource).toEqual(tableResources);
        expect(denied).toHaveLength(2);
      } else {
        // Reads anywhere in the table and its indexes; each write only in the partitions it uses.
        const reads = allowed.filter((s) => !s.Condition);
        expect(reads).toHaveLength(1);
        expect(reads[0]!.Resource).toEqual(tableResources);
        const writes = allowed.filter((s) => s.Condition);
        expect(
          Object.fromEntries(writes.map((s) => [actionsOf(s)[0]!.slice('dynamodb:'.length), s.Condition])),
        ).toEqual(
          Object.fromEntries(
            Object.entries(apiWrites.partitions).map(([action, partitions]) => [
              action,
              { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions } },
            ]),
          ),
        );
        for (const s of writes) expect(s.Resource).toEqual(tableArn);
        // Nowhere in a journey's partition, where its audit trail is.
        const everyPartition = Object.values(apiWrites.partitions).flat();
        expect(everyPartition.filter((p) => p === '*' || p.startsWith('JOURNEY#'))).toEqual([]);
        expect(denied).toHaveLength(2);
      }
      const kms = statements.find(
        (s) => actionsOf(s).some((a) => a.startsWith('kms:')) && JSON.stringify(s.Resource).includes(keyId),
      );
      expect(kms?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-2.amazonaws.com' } });
      expect(actionsOf(kms!).every((a) => !a.includes('*'))).toBe(true);
    }
  });

  it('grants no one an action that writes around the partition and attribute conditions, or changes the TTL setting', () => {
    const bypasses =
      /^dynamodb:(BatchWriteItem|PartiQL\w+|ExecuteStatement|BatchExecuteStatement|ExecuteTransaction|UpdateTimeToLive|ImportTable|RestoreTable\w*|UpdateTable|DeleteTable|\*)$/;
    const granted = iamStatements(template)
      .filter(({ statement }) => statement.Effect !== 'Deny')
      .flatMap(({ statement }) => actionsOf(statement))
      .filter((a) => bypasses.test(a));
    expect(granted).toEqual([]);
  });

  it(
    envName === 'prod'
      ? 'locks the backup vault in compliance mode, after a grace period, for the daily retention'
      : 'locks the backup vault in governance mode for the daily retention',
    () => {
      template.hasResourceProperties('AWS::Backup::BackupVault', {
        LockConfiguration:
          envName === 'prod'
            ? { MinRetentionDays: 7, ChangeableForDays: VAULT_LOCK_GRACE_DAYS }
            : { MinRetentionDays: 7 },
      });
      const lock = Object.values(template.findResources('AWS::Backup::BackupVault'))[0]!.Properties
        .LockConfiguration as Record<string, unknown>;
      expect('ChangeableForDays' in lock).toBe(envName === 'prod');
    },
  );

  it('has its writes recorded by a validated, KMS-encrypted CloudTrail trail into a locked, versioned, SSL-only private bucket', () => {
    const trails = Object.values(template.findResources('AWS::CloudTrail::Trail'));
    expect(trails).toHaveLength(1);
    const trail = trails[0]!.Properties as Record<string, unknown>;
    expect(trail).toMatchObject({
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(trail.EventSelectors).toBeUndefined();
    expect(trail.AdvancedEventSelectors).toEqual([
      {
        Name: 'Writes to the carepath table',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
          { Field: 'resources.ARN', Equals: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      },
      {
        Name: 'Write management events',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      },
    ]);
    const bucketId = logicalId(stack, stack.auditTrail.bucket);
    expect(trail.S3BucketName).toEqual({ Ref: bucketId });
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId]!.Properties as Record<string, unknown>;
    const days = envName === 'prod' ? 400 : 30;
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: envName === 'prod' ? 'COMPLIANCE' : 'GOVERNANCE', Days: days } },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // The key lets CloudTrail encrypt for this account's trails only.
    const keyPolicy = template.findResources('AWS::KMS::Key')[keyId]!.Properties.KeyPolicy as {
      Statement: { Principal?: { Service?: string }; Condition?: unknown }[];
    };
    const forTrail = keyPolicy.Statement.find((s) => s.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(JSON.stringify(forTrail?.Condition)).toMatch(/aws:cloudtrail:arn/);
  });
});
