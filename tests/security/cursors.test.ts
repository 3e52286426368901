/**
 * Sealed next-page cursors (lambdas/cursors.ts): what a list hands out shows nothing of the key it
 * stands for, and opens only for the list and caller it was given for, under the same secret.
 */
import { describe, expect, it } from 'vitest';
import { cursorsSealedWith } from '../../lambdas/cursors.js';

const key = JSON.stringify({ pk: 'JOURNEY#frailty-virtual-ward.pa57a9f0e51449db0a4c93a4c.01a2', sk: 'SUMMARY' });
const cursors = cursorsSealedWith(Buffer.alloc(32, 7));
const list = 'GET /journeys coord-lily ["coord-ana",null,null,null]';

describe('next-page cursors', () => {
  it('open, for the same list, to the key they were sealed from, and show nothing of it', () => {
    const sealed = cursors.seal(key, list)!;
    expect(cursors.open(sealed, list)).toBe(key);
    const inside = Buffer.from(sealed, 'base64url').toString('latin1');
    for (const part of ['JOURNEY#', 'pa57a9f0e5', 'SUMMARY', 'frailty']) expect(inside).not.toContain(part);
    // Sealed afresh each time: two pages of the same list never share a cursor.
    expect(cursors.seal(key, list)).not.toBe(sealed);
    expect(cursors.seal(undefined, list)).toBeUndefined();
    expect(cursors.open(undefined, list)).toBeUndefined();
  });

  it('refuse another list, another caller, another secret, an edited cursor and a made-up one', () => {
    const sealed = cursors.seal(key, list)!;
    expect(cursors.open(sealed, 'GET /journeys coord-lily [null,"exeter-1",null,null]')).toBe(false);
    expect(cursors.open(sealed, 'GET /journeys coord-joe ["coord-ana",null,null,null]')).toBe(false);
    expect(cursorsSealedWith(Buffer.alloc(32, 8)).open(sealed, list)).toBe(false);
    const bytes = Buffer.from(sealed, 'base64url');
    for (const at of [0, 13, bytes.length - 1]) {
      const edited = Buffer.from(bytes);
      edited[at] = edited[at]! ^ 1;
      expect(cursors.open(edited.toString('base64url'), list)).toBe(false);
    }
    const plain = Buffer.from(key).toString('base64url'); // what cursors used to be
    expect(cursors.open(plain, list)).toBe(false);
    expect(cursors.open('not a cursor!', list)).toBe(false);
    expect(cursors.open('A'.repeat(5000), list)).toBe(false);
    expect(cursors.open('AAAA', list)).toBe(false);
  });
});
