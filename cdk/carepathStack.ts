/**
 * One deployment of carepath: the constructs of this folder, wired together. Dependencies run one
 * way — encryption → data, network → identity → API → site → worker → monitoring — with the
 * site's address (the dashboard and the API, at CloudFront) feeding Cognito's callbacks, read
 * lazily because the site needs the API, which needs the identity. The WAF the site carries comes
 * from the edge stack in us-east-1 (cdk/edgeStack.ts).
 */
import { CfnOutput, Fn, Lazy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Api } from './api.js';
import { AccessLogs } from './accessLogs.js';
import { AuditTrail } from './auditTrail.js';
import type { CarepathConfig } from './config.js';
import { Data } from './data.js';
import { Encryption } from './encryption.js';
import { Identity } from './identity.js';
import { Monitoring } from './monitoring.js';
import { Network } from './network.js';
import { RuntimeSecret } from './runtimeSecret.js';
import { Site } from './site.js';
import { TemporalCredential } from './temporalCredential.js';
import { Worker } from './worker.js';

export interface CarepathStackProps extends StackProps {
  config: CarepathConfig;
  /** The built dashboard, bundled with the API (dashboard/dist, or a fixture in tests). */
  dashboardDistDir: string;
  /** The WAF web ACL the site's distribution carries (the edge stack's, in us-east-1). */
  webAclArn: string;
}

export class CarepathStack extends Stack {
  readonly encryption: Encryption;
  readonly data: Data;
  readonly network: Network;
  readonly identity: Identity;
  readonly api: Api;
  readonly site: Site;
  readonly worker: Worker;
  readonly accessLogs: AccessLogs;
  readonly monitoring: Monitoring;
  readonly auditTrail: AuditTrail;

  constructor(scope: Construct, id: string, props: CarepathStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = `carepath-${config.envName}`;
    const retain = config.retainData;
    Tags.of(this).add('application', 'carepath');
    Tags.of(this).add('environment', config.envName);

    this.encryption = new Encryption(this, 'Encryption', { aliasName: name, retain });
    const encryptionKey = this.encryption.key;
    const logs = { logRetentionDays: config.logRetentionDays, retainLogs: retain };
    this.data = new Data(this, 'Data', { tableName: name, encryptionKey, retain, backup: config.backup });
    this.network = new Network(this, 'Network', { natGateways: config.natGateways, encryptionKey, ...logs });
    const runtimeSecret = new RuntimeSecret(this, 'RuntimeSecret', {
      secretName: config.temporal.runtimeSecretName,
      temporal: config.temporal,
    });
    // Each process its own Temporal credential, readable by it alone (config/secretKeys.ts).
    const { auth, credentialSecretNames: credentials } = config.temporal;
    const temporalCredential = (id: string, secretName: string | undefined) =>
      auth !== 'none' && secretName ? new TemporalCredential(this, id, { secretName, auth }) : undefined;
    const apiTemporalCredential = temporalCredential('ApiTemporalCredential', credentials?.api);
    const workerTemporalCredential = temporalCredential('WorkerTemporalCredential', credentials?.worker);

    this.identity = new Identity(this, 'Identity', {
      domainPrefix: config.identity.domainPrefix ?? Fn.join('-', [name, this.account]),
      // The site is built after the API, which needs the identity's clients: read its address late.
      dashboardOrigin: Lazy.string({ produce: () => this.site.url }),
      retain,
    });
    this.api = new Api(this, 'Api', {
      vpc: this.network.vpc,
      data: this.data,
      userPool: this.identity.userPool,
      peopleClients: [this.identity.dashboardClient],
      integrationClients: [this.identity.integrationClient],
      runtimeSecret,
      ...(apiTemporalCredential ? { temporalCredential: apiTemporalCredential } : {}),
      encryptionKey,
      dashboard: { distDir: props.dashboardDistDir, cognitoDomain: this.identity.domainName },
      temporalUiOrigin: config.temporal.uiOrigin,
      temporalTls: config.temporal.tls,
      unsignedKeyIds: config.temporal.unsignedKeyIds,
      memoryMiB: config.api.memoryMiB,
      reservedConcurrency: config.api.reservedConcurrency,
      throttle: { rate: config.api.throttleRate, burst: config.api.throttleBurst },
      ...logs,
    });
    this.site = new Site(this, 'Site', {
      api: this.api,
      webAclArn: props.webAclArn,
      encryptionKey,
      retain,
    });
    this.accessLogs = new AccessLogs(this, 'AccessLogs', { retentionDays: config.logRetentionDays, retain });
    this.worker = new Worker(this, 'Worker', {
      vpc: this.network.vpc,
      data: this.data,
      runtimeSecret,
      ...(workerTemporalCredential ? { temporalCredential: workerTemporalCredential } : {}),
      encryptionKey,
      ...config.worker,
      temporalTls: config.temporal.tls,
      unsignedKeyIds: config.temporal.unsignedKeyIds,
      dashboardUrl: this.site.url,
      ...(config.email ? { email: config.email } : {}),
      ...logs,
    });
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      name,
      table: this.data.table,
      encryptionKey,
      accessLogs: this.accessLogs.bucket,
      retentionDays: config.logRetentionDays,
      lock: config.backup.vaultLock,
      retain,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      name,
      encryptionKey,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      httpApi: this.api.httpApi,
      apiHandler: this.api.handler,
      apiLogs: this.api.logGroup,
      workerService: this.worker.service,
      workerLogs: this.worker.logGroup,
      workerMinTasks: config.worker.minTasks,
      table: this.data.table,
    });

    new CfnOutput(this, 'DashboardUrl', { value: this.site.url });
    new CfnOutput(this, 'ApiUrl', { value: this.site.url });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', { value: this.identity.dashboardClient.userPoolClientId });
    new CfnOutput(this, 'IntegrationClientId', { value: this.identity.integrationClient.userPoolClientId });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
  }
}
