/**
 * Break-glass codec sessions (lambdas/codecSessions.ts): a session opens for fifteen minutes and
 * then never again, shows nothing of who holds it, and cannot be made, edited or stretched by
 * anyone without the API's secret — nor made from anything else the API seals with that secret.
 */
import { describe, expect, it } from 'vitest';
import { CODEC_SESSION_MINUTES, codecSessionsSealedWith } from '../../lambdas/codecSessions.js';
import { cursorsSealedWith } from '../../lambdas/cursors.js';

const secret = Buffer.alloc(32, 7);
const sessions = codecSessionsSealedWith(secret);
const issuedAt = new Date('2026-12-07T10:00:00Z');
const minutes = (n: number) => new Date(issuedAt.getTime() + n * 60_000);

describe('break-glass codec sessions', () => {
  it('open as the person they were issued to, with no team, until fifteen minutes have passed', () => {
    expect(CODEC_SESSION_MINUTES).toBe(15);
    const { token, until } = sessions.issue({ sub: 'ops-1', role: 'ops' }, issuedAt);
    expect(until).toBe('2026-12-07T10:15:00.000Z');
    expect(sessions.open(token, issuedAt)).toEqual({ sub: 'ops-1', role: 'ops', teams: [] });
    expect(sessions.open(token, minutes(14.9))).toEqual({ sub: 'ops-1', role: 'ops', teams: [] });
    expect(sessions.open(token, minutes(15))).toBeUndefined();
    expect(sessions.open(token, minutes(60 * 24))).toBeUndefined();
    const inside = Buffer.from(token, 'base64url').toString('latin1');
    for (const part of ['ops-1', '"role"', 'exp']) expect(inside).not.toContain(part);
  });

  it('refuse another secret, an edited or made-up token, and a sealed cursor', () => {
    const { token } = sessions.issue({ sub: 'ops-1', role: 'ops' }, issuedAt);
    expect(codecSessionsSealedWith(Buffer.alloc(32, 8)).open(token, issuedAt)).toBeUndefined();
    const bytes = Buffer.from(token, 'base64url');
    for (const at of [0, 13, bytes.length - 1]) {
      const edited = Buffer.from(bytes);
      edited[at] = edited[at]! ^ 1;
      expect(sessions.open(edited.toString('base64url'), issuedAt)).toBeUndefined();
    }
    const madeUp = Buffer.from(JSON.stringify({ sub: 'ops-1', role: 'ops', exp: 9e15 })).toString('base64url');
    expect(sessions.open(madeUp, issuedAt)).toBeUndefined();
    // Same secret, other purpose: a next-page cursor is never a codec session.
    const cursor = cursorsSealedWith(secret).seal(JSON.stringify({ sub: 'ops-1', role: 'ops', exp: 9e15 }), 'x')!;
    expect(sessions.open(cursor, issuedAt)).toBeUndefined();
    for (const junk of [undefined, '', 'not a token!', 'A'.repeat(5000), 'AAAA'])
      expect(sessions.open(junk, issuedAt)).toBeUndefined();
  });
});
