/**
 * The journey worker on ECS Fargate (Graviton), from the repo's Dockerfile: polls Temporal, runs
 * careJourney workflows and their activities. It serves nothing, so it has no load balancer and no
 * inbound rule; it scales on CPU between a floor that keeps timers firing through a task's loss and
 * a ceiling that protects Temporal and DynamoDB. Secrets arrive through the task definition from
 * Secrets Manager (the shared keys it uses, and its own Temporal credential); the task role may touch
 * only the table (named actions) and send SES mail as the configured sender.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { workerArtifacts } from '../scripts/buildWorker.js';
import { tableActions, type Data } from './data.js';
import type { RuntimeSecret } from './runtimeSecret.js';
import type { TemporalCredential } from './temporalCredential.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface WorkerProps {
  vpc: ec2.IVpc;
  data: Data;
  runtimeSecret: RuntimeSecret;
  /** The worker's own Temporal credential; none when Temporal takes no client credential. */
  temporalCredential?: TemporalCredential;
  encryptionKey: kms.IKey;
  /** Fargate CPU units (1024 = 1 vCPU) and memory; ARM64. */
  cpu: number;
  memoryMiB: number;
  minTasks: number;
  maxTasks: number;
  /** CAREPATH_WORKFLOW_CACHE: workflows kept in memory per task. */
  workflowCache: number;
  /** `false` only for a self-hosted Temporal reached in plaintext on a private network. */
  temporalTls: boolean;
  /** Codec key ids sealed before payloads were signed (CAREPATH_UNSIGNED_KEY_IDS); none by default. */
  unsignedKeyIds?: string[];
  /** SES email notifications; without it the worker gets no SES permission at all. */
  email?: { from: string; addressTemplate: string };
  /** Linked from notification emails. */
  dashboardUrl: string;
  logRetentionDays: number;
  retainLogs: boolean;
}

/** Time ECS allows between SIGTERM and SIGKILL: enough for in-flight activities (seconds-long DynamoDB and SES calls) to finish. */
export const WORKER_STOP_TIMEOUT = Duration.seconds(60);

export class Worker extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The worker's logs: the monitoring counts the warnings that need a person from them. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = (this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    }));
    this.taskDefinition.addContainer('worker', {
      image: ecs.ContainerImage.fromAsset(root, { file: 'Dockerfile', platform: Platform.LINUX_ARM64 }),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'worker', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      environment: {
        CAREPATH_TABLE: props.data.table.tableName,
        CAREPATH_WORKFLOW_CACHE: String(props.workflowCache),
        TEMPORAL_TLS: String(props.temporalTls),
        ...(props.unsignedKeyIds?.length ? { CAREPATH_UNSIGNED_KEY_IDS: props.unsignedKeyIds.join(',') } : {}),
        CAREPATH_DASHBOARD_URL: props.dashboardUrl,
        ...(props.email
          ? { CAREPATH_EMAIL_FROM: props.email.from, CAREPATH_EMAIL_ADDRESS_TEMPLATE: props.email.addressTemplate }
          : {}),
      },
      secrets: { ...props.runtimeSecret.ecsSecrets('worker'), ...props.temporalCredential?.ecsSecrets() },
      healthCheck: {
        command: ['CMD', 'node', `/app/dist/${workerArtifacts.healthcheck}`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      stopTimeout: WORKER_STOP_TIMEOUT,
      // An init process as PID 1 forwards SIGTERM to node and reaps zombies.
      linuxParameters: new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true }),
    });

    props.data.grant(this.taskDefinition.taskRole, tableActions.worker);
    if (props.email) {
      const { region, account, partition } = Stack.of(this);
      const domain = props.email.from.split('@')[1]!;
      this.taskDefinition.taskRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [
            `arn:${partition}:ses:${region}:${account}:identity/${domain}`,
            `arn:${partition}:ses:${region}:${account}:identity/${props.email.from}`,
          ],
          conditions: { StringEquals: { 'ses:FromAddress': props.email.from } },
        }),
      );
    }

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Only non-secret settings (table name, cache size, TLS flag, dashboard URL, sender address) are plain environment variables; every credential and key comes from Secrets Manager.',
    });
    Validations.of(this.taskDefinition.taskRole).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        "The inline policy holds the worker's least-privilege grants (named table actions, one SES sender) and cannot be attached to any other principal.",
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken, needed to pull the worker image, does not support resource-level permissions.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          "The inline policy lets ECS pull this image, read the shared secret and the worker's Temporal credential, and write this log group, for this task only.",
      },
    );

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'carepath worker: no inbound; outbound to Temporal, DynamoDB, SES and Secrets Manager',
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.minTasks,
      // Start the new task before stopping the old: Temporal keeps the work, but reminders should not pause.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      assignPublicIp: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleOutCooldown: Duration.minutes(2),
      scaleInCooldown: Duration.minutes(10),
    });
    scaling.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: 75,
      scaleOutCooldown: Duration.minutes(2),
      scaleInCooldown: Duration.minutes(10),
    });
  }
}
