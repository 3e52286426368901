/**
 * Temporal payload encryption: every payload the worker and the API send to Temporal (workflow
 * arguments, signals, updates, activity inputs and results, query answers) is sealed with
 * AES-256-GCM before it leaves the process, so Temporal — and anyone who reads its database or
 * its Web UI without the key — sees only ciphertext. Keys are named; the first is used to seal,
 * all of them to open, so a key can be rotated without losing the history sealed under the old one.
 *
 * `CAREPATH_CODEC_KEYS=id1:<base64 32 bytes>,id0:<base64 32 bytes>` (newest first); in AWS from
 * Secrets Manager.
 *
 * **Signed payloads.** Encryption keeps Temporal blind, but the codec endpoint seals for people
 * too (the Temporal Web UI encodes through it), so a sealed payload alone does not show that
 * carepath sent it. With `CAREPATH_SIGNING_KEYS` (same shape; held by the API and the worker only,
 * never by the codec endpoint), every payload the API or the worker seals also carries an
 * HMAC-SHA256 of its key id and ciphertext. The worker then takes only payloads that carry a good
 * signature: a signal sent by anyone else with Temporal access — a plaintext `close` in a
 * co-ordinator's name, a payload sealed through the codec endpoint, one signed with another key —
 * reaches the journey as a refusal (`REFUSED`), which it logs and ignores. It is never thrown: a
 * payload that cannot be opened would fail the journey's task on every retry, and one forged
 * message would stop a person's deadlines.
 *
 * History sealed before signing began carries no signature: name its key ids in
 * `CAREPATH_UNSIGNED_KEY_IDS` (and seal new payloads under a new key) so it still replays. Plaintext
 * payloads are refused too, unless `CAREPATH_CODEC_ALLOW_PLAINTEXT=1` (local development only).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// CommonJS whose exports Node's ESM loader cannot name: take the namespace from the default export.
import proto from '@temporalio/proto';
import { REFUSED } from './journeyMessages.js';

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

export function parseCodecKeys(spec: string, name = 'CAREPATH_CODEC_KEYS'): CodecKeys {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, encoded] = part.split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error(`${name}: "${id ?? part}" must be <id>:<base64 of 32 random bytes>`);
    keys.set(id, key);
    current ??= id;
  }
  if (!current) throw new Error(`${name} is empty`);
  return { current, keys };
}

/** Where a payload's signature travels: `<signing key id>:<base64 HMAC>`. */
const SIGNATURE = 'carepath-signature';

const refusal = (reason: string): Payload => ({
  metadata: { encoding: utf8('json/plain') },
  data: utf8(JSON.stringify({ [REFUSED]: reason })),
});

export interface SigningOptions {
  /** Signs what this codec seals, and checks what it opens. */
  keys: CodecKeys;
  /** Encryption key ids whose payloads were sealed before signing began: opened without a signature. */
  unsignedKeyIds?: ReadonlySet<string>;
}

export interface CodecOptions {
  signing?: SigningOptions;
  /** Lets plaintext payloads through (local development only). */
  allowPlaintext?: boolean;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: CodecKeys,
    private readonly options: CodecOptions = {},
  ) {}

  /**
   * The codec the codec endpoint serves people with: it opens what carepath sealed, signed or not
   * (people read history), and seals without signing, so nothing sealed through it passes as
   * carepath's own.
   */
  forPeople(): EncryptionCodec {
    return new EncryptionCodec(this.keys, { allowPlaintext: true });
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.current)!;
    const signing = this.options.signing;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([
        cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()),
        cipher.final(),
      ]);
      const data = Buffer.concat([iv, sealed, cipher.getAuthTag()]);
      const signature = signing
        ? `${signing.keys.current}:${mac(signing.keys.keys.get(signing.keys.current)!, this.keys.current, data)}`
        : undefined;
      return {
        metadata: {
          encoding: utf8(ENCODING),
          [KEY_ID]: utf8(this.keys.current),
          ...(signature ? { [SIGNATURE]: utf8(signature) } : {}),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCODING)
        return this.options.allowPlaintext ? payload : refusal('not sealed');
      const keyId = text(payload.metadata?.[KEY_ID]) ?? '';
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const signing = this.options.signing;
      if (!signing) return this.open(keyId, data);
      const verdict = checkSignature(signing, keyId, data, text(payload.metadata?.[SIGNATURE]));
      if (verdict === 'good') return this.open(keyId, data); // carepath's own: a failure to open is loud
      if (verdict === 'unsigned' && signing.unsignedKeyIds?.has(keyId)) {
        // Sealed before signing began; one that does not open under its key is not carepath's.
        try {
          return this.open(keyId, data);
        } catch {
          return refusal('not sealed by carepath');
        }
      }
      return refusal(verdict === 'unsigned' ? 'not signed' : 'bad signature');
    });
  }

  private open(keyId: string, data: Buffer): Payload {
    const key = this.keys.keys.get(keyId);
    if (!key) throw new Error(`payload sealed with unknown key "${keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

const mac = (key: Buffer, encryptionKeyId: string, data: Uint8Array): string =>
  createHmac('sha256', key).update(encryptionKeyId).update('\0').update(data).digest('base64');

function checkSignature(
  signing: SigningOptions,
  encryptionKeyId: string,
  data: Buffer,
  signature: string | undefined,
): 'good' | 'bad' | 'unsigned' {
  if (!signature) return 'unsigned';
  const at = signature.indexOf(':');
  const key = signing.keys.keys.get(signature.slice(0, at));
  if (at < 0 || !key) return 'bad';
  const expected = Buffer.from(mac(key, encryptionKeyId, data));
  const given = Buffer.from(signature.slice(at + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'good' : 'bad';
}

/** The codec from the environment, or undefined when no keys are configured. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  if (!env.CAREPATH_CODEC_KEYS) {
    if (env.CAREPATH_SIGNING_KEYS)
      throw new Error('CAREPATH_SIGNING_KEYS needs CAREPATH_CODEC_KEYS: only sealed payloads are signed');
    return undefined;
  }
  const unsigned = (env.CAREPATH_UNSIGNED_KEY_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return new EncryptionCodec(parseCodecKeys(env.CAREPATH_CODEC_KEYS), {
    ...(env.CAREPATH_SIGNING_KEYS
      ? {
          signing: {
            keys: parseCodecKeys(env.CAREPATH_SIGNING_KEYS, 'CAREPATH_SIGNING_KEYS'),
            unsignedKeyIds: new Set(unsigned),
          },
        }
      : {}),
    allowPlaintext: env.CAREPATH_CODEC_ALLOW_PLAINTEXT === '1',
  });
}

export const newCodecKey = (): string => randomBytes(32).toString('base64');
