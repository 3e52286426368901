/**
 * The ports tests and `npm start` give their services. Taking them from the ephemeral range let an
 * outgoing connection take a chosen port before the Temporal dev server bound it (CI failed on
 * "bind: address already in use" as `npm start` restarted on its old ports).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/localServices.js';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function hold(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    held.push(server);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** The kernel's range for outgoing connections' local ports (Linux's default where unreadable). */
function ephemeralRange(): [number, number] {
  const file = '/proc/sys/net/ipv4/ip_local_port_range';
  if (!existsSync(file)) return [32768, 60999];
  const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  return [low!, high!];
}

describe('freePort', () => {
  it('is below the range the kernel gives outgoing connections', async () => {
    const [low] = ephemeralRange();
    for (let i = 0; i < 20; i++) expect(await freePort()).toBeLessThan(low);
  });

  it('never hands out the same port twice in a process, and passes over one already bound', async () => {
    const first = await freePort();
    await hold(first + 1);
    const second = await freePort();
    expect(second).not.toBe(first);
    expect(second).not.toBe(first + 1);
  });

  it('gives each vitest worker its own slice, so two test files never choose the same port', async () => {
    const saved = process.env.VITEST_POOL_ID;
    try {
      const slices = new Map<string, number[]>();
      for (const pool of ['1', '2', '3']) {
        process.env.VITEST_POOL_ID = pool;
        slices.set(pool, [await freePort(), await freePort()]);
      }
      const all = [...slices.values()].flat();
      expect(new Set(all).size).toBe(all.length);
      const sliceOf = (port: number) => Math.floor((port - 20_000) / 500);
      expect(new Set([...slices.values()].map((ports) => sliceOf(ports[0]!))).size).toBe(3);
      for (const ports of slices.values()) expect(sliceOf(ports[0]!)).toBe(sliceOf(ports[1]!));
    } finally {
      if (saved === undefined) delete process.env.VITEST_POOL_ID;
      else process.env.VITEST_POOL_ID = saved;
    }
  });
});
