/**
 * The secret the API and the worker share: where Temporal is, the payload codec and signing keys,
 * and the pseudonym key, as a JSON object keyed by environment variable (config/secretKeys.ts).
 * Each process is given only the keys it uses; neither's Temporal credential is in it (each has its
 * own, cdk/temporalCredential.ts). It is created by the operator before the first deploy
 * (cdk/README.md) because its values come from outside — Temporal, or keys that must outlive any stack.
 */
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SHARED_KEYS_OF, type CarepathProcess, type SharedSecretKey } from '../config/secretKeys.js';
import type { CarepathConfig } from './config.js';

export interface RuntimeSecretProps {
  /** Name of the existing secret, e.g. `carepath/prod/runtime`. */
  secretName: string;
  /** A private CA adds `TEMPORAL_TLS_CA` to what each process is given. */
  temporal: Pick<CarepathConfig['temporal'], 'privateCa'>;
}

/** The shared keys a process is given: ECS refuses to start a task when a named key is missing. */
export function sharedSecretKeys(
  process: CarepathProcess,
  temporal: RuntimeSecretProps['temporal'],
): SharedSecretKey[] {
  return [...SHARED_KEYS_OF[process], ...(temporal.privateCa ? (['TEMPORAL_TLS_CA'] as const) : [])];
}

export class RuntimeSecret extends Construct {
  readonly secret: secretsmanager.ISecret;
  private readonly temporal: RuntimeSecretProps['temporal'];

  constructor(scope: Construct, id: string, props: RuntimeSecretProps) {
    super(scope, id);
    this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.secretName);
    this.temporal = props.temporal;
  }

  keysOf(process: CarepathProcess): SharedSecretKey[] {
    return sharedSecretKeys(process, this.temporal);
  }

  /** For a container definition's `secrets`: each of the process's keys injected as the environment variable of the same name. */
  ecsSecrets(process: CarepathProcess): Record<string, ecs.Secret> {
    return Object.fromEntries(
      this.keysOf(process).map((key) => [key, ecs.Secret.fromSecretsManager(this.secret, key)]),
    );
  }
}
