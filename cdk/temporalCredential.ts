/**
 * One process's own Temporal credential (the API's, or the worker's), in a Secrets Manager secret
 * of its own that only that process's role may read: a Temporal Cloud API key, or an mTLS client
 * certificate and key (config/secretKeys.ts). Separate credentials let Temporal tell the two apart,
 * give each only what it does, and revoke one without the other (cdk/README.md, "Temporal access").
 * Created by the operator before the first deploy; with `temporalAuth=none` there is none.
 */
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TemporalCredentialKey } from '../config/secretKeys.js';
import type { TemporalAuth } from './config.js';

export interface TemporalCredentialProps {
  /** Name of the existing secret, e.g. `carepath/prod/temporal/api`. */
  secretName: string;
  auth: Exclude<TemporalAuth, 'none'>;
}

/** The keys the credential secret must hold: ECS refuses to start a task when a named key is missing. */
export function temporalCredentialKeys(auth: TemporalCredentialProps['auth']): TemporalCredentialKey[] {
  return auth === 'api-key' ? ['TEMPORAL_API_KEY'] : ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'];
}

export class TemporalCredential extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly keys: TemporalCredentialKey[];

  constructor(scope: Construct, id: string, props: TemporalCredentialProps) {
    super(scope, id);
    this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.secretName);
    this.keys = temporalCredentialKeys(props.auth);
  }

  /** Lets the one principal that connects with this credential read it (the API's Lambda role). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }

  /** For a container definition's `secrets`: ECS's execution role, and no other, reads the secret to inject each key. */
  ecsSecrets(): Record<string, ecs.Secret> {
    return Object.fromEntries(this.keys.map((key) => [key, ecs.Secret.fromSecretsManager(this.secret, key)]));
  }
}
