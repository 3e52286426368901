/**
 * Next-page cursors, sealed. A cursor is the DynamoDB key a page ended on, and that key names a
 * journey (its id holds the person's pseudonym) that may sit outside the caller's scope: a
 * co-ordinator's list spans teams, and is filtered after the read. So the key is never handed out
 * as it is. It is encrypted and authenticated (AES-256-GCM) under a key derived from the API's
 * secret, and bound to the list and the caller it was given for: a cursor shows nothing, cannot be
 * made up or edited (so no crafted start key reaches DynamoDB), and opens only for the same caller
 * asking for the same list. Anything else is the client's mistake and answers 400.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Well above a sealed DynamoDB key (at most a few hundred bytes), far below anything costly. */
const MAX_CURSOR_CHARS = 4096;

export interface Cursors {
  /** The cursor to hand out for `key` (the read model's own cursor), for this list and caller. */
  seal(key: string | undefined, list: string): string | undefined;
  /** The read model's cursor inside `cursor`, undefined for none, or `false` if it is not one this list gave out. */
  open(cursor: string | undefined, list: string): string | undefined | false;
}

export function cursorsSealedWith(secret: Uint8Array): Cursors {
  const key = Buffer.from(hkdfSync('sha256', secret, 'carepath', 'next-page cursors', 32));
  return {
    seal(plain, list) {
      if (plain === undefined) return undefined;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(list));
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
    },
    open(cursor, list) {
      if (cursor === undefined) return undefined;
      if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return false;
      const bytes = Buffer.from(cursor, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return false;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(list));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return false;
      }
    },
  };
}
