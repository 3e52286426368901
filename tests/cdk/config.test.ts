/** Deployment settings from CDK context: environment defaults, overrides, and refusals. */
import { describe, expect, it } from 'vitest';
import { carepathConfig } from '../../cdk/config.js';

const from = (context: Record<string, unknown>) => carepathConfig((key) => context[key]);

describe('carepathConfig', () => {
  it('defaults to dev: disposable data, one NAT gateway, one worker, London, Temporal Cloud with an API key', () => {
    const dev = from({});
    expect(dev).toMatchObject({
      envName: 'dev',
      region: 'eu-west-2',
      retainData: false,
      natGateways: 1,
      worker: { minTasks: 1 },
      temporal: {
        auth: 'api-key',
        tls: true,
        runtimeSecretName: 'carepath/dev/runtime',
        credentialSecretNames: { api: 'carepath/dev/temporal/api', worker: 'carepath/dev/temporal/worker' },
        uiOrigin: 'https://cloud.temporal.io',
      },
    });
    expect(dev.email).toBeUndefined();
  });

  it('names the codec key ids sealed before payloads were signed, and refuses anything but ids', () => {
    expect(from({}).temporal.unsignedKeyIds).toEqual([]);
    expect(from({ unsignedCodecKeyIds: 'k1,k0' }).temporal.unsignedKeyIds).toEqual(['k1', 'k0']);
    expect(() => from({ unsignedCodecKeyIds: 'k1; rm -rf' })).toThrow(/unsignedCodecKeyIds/);
  });

  it('makes prod durable and redundant', () => {
    expect(from({ env: 'prod' })).toMatchObject({
      retainData: true,
      natGateways: 2,
      logRetentionDays: 400,
      worker: { minTasks: 2 },
      backup: { dailyRetentionDays: 7, monthlyRetentionDays: 366, vaultLock: 'compliance' },
    });
  });

  it('locks the backup vault in compliance mode in prod and governance mode in dev, and takes either as an override', () => {
    expect(from({}).backup.vaultLock).toBe('governance');
    expect(from({ env: 'prod', backupVaultLock: 'governance' }).backup).toEqual({
      dailyRetentionDays: 7,
      monthlyRetentionDays: 366,
      vaultLock: 'governance',
    });
    expect(from({ backupVaultLock: 'none' }).backup.vaultLock).toBe('none');
  });

  it('takes overrides as the CLI passes them (strings)', () => {
    const c = from({
      env: 'prod',
      temporalAuth: 'mtls',
      temporalPrivateCa: 'true',
      apiReservedConcurrency: '25',
      natGateways: '1',
      workerMaxTasks: '10',
      runtimeSecretName: 'ics/carepath',
      emailFrom: 'a@b.nhs.uk',
      emailAddressTemplate: '{id}@nhs.net',
      temporalUiOrigin: 'https://temporal.ics.example/ui',
    });
    expect(c).toMatchObject({
      natGateways: 1,
      api: { reservedConcurrency: 25 },
      worker: { maxTasks: 10 },
      temporal: {
        auth: 'mtls',
        privateCa: true,
        runtimeSecretName: 'ics/carepath',
        uiOrigin: 'https://temporal.ics.example',
      },
      email: { from: 'a@b.nhs.uk' },
    });
  });

  it.each([
    [{ env: 'staging' }, /env/],
    [{ temporalAuth: 'password' }, /temporalAuth/],
    [{ temporalTls: 'false' }, /needs TLS/],
    [{ emailFrom: 'a@b.nhs.uk' }, /together/],
    [{ emailFrom: 'a@b.nhs.uk', emailAddressTemplate: '@nhs.net' }, /emailAddressTemplate/],
    [{ workerMinTasks: '4', workerMaxTasks: '3' }, /below/],
    [{ cognitoDomainPrefix: 'Has Spaces' }, /cognitoDomainPrefix/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    // Secrets Manager would read "-worker" as the random suffix it adds, and find no such secret.
    [{ workerTemporalSecretName: 'carepath/prod/temporal-worker' }, /workerTemporalSecretName: must not end/],
    [{ apiTemporalSecretName: 'carepath/dev/runtime' }, /three different secrets/],
    [{ temporalAuth: 'none', apiTemporalSecretName: 'carepath/dev/temporal/api' }, /no Temporal credentials/],
    [{ backupVaultLock: 'forever' }, /backupVaultLock/],
  ])('refuses %j', (context, message) => {
    expect(() => from(context)).toThrow(message);
  });

  it('names a Temporal credential secret for each process, overridable, and none without credentials', () => {
    expect(
      from({ env: 'prod', apiTemporalSecretName: 'ics/api-temporal', workerTemporalSecretName: 'ics/worker-temporal' })
        .temporal.credentialSecretNames,
    ).toEqual({ api: 'ics/api-temporal', worker: 'ics/worker-temporal' });
    expect(from({ temporalAuth: 'mtls' }).temporal.credentialSecretNames).toEqual({
      api: 'carepath/dev/temporal/api',
      worker: 'carepath/dev/temporal/worker',
    });
    expect(from({ temporalAuth: 'none' }).temporal).not.toHaveProperty('credentialSecretNames');
  });

  it('allows plaintext only without credentials (a self-hosted cluster on a private network)', () => {
    expect(from({ temporalAuth: 'none', temporalTls: false }).temporal).toMatchObject({ auth: 'none', tls: false });
  });

  it("sizes the WAF's per-address limit for a trust behind one NAT address, tunable but never below a person's dashboard", () => {
    expect(from({}).edge.requestsPerIpPerMinute).toBe(600);
    expect(from({ env: 'prod' }).edge.requestsPerIpPerMinute).toBe(6000);
    expect(from({ env: 'prod', wafRequestsPerIpPerMinute: '12000' }).edge.requestsPerIpPerMinute).toBe(12000);
    expect(() => from({ wafRequestsPerIpPerMinute: '50' })).toThrow(/wafRequestsPerIpPerMinute/);
    expect(() => from({ wafRequestsPerIpPerMinute: 'lots' })).toThrow(/wafRequestsPerIpPerMinute/);
  });
});
