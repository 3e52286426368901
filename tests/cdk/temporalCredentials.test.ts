/**
 * Each process proves itself to Temporal with its own credential, in a secret only it can read
 * (config/secretKeys.ts): the API's Lambda role reads the shared runtime secret and the API's
 * credential, the worker's task execution role the shared secret and the worker's, and no other
 * role in the stack reads any secret. With `temporalAuth=none` there is no credential secret at all.
 */
import { describe, expect, it } from 'vitest';
import { TEMPORAL_CREDENTIAL_SECRET_ARN_ENV } from '../../lambdas/runtimeSecrets.js';
import { actionsOf, iamStatements, logicalId, secretsIn, type Synthesised, synthCarepath } from './synth.js';

const mtls = synthCarepath({
  env: 'dev',
  temporalAuth: 'mtls',
  temporalPrivateCa: 'true',
  apiTemporalSecretName: 'ics/carepath/api-temporal',
  workerTemporalSecretName: 'ics/carepath/worker-temporal',
});
const none = synthCarepath({ env: 'dev', temporalAuth: 'none' });

/** Every role that may read a secret, by logical id, with the secrets it may read. */
function secretReaders({ template }: Synthesised): Record<string, string[]> {
  const readers: Record<string, string[]> = {};
  for (const { roles, statement } of iamStatements(template)) {
    if (!actionsOf(statement).some((a) => a.startsWith('secretsmanager:'))) continue;
    // A wildcard would reach every secret in the account, whoever's it is.
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
    for (const role of roles as { Ref: string }[])
      readers[role.Ref] = [...new Set([...(readers[role.Ref] ?? []), ...secretsIn([statement])])].sort();
  }
  return readers;
}

const apiRole = ({ stack }: Synthesised) => logicalId(stack, stack.api.handler.role!);
const workerExecutionRole = ({ stack }: Synthesised) => logicalId(stack, stack.worker.taskDefinition.executionRole!);
const lambdaEnv = ({ stack, template }: Synthesised) =>
  (
    template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.api.handler)]!.Properties as {
      Environment: { Variables: Record<string, unknown> };
    }
  ).Environment.Variables;
const workerSecrets = ({ template }: Synthesised) =>
  Object.fromEntries(
    (
      Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!.Properties as {
        ContainerDefinitions: { Secrets: { Name: string; ValueFrom: unknown }[] }[];
      }
    ).ContainerDefinitions[0]!.Secrets.map((s) => [s.Name, JSON.stringify(s.ValueFrom)]),
  );

describe('separate Temporal credentials', () => {
  it('let the API read only the shared secret and its own credential, the worker only the shared secret and its own, and no other role any secret', () => {
    expect(secretReaders(mtls)).toEqual({
      [apiRole(mtls)]: ['carepath/dev/runtime', 'ics/carepath/api-temporal'],
      [workerExecutionRole(mtls)]: ['carepath/dev/runtime', 'ics/carepath/worker-temporal'],
    });
  });

  it("tell the Lambda where its own credential is, and inject the worker's certificate from the worker's secret", () => {
    expect(JSON.stringify(lambdaEnv(mtls)[TEMPORAL_CREDENTIAL_SECRET_ARN_ENV])).toContain(
      ':secret:ics/carepath/api-temporal"',
    );
    const injected = workerSecrets(mtls);
    for (const key of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'])
      expect(injected[key]).toContain(`:secret:ics/carepath/worker-temporal:${key}::`);
    expect(injected.TEMPORAL_TLS_CA).toContain(':secret:carepath/dev/runtime:TEMPORAL_TLS_CA::');
    expect(injected).not.toHaveProperty('TEMPORAL_API_KEY');
  });

  it('are not looked for when Temporal takes no client credential (temporalAuth=none)', () => {
    expect(secretReaders(none)).toEqual({
      [apiRole(none)]: ['carepath/dev/runtime'],
      [workerExecutionRole(none)]: ['carepath/dev/runtime'],
    });
    expect(lambdaEnv(none)).not.toHaveProperty(TEMPORAL_CREDENTIAL_SECRET_ARN_ENV);
    const injected = workerSecrets(none);
    expect(Object.keys(injected).sort()).toEqual(
      ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'CAREPATH_CODEC_KEYS', 'CAREPATH_SIGNING_KEYS'].sort(),
    );
    for (const value of Object.values(injected)) expect(value).toContain(':secret:carepath/dev/runtime:');
  });
});
