/**
 * Temporal payload encryption: every payload the worker and the API send to Temporal (workflow
 * arguments, signals, updates, activity inputs and results, query answers) is sealed with
 * AES-256-GCM before it leaves the process, so Temporal — and anyone who reads its database or
 * its Web UI without the key — sees only ciphertext. Keys are named; the first is used to seal,
 * all of them to open, so a key can be rotated without losing the history sealed under the old one.
 *
 * `CAREPATH_CODEC_KEYS=id1:<base64 32 bytes>,id0:<base64 32 bytes>` (newest first); in AWS from
 * Secrets Manager. Payloads that were never encrypted pass through unchanged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// CommonJS whose exports Node's ESM loader cannot name: take the namespace from the default export.
import proto from '@temporalio/proto';

const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export interface CodecKeys {
  /** Seals new payloads. */
  current: string;
  keys: Map<string, Buffer>;
}

export function parseCodecKeys(spec: string): CodecKeys {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, encoded] = part.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32)
      throw new Error(`CAREPATH_CODEC_KEYS: "${id ?? part}" must be <id>:<base64 of 32 random bytes>`);
    keys.set(id, key);
    current ??= id;
  }
  if (!current) throw new Error('CAREPATH_CODEC_KEYS is empty');
  return { current, keys };
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.current)!;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([
        cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()),
        cipher.final(),
      ]);
      return {
        metadata: { encoding: utf8(ENCODING), [KEY_ID]: utf8(this.keys.current) },
        data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID]) ?? '';
      const key = this.keys.keys.get(keyId);
      if (!key) throw new Error(`payload sealed with unknown key "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The codec from the environment, or undefined when no keys are configured. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  return env.CAREPATH_CODEC_KEYS ? new EncryptionCodec(parseCodecKeys(env.CAREPATH_CODEC_KEYS)) : undefined;
}

export const newCodecKey = (): string => randomBytes(32).toString('base64');
