/**
 * The worker service: the repo's Dockerfile on Fargate arm64, the shared keys it uses and its own
 * Temporal credential injected key by key from Secrets Manager (never as plain environment), a health check and a stop timeout that
 * lets it drain, autoscaling between a floor and a ceiling, no inbound network, and a task role
 * that can reach the table through named actions and SES only as the configured sender.
 */
import { describe, expect, it } from 'vitest';
import { WORKER_STOP_TIMEOUT } from '../../cdk/worker.js';
import { sharedSecretKeys } from '../../cdk/runtimeSecret.js';
import { temporalCredentialKeys } from '../../cdk/temporalCredential.js';
import { RUNTIME_SECRET_KEYS } from '../../lambdas/runtimeSecrets.js';
import { actionsOf, logicalId, secretsIn, statementsOfRole, synthCarepath } from './synth.js';

const { stack, template } = synthCarepath({
  env: 'prod',
  emailFrom: 'carepath@ics.example.nhs.uk',
  emailAddressTemplate: '{id}@nhs.net',
  workerMaxTasks: 8,
});
const taskDefinition = () =>
  Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!.Properties as Record<string, unknown> & {
    ContainerDefinitions: Record<string, unknown>[];
  };
const container = () =>
  taskDefinition().ContainerDefinitions[0]! as Record<string, unknown> & {
    Secrets: { Name: string; ValueFrom: unknown }[];
    Environment: { Name: string; Value: unknown }[];
  };

describe('the worker task', () => {
  it('runs the Dockerfile image on Fargate arm64 with the prod size', () => {
    const td = taskDefinition();
    expect(td.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(td.RequiresCompatibilities).toEqual(['FARGATE']);
    expect([td.Cpu, td.Memory]).toEqual(['1024', '2048']);
    expect(JSON.stringify(container().Image)).toContain('container-assets');
  });

  it('gets exactly the shared keys it uses from the runtime secret, and its API key from its own secret', () => {
    const from = Object.fromEntries(
      container().Secrets.map((secret) => [secret.Name, JSON.stringify(secret.ValueFrom)]),
    );
    const shared = sharedSecretKeys('worker', { privateCa: false });
    const own = temporalCredentialKeys('api-key');
    expect(Object.keys(from).sort()).toEqual([...shared, ...own].sort());
    for (const key of shared) expect(from[key]).toMatch(new RegExp(`:secret:carepath/prod/runtime:${key}::`));
    for (const key of own) expect(from[key]).toMatch(new RegExp(`:secret:carepath/prod/temporal/worker:${key}::`));
    // Patient ids are made by the API; the worker never needs the key that makes them (config/secretKeys.ts).
    expect(from).not.toHaveProperty('CAREPATH_PSEUDONYM_KEY');
    for (const env of container().Environment) expect(RUNTIME_SECRET_KEYS as readonly string[]).not.toContain(env.Name);
  });

  it('tells the worker and the API which codec key ids were sealed before signing, when any were', () => {
    const signedSince = synthCarepath({ env: 'prod', unsignedCodecKeyIds: 'k1' });
    const envOf = (t: typeof template, type: string) =>
      JSON.stringify(Object.values(t.findResources(type)).map((r) => r.Properties));
    expect(envOf(signedSince.template, 'AWS::ECS::TaskDefinition')).toContain(
      '"Name":"CAREPATH_UNSIGNED_KEY_IDS","Value":"k1"',
    );
    expect(envOf(signedSince.template, 'AWS::Lambda::Function')).toContain('"CAREPATH_UNSIGNED_KEY_IDS":"k1"');
    expect(envOf(template, 'AWS::ECS::TaskDefinition')).not.toContain('CAREPATH_UNSIGNED_KEY_IDS');
  });

  it('asks for the mTLS pair instead of an API key, and a private CA from the shared secret, when configured so', () => {
    expect(temporalCredentialKeys('mtls')).toEqual(['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']);
    expect(sharedSecretKeys('worker', { privateCa: true })).toEqual([
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'CAREPATH_CODEC_KEYS',
      'CAREPATH_SIGNING_KEYS',
      'TEMPORAL_TLS_CA',
    ]);
    expect(sharedSecretKeys('api', { privateCa: false })).toEqual([
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'CAREPATH_CODEC_KEYS',
      'CAREPATH_SIGNING_KEYS',
      'CAREPATH_PSEUDONYM_KEY',
    ]);
  });

  it('is health-checked by the image script, drains for a minute on SIGTERM, and runs under an init process', () => {
    expect(container().HealthCheck).toEqual({
      Command: ['CMD', 'node', '/app/dist/healthcheck.mjs'],
      Interval: 30,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 60,
    });
    expect(container().StopTimeout).toBe(WORKER_STOP_TIMEOUT.toSeconds());
    expect(WORKER_STOP_TIMEOUT.toSeconds()).toBeLessThanOrEqual(120);
    expect(container().LinuxParameters).toMatchObject({ InitProcessEnabled: true });
    expect(container().LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
  });

  it('has plain settings for the table, cache, TLS and email', () => {
    const env = Object.fromEntries(container().Environment.map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      CAREPATH_WORKFLOW_CACHE: '2000',
      TEMPORAL_TLS: 'true',
      CAREPATH_EMAIL_FROM: 'carepath@ics.example.nhs.uk',
      CAREPATH_EMAIL_ADDRESS_TEMPLATE: '{id}@nhs.net',
    });
    expect(env.CAREPATH_TABLE).toEqual({ Ref: logicalId(stack, stack.data.table) });
  });
});

describe('the worker permissions', () => {
  const taskRole = () => statementsOfRole(template, logicalId(stack, stack.worker.taskDefinition.taskRole));
  const executionRole = () => statementsOfRole(template, logicalId(stack, stack.worker.taskDefinition.executionRole!));

  it("let the execution role read the shared secret and the worker's Temporal credential (to inject them), and the task role no secret at all", () => {
    const read = executionRole().filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    for (const statement of read)
      expect(actionsOf(statement)).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(secretsIn(read)).toEqual(['carepath/prod/runtime', 'carepath/prod/temporal/worker']);
    expect(taskRole().some((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))).toBe(false);
  });

  it('let the task send email only from the configured sender, and do nothing else beyond the table', () => {
    const ses = taskRole().filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['ses:SendEmail']);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'carepath@ics.example.nhs.uk' } });
    expect(JSON.stringify(ses[0]!.Resource)).toContain(':identity/ics.example.nhs.uk');
    const services = new Set(
      taskRole()
        .flatMap(actionsOf)
        .map((a) => a.split(':')[0]),
    );
    expect(services).toEqual(new Set(['dynamodb', 'kms', 'ses']));
  });
});

describe('the worker service', () => {
  it('keeps the floor running through deployments, rolls back failed ones, and gets no public address', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
  });

  it('scales between the floor and the ceiling on CPU and memory', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 8,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    const metrics = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map(
      (p) =>
        (
          p.Properties.TargetTrackingScalingPolicyConfiguration as {
            PredefinedMetricSpecification: { PredefinedMetricType: string };
          }
        ).PredefinedMetricSpecification.PredefinedMetricType,
    );
    expect(metrics.sort()).toEqual(['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']);
  });

  it('accepts no inbound connection, and its cluster has Container Insights on', () => {
    const sg =
      template.findResources('AWS::EC2::SecurityGroup')[
        logicalId(stack, stack.worker.service.connections.securityGroups[0]!)
      ]!;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });
});
