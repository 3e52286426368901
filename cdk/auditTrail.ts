/**
 * Who wrote to the record, kept where they cannot unwrite it: a CloudTrail trail of every write
 * to the carepath table (PutItem, UpdateItem, DeleteItem, TransactWriteItems, and the rest), each
 * with the role that made it and the item's key, and of this region's write management events
 * (a changed TTL setting, key policy or vault lock). Log files are validated (digest files),
 * encrypted with the deployment's key and kept in a bucket under S3 Object Lock in the mode the
 * backup vault is locked in, so a rewritten audit item leaves a trace no one can erase. Reads of
 * the table are not recorded: the access log (`ACCESS#…`) already says who read whose record, and
 * they would cost far more (cdk/README.md).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { VaultLockMode } from './config.js';

export interface AuditTrailProps {
  /** e.g. `carepath-prod`; the trail's name. */
  name: string;
  table: dynamodb.ITable;
  encryptionKey: kms.IKey;
  /** Where S3 writes the trail bucket's own access logs. */
  accessLogs: s3.IBucket;
  /** Days the log files are kept, and locked. */
  retentionDays: number;
  /** The Object Lock mode, the same as the backup vault's: `none` for no lock. */
  lock: VaultLockMode;
  retain: boolean;
}

export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const retention = Duration.days(props.retentionDays);
    this.bucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'audit-trail/',
      ...(props.lock === 'none'
        ? {}
        : {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.lock === 'compliance'
                ? s3.ObjectLockRetention.compliance(retention)
                : s3.ObjectLockRetention.governance(retention),
          }),
      lifecycleRules: [{ expiration: retention, noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'The trail is a second record of writes whose loss the table, its locked backups and this bucket’s Object Lock already guard against.',
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.name,
      bucket: this.bucket,
      encryptionKey: props.encryptionKey,
      enableFileValidation: true,
      // The table is in one region; management events elsewhere belong to the account's own trail.
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      // Also to CloudWatch Logs, where an investigation can query them (Logs Insights) without S3.
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: new logs.LogGroup(this, 'Events', {
        encryptionKey: props.encryptionKey,
        retention: props.retentionDays as logs.RetentionDays,
        removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      }),
    });
    Validations.of(this.trail.node.findChild('LogsRole')).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        'The inline policy only lets CloudTrail write to the audit trail’s log group and cannot be attached to any other principal.',
    });
    const trail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    trail.addPropertyDeletionOverride('EventSelectors');
    trail.advancedEventSelectors = [
      {
        name: 'Writes to the carepath table',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
          { field: 'resources.ARN', equalTo: [props.table.tableArn] },
          { field: 'readOnly', equalTo: ['false'] },
        ],
      },
      {
        name: 'Write management events',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Management'] },
          { field: 'readOnly', equalTo: ['false'] },
        ],
      },
    ];
  }
}
