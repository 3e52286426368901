/**
 * The table in AWS is the table of activities/table.ts, encrypted with the deployment's own KMS
 * key, recoverable (PITR and AWS Backup), protected from deletion in prod, and reachable only
 * through named actions — no IAM statement anywhere grants a wildcard action on it.
 */
import { describe, expect, it } from 'vitest';
import { indexes, tableDefinition, TTL_ATTRIBUTE } from '../../activities/table.js';
import { APPEND_ONLY_KEYS, tableActions } from '../../cdk/data.js';
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

  it('grants the API and the worker exactly their lists of table actions, on the table and its named indexes', () => {
    const tableResources = [
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      ...Object.values(indexes).map((i) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${i}`]] })),
    ];
    const roles = {
      api: logicalId(stack, stack.api.handler.role!),
      worker: logicalId(stack, stack.worker.taskDefinition.taskRole),
    };
    for (const [who, role] of Object.entries(roles) as [keyof typeof tableActions, string][]) {
      const statements = statementsOfRole(template, role);
      const dynamo = statements.filter(
        (s) => s.Effect !== 'Deny' && actionsOf(s).some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo).toHaveLength(1);
      // The access and deletion logs are append-only: no update or delete of their items.
      const denied = statements.filter((s) => s.Effect === 'Deny');
      expect(denied).toHaveLength(1);
      expect(new Set(actionsOf(denied[0]!))).toEqual(
        new Set(tableActions[who].filter((a) => /Update|Delete/.test(a)).map((a) => `dynamodb:${a}`)),
      );
      expect(denied[0]!.Condition).toEqual({
        'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': APPEND_ONLY_KEYS },
      });
      expect(new Set(actionsOf(dynamo[0]!))).toEqual(new Set(tableActions[who].map((a) => `dynamodb:${a}`)));
      expect(dynamo[0]!.Resource).toEqual(tableResources);
      const kms = statements.find(
        (s) => actionsOf(s).some((a) => a.startsWith('kms:')) && JSON.stringify(s.Resource).includes(keyId),
      );
      expect(kms?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-2.amazonaws.com' } });
      expect(actionsOf(kms!).every((a) => !a.includes('*'))).toBe(true);
    }
  });
});
