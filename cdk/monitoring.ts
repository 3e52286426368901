/**
 * What wakes someone up: alarms on the API (5xx, latency), its Lambda (errors, throttles), the
 * worker (fewer tasks running than the floor — then no reminder or escalation fires) and DynamoDB
 * (throttling), alerts that reached no one in the staff directory, and journeys stuck on a replay
 * divergence, and every break-glass codec session, each publishing to one encrypted SNS topic, alarm and recovery alike; and a
 * CloudWatch dashboard of the same signals for operations staff.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BREAK_GLASS_LOG } from '../lambdas/routes/session.js';
import { NONDETERMINISM_ALARM } from '../worker/nondeterminismAlarm.js';

export interface MonitoringProps {
  /** Name prefix for the alarms and the dashboard, e.g. `carepath-prod`. */
  name: string;
  encryptionKey: kms.IKey;
  /** Subscribed to the topic by email when set; otherwise subscribe on-call tooling to the topic's ARN. */
  alarmEmail?: string;
  httpApi: apigwv2.IHttpApi;
  apiHandler: lambda.IFunction;
  /** The API's log group, where it warns of each break-glass codec session. */
  apiLogs: logs.ILogGroup;
  workerService: ecs.FargateService;
  /**
   * The worker's log group, where it warns of an alert the staff directory had no one to give to,
   * and reports workflow tasks failing on a replay divergence.
   */
  workerLogs: logs.ILogGroup;
  /** The number of worker tasks that must be running. */
  workerMinTasks: number;
  table: dynamodb.Table;
  /** p99 API latency above which the alarm fires. */
  apiLatencyThreshold?: Duration;
}

