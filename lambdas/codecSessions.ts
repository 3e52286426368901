/**
 * Break-glass codec sessions. Decoding a journey's Temporal history shows what staff wrote about a
 * person, so it is not something a role may simply do: an operations or admin user asks for it,
 * saying why (the request is kept and alerted on, routes/session.ts), and gets a codec session for
 * a quarter of an hour. The session is a token that opens the codec routes and nothing else, so the
 * cookie the Temporal Web UI sends is never a sign-in that the rest of the API would accept, and a
 * stolen one is worth fifteen minutes of decoding, not a day of acting as the person.
 *
 * The token is sealed (AES-256-GCM) under a key derived from the API's secret and bound to its
 * purpose: nothing outside the API can make one, read who it names or stretch its expiry, and every
 * API instance opens what any other issued.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { roles, type Caller, type Role } from './auth.js';

/** How long a break-glass codec session lasts: long enough to look into one stuck journey. */
export const CODEC_SESSION_MINUTES = 15;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_TOKEN_CHARS = 1024;
const PURPOSE = 'carepath codec session';

const sealedSession = z.object({
  sub: z.string().min(1),
  role: z.enum(roles as [Role, ...Role[]]),
  /** When it stops opening the codec (epoch ms). */
  exp: z.number().int(),
});

export interface CodecSession {
  token: string;
  /** ISO time it ends. */
  until: string;
}

export interface CodecSessions {
  /** A session for `caller`, from `now` for CODEC_SESSION_MINUTES. */
  issue(caller: Pick<Caller, 'sub' | 'role'>, now: Date): CodecSession;
  /** Who a token was issued to, if it is one of ours and has not ended; never a team (the codec has none). */
  open(token: string | undefined, now: Date): Caller | undefined;
}

export function codecSessionsSealedWith(secret: Uint8Array): CodecSessions {
  const key = Buffer.from(hkdfSync('sha256', secret, 'carepath', 'codec sessions', 32));
  return {
    issue({ sub, role }, now) {
      const exp = now.getTime() + CODEC_SESSION_MINUTES * 60_000;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(PURPOSE));
      const sealed = Buffer.concat([cipher.update(JSON.stringify({ sub, role, exp }), 'utf8'), cipher.final()]);
      return {
        token: Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url'),
        until: new Date(exp).toISOString(),
      };
    },
    open(token, now) {
      if (!token || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      let plain: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(PURPOSE));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        plain = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return undefined;
      }
      const session = sealedSession.safeParse(JSON.parse(plain));
      if (!session.success || session.data.exp <= now.getTime()) return undefined;
      return { sub: session.data.sub, role: session.data.role, teams: [] };
    },
  };
}
