/** AES-256-GCM payload codec: round trip, key rotation, tampering, unknown keys, pass-through. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, newCodecKey, parseCodecKeys } from '../../temporal/payloadCodec.js';

const payload = defaultPayloadConverter.toPayload({ reason: 'carer at breaking point', age: 87 });

describe('payload codec', () => {
  it('seals payloads so nothing readable is left, and opens them again', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(`k1:${newCodecKey()}`));
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('carer');
    expect(new TextDecoder().decode(sealed!.metadata!.encoding)).toBe('binary/encrypted');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ reason: 'carer at breaking point', age: 87 });
    // Two seals of the same payload differ (fresh IV each time).
    const [again] = await codec.encode([payload]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(sealed!.data!))).toBe(false);
  });

  it('rotates keys: history sealed under the old key still opens once a new key seals', async () => {
    const old = newCodecKey();
    const [sealedOld] = await new EncryptionCodec(parseCodecKeys(`k1:${old}`)).encode([payload]);
    const rotated = new EncryptionCodec(parseCodecKeys(`k2:${newCodecKey()},k1:${old}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedOld!]))[0]!)).toMatchObject({ age: 87 });
    const [sealedNew] = await rotated.encode([payload]);
    expect(new TextDecoder().decode(sealedNew!.metadata!['encryption-key-id'])).toBe('k2');
    await expect(new EncryptionCodec(parseCodecKeys(`k1:${old}`)).decode([sealedNew!])).rejects.toThrow(
      /unknown key "k2"/,
    );
  });

  it('refuses tampered ciphertext, refuses unencrypted payloads outside local development, and rejects bad key specs', async () => {
    const codec = new EncryptionCodec(parseCodecKeys(`k1:${newCodecKey()}`));
    const [sealed] = await codec.encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow();
    // Plaintext is handed on as a refusal the journey ignores (temporal/payloadCodec.ts, ADR 0014)…
    const [refused] = await codec.decode([payload]);
    expect(JSON.parse(Buffer.from(refused!.data!).toString())).toEqual({ 'carepath-refused': 'not sealed' });
    // …but passes where plaintext is allowed (npm start), and through the people's codec.
    const local = new EncryptionCodec(parseCodecKeys(`k1:${newCodecKey()}`), { allowPlaintext: true });
    expect(await local.decode([payload])).toEqual([payload]);
    expect(await codec.forPeople().decode([payload])).toEqual([payload]);
    expect(() => parseCodecKeys('k1:short')).toThrow(/32 random bytes/);
    expect(() => parseCodecKeys(`:${randomBytes(32).toString('base64')}`)).toThrow();
    expect(() => parseCodecKeys('')).toThrow(/empty/);
  });
});