/** The table operations the app performs; throttling on any of them is alarmed. */
const TABLE_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'TransactWriteItems'];

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${props.name} alarms`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const period = Duration.minutes(5);
    const api5xx = props.httpApi.metricServerError({ period, statistic: 'Sum' });
    const apiLatency = props.httpApi.metricLatency({ period, statistic: 'p99' });
    const lambdaErrors = props.apiHandler.metricErrors({ period, statistic: 'Sum' });
    const lambdaThrottles = props.apiHandler.metricThrottles({ period, statistic: 'Sum' });
    const runningTasks = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: {
        ClusterName: props.workerService.cluster.clusterName,
        ServiceName: props.workerService.serviceName,
      },
      period: Duration.minutes(1),
      statistic: 'Minimum',
    });
    const throttleMetrics = Object.fromEntries(
      TABLE_OPERATIONS.map((op, i) => [
        `t${i}`,
        props.table.metricThrottledRequestsForOperation(op, { period, statistic: 'Sum' }),
      ]),
    );
    const tableThrottles = new cloudwatch.MathExpression({
      expression: Object.keys(throttleMetrics)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics: throttleMetrics,
      label: 'Throttled requests',
      period,
    });

    const alarm = (
      alarmId: string,
      description: string,
      props2: Omit<cloudwatch.CreateAlarmOptions, 'alarmDescription'> & { metric: cloudwatch.IMetric },
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${props.name}-${alarmId}`,
        alarmDescription: description,
        ...props2,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };
    alarm(
      'api-5xx',
      'The API answered 5xx at least 5 times in 5 minutes: check the Lambda logs and /health (Temporal, DynamoDB).',
      {
        metric: api5xx,
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const latency = props.apiLatencyThreshold ?? Duration.seconds(3);
    alarm(
      'api-latency',
      `API p99 latency above ${latency.toSeconds()} s for 15 minutes: Temporal or DynamoDB is slow, or Lambda is cold-starting under load.`,
      {
        metric: apiLatency,
        threshold: latency.toMilliseconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    alarm(
      'lambda-errors',
      'The API Lambda failed (crashed, timed out or could not start): check its logs, e.g. the runtime secret or Temporal credentials.',
      {
        metric: lambdaErrors,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    alarm(
      'lambda-throttles',
      'The API Lambda hit its reserved concurrency: requests are being refused; raise apiReservedConcurrency or find the flood.',
      {
        metric: lambdaThrottles,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    alarm(
      'worker-not-running',
      `Fewer than ${props.workerMinTasks} worker task(s) running for 3 minutes: journeys are not progressing and no reminders fire.`,
      {
        metric: runningTasks,
        threshold: props.workerMinTasks,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data means no task reported at all: that is the outage this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    alarm(
      'dynamodb-throttles',
      'DynamoDB throttled requests to the carepath table: on-demand capacity is ramping or a hot partition exists.',
      {
        metric: tableThrottles,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    /** An alarm on every log line that says `phrase`: each one is something an operator must hear of. */
    const everyLine = (
      id: string,
      logGroup: logs.ILogGroup,
      phrase: string,
      metricName: string,
      alarmId: string,
      description: string,
    ) =>
      alarm(alarmId, description, {
        metric: new logs.MetricFilter(this, id, {
          logGroup,
          filterPattern: logs.FilterPattern.literal(`"${phrase}"`),
          metricNamespace: 'carepath',
          metricName,
          metricValue: '1',
          defaultValue: 0,
        }).metric({ period, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    // An alert no one could be given (HAZ-27): the team has no one left in any role its ladder
    // climbs. It waits on the team's Team page; someone must put people in the staff directory.
    everyLine(
      'UnroutedNotifications',
      props.workerLogs,
      'notification reached no one',
      'NotificationsReachingNoOne',
      'notifications-reaching-no-one',
      "An alert reached no one: the staff directory has no one in the team's roles. See the team's Team page and add a lead or co-ordinator on the Staff page.",
    );
    // A journey whose history no longer replays is stuck until an operator acts (ADR 0012): the
    // worker logs sdk-core's `workflow_task_execution_failed` (NonDeterminismError) as it counts it.
    everyLine(
      'ReplayDivergences',
      props.workerLogs,
      NONDETERMINISM_ALARM,
      'WorkflowTaskNondeterminism',
      'journey-replay-diverged',
      'Journeys are stuck: their workflow tasks fail with a non-determinism error, so their deadlines are not chased. If a deploy has just gone out, roll it back; otherwise follow docs/operations.md, "A journey stuck on a replay divergence" (npm run journeys:reset).',
    );
    // Someone broke glass to decode Temporal history (lambdas/routes/session.ts). Expected now and
    // then, never unnoticed: whoever watches the service sees who and until when, and the IG lead
    // reads why in GET /break-glass-sessions.
    everyLine(
      'BreakGlassSessions',
      props.apiLogs,
      BREAK_GLASS_LOG,
      'BreakGlassCodecSessions',
      'break-glass',
      'Someone broke glass to decode journey history in Temporal. The API log names who and until when; the IG lead checks their reason in GET /break-glass-sessions.',
    );

    const serviceDims = {
      ClusterName: props.workerService.cluster.clusterName,
      ServiceName: props.workerService.serviceName,
    };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.name,
      defaultInterval: Duration.hours(24),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 })],
        [
          new cloudwatch.GraphWidget({
            title: 'API requests and 5xx',
            left: [
              props.httpApi.metricCount({ period, statistic: 'Sum' }),
              api5xx,
              props.httpApi.metricClientError({ period, statistic: 'Sum' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'API latency (p50, p99)',
            left: [props.httpApi.metricLatency({ period, statistic: 'p50' }), apiLatency],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'API Lambda',
            left: [lambdaErrors, lambdaThrottles],
            right: [props.apiHandler.metric('ConcurrentExecutions', { period, statistic: 'Maximum' })],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Worker tasks running', left: [runningTasks], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Worker CPU and memory (%)',
            left: [
              new cloudwatch.Metric({
                namespace: 'AWS/ECS',
                metricName: 'CPUUtilization',
                dimensionsMap: serviceDims,
                period,
                statistic: 'Average',
              }),
              new cloudwatch.Metric({
                namespace: 'AWS/ECS',
                metricName: 'MemoryUtilization',
                dimensionsMap: serviceDims,
                period,
                statistic: 'Average',
              }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'DynamoDB capacity and throttles',
            left: [
              props.table.metricConsumedReadCapacityUnits({ period, statistic: 'Sum' }),
              props.table.metricConsumedWriteCapacityUnits({ period, statistic: 'Sum' }),
            ],
            right: [tableThrottles],
            width: 8,
          }),
        ],
      ],
    });
  }
}
