/**
 * Monitoring: an alarm for each failure an operator must hear about — API 5xx and latency, Lambda
 * errors and throttles, worker tasks not running, DynamoDB throttling, journeys stuck on a replay
 * divergence — each wired to the one encrypted SNS topic on alarm and on recovery; a CloudWatch
 * dashboard of the same signals.
 */
import { describe, expect, it } from 'vitest';
import { BREAK_GLASS_LOG } from '../../lambdas/routes/session.js';
import { NONDETERMINISM_ALARM } from '../../worker/nondeterminismAlarm.js';
import { logicalId, synthCarepath } from './synth.js';

const { stack, template } = synthCarepath({ env: 'prod', alarmEmail: 'carepath-oncall@ics.example.nhs.uk' });
const topicId = logicalId(stack, stack.monitoring.topic);
const alarms = () =>
  Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [
      String(a.Properties.AlarmName).replace('carepath-prod-', ''),
      a.Properties as Record<string, unknown>,
    ]),
  );

describe('the alarms', () => {
  it('cover API 5xx and latency, Lambda errors and throttles, the worker, DynamoDB throttling, alerts that reached no one, stuck journeys and breaking glass', () => {
    expect(Object.keys(alarms()).sort()).toEqual([
      'api-5xx',
      'api-latency',
      'break-glass',
      'dynamodb-throttles',
      'journey-replay-diverged',
      'lambda-errors',
      'lambda-throttles',
      'notifications-reaching-no-one',
      'worker-not-running',
    ]);
  });

  it("count the worker's warnings of an alert the staff directory had no one to give to", () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, stack.worker.logGroup) },
      FilterPattern: '"notification reached no one"',
      MetricTransformations: [
        { MetricNamespace: 'carepath', MetricName: 'NotificationsReachingNoOne', MetricValue: '1', DefaultValue: 0 },
      ],
    });
    expect(alarms()['notifications-reaching-no-one']).toMatchObject({
      Namespace: 'carepath',
      MetricName: 'NotificationsReachingNoOne',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it("count the worker's reports of workflow tasks failing on a replay divergence (sdk-core's nondeterminism metric)", () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, stack.worker.logGroup) },
      FilterPattern: `"${NONDETERMINISM_ALARM}"`,
      MetricTransformations: [
        { MetricNamespace: 'carepath', MetricName: 'WorkflowTaskNondeterminism', MetricValue: '1', DefaultValue: 0 },
      ],
    });
    expect(alarms()['journey-replay-diverged']).toMatchObject({
      Namespace: 'carepath',
      MetricName: 'WorkflowTaskNondeterminism',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(String(alarms()['journey-replay-diverged']!.AlarmDescription)).toContain('npm run journeys:reset');
  });

  it("count the API's break-glass codec sessions, every one", () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, stack.api.logGroup) },
      FilterPattern: `"${BREAK_GLASS_LOG}"`,
      MetricTransformations: [
        { MetricNamespace: 'carepath', MetricName: 'BreakGlassCodecSessions', MetricValue: '1', DefaultValue: 0 },
      ],
    });
    expect(alarms()['break-glass']).toMatchObject({
      Namespace: 'carepath',
      MetricName: 'BreakGlassCodecSessions',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('all notify the topic when they fire and when they recover', () => {
    for (const [name, alarm] of Object.entries(alarms())) {
      expect(alarm.AlarmActions, name).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, name).toEqual([{ Ref: topicId }]);
      expect(String(alarm.AlarmDescription).length, name).toBeGreaterThan(20);
    }
  });

  it('watch the right resources', () => {
    const a = alarms();
    expect(a['api-5xx']).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack, stack.api.httpApi) } }],
    });
    expect(a['api-latency']).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
    });
    for (const [name, metric] of [
      ['lambda-errors', 'Errors'],
      ['lambda-throttles', 'Throttles'],
    ]) {
      expect(a[name!]).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.api.handler) } }],
      });
    }
    expect(a['worker-not-running']).toMatchObject({
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 2,
      TreatMissingData: 'breaching',
    });
    expect(JSON.stringify(a['worker-not-running']!.Dimensions)).toContain(logicalId(stack, stack.worker.cluster));
    const throttles = JSON.stringify(a['dynamodb-throttles']!.Metrics);
    expect(throttles).toContain('ThrottledRequests');
    expect(throttles).toContain(logicalId(stack, stack.data.table));
    for (const op of ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'TransactWriteItems'])
      expect(throttles).toContain(`"${op}"`);
  });
});

describe('the alarm topic', () => {
  it('is encrypted with the deployment key, which CloudWatch may use to publish, and refuses plain HTTP', () => {
    const keyId = logicalId(stack, stack.encryption.key);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const keyPolicy = JSON.stringify(template.findResources('AWS::KMS::Key')[keyId]!.Properties.KeyPolicy);
    expect(keyPolicy).toContain('"Service":"cloudwatch.amazonaws.com"');
    const topicPolicy = JSON.stringify(Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]!.Properties);
    expect(topicPolicy).toContain('"aws:SecureTransport":"false"');
  });

  it('mails the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'carepath-oncall@ics.example.nhs.uk',
      TopicArn: { Ref: topicId },
    });
  });
});

describe('the CloudWatch dashboard', () => {
  it('shows the alarms and the API, Lambda, worker and DynamoDB metrics', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
    );
    for (const title of [
      'Alarms',
      'API requests and 5xx',
      'API latency',
      'API Lambda',
      'Worker tasks running',
      'Worker CPU and memory',
      'DynamoDB capacity and throttles',
    ])
      expect(body).toContain(title);
  });
});
