/**
 * The one secret the API and the worker share: Temporal's address, namespace and credentials, the
 * payload codec keys and the pseudonym key, as a JSON object keyed by environment variable (see
 * lambdas/runtimeSecrets.ts). It is created by the operator before the first deploy (cdk/README.md)
 * because its values come from outside — Temporal Cloud, or keys that must outlive any stack.
 */
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RuntimeSecretKey } from '../lambdas/runtimeSecrets.js';
import type { CarepathConfig } from './config.js';

export interface RuntimeSecretProps {
  /** Name of the existing secret, e.g. `carepath/prod/runtime`. */
  secretName: string;
  /** Which credentials Temporal takes decides which keys the secret must hold. */
  temporal: Pick<CarepathConfig['temporal'], 'auth' | 'privateCa'>;
}

/** The keys a deployment's secret must hold: ECS refuses to start a task when a named key is missing. */
export function requiredSecretKeys(temporal: RuntimeSecretProps['temporal']): RuntimeSecretKey[] {
  return [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    ...(temporal.auth === 'api-key' ? (['TEMPORAL_API_KEY'] as const) : []),
    ...(temporal.auth === 'mtls' ? (['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const) : []),
    ...(temporal.privateCa ? (['TEMPORAL_TLS_CA'] as const) : []),
    'CAREPATH_CODEC_KEYS',
    'CAREPATH_SIGNING_KEYS',
    'CAREPATH_PSEUDONYM_KEY',
  ];
}

export class RuntimeSecret extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly keys: RuntimeSecretKey[];

  constructor(scope: Construct, id: string, props: RuntimeSecretProps) {
    super(scope, id);
    this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.secretName);
    this.keys = requiredSecretKeys(props.temporal);
  }

  /** For a container definition's `secrets`: each key injected as the environment variable of the same name. */
  ecsSecrets(): Record<string, ecs.Secret> {
    return Object.fromEntries(this.keys.map((key) => [key, ecs.Secret.fromSecretsManager(this.secret, key)]));
  }
}
