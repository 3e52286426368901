/**
 * The security probe (`npm run security:probe`), run here in-process: on the stack in its
 * production posture every attack of the threat model is refused and each one's legitimate twin
 * works. And it can fail: on a stack weakened on purpose (the worker's codec taking plaintext, as
 * under `npm start`; no intake rate limit), the probe reports the forged command and the flood as
 * succeeded. A probe that passed whatever the stack did would prove nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attacks } from '../../scripts/securityProbe/attacks.js';
import { describeReports, passed, runAttacks } from '../../scripts/securityProbe/probe.js';
import {
  PROBE_INTAKE_LIMIT,
  startProbeStack,
  type ProbeStack,
  type Weakening,
} from '../../scripts/securityProbe/stack.js';

/** Both stacks at once: each spends most of its start waiting on its services and Temporal. */
function useProbeStacks(): { production: () => ProbeStack; weakened: () => ProbeStack } {
  const stacks: { production?: ProbeStack; weakened?: ProbeStack } = {};
  beforeAll(async () => {
    const start = (weaken?: Weakening) =>
      startProbeStack({
        toolchain: inject('toolchain'),
        workflowBundlePath: inject('workflowBundlePath'),
        ...(weaken ? { weaken } : {}),
      });
    const [production, weakened] = await Promise.allSettled([
      start(),
      start({ plaintextCommands: true, noRateLimits: true }),
    ]);
    if (production.status === 'fulfilled') stacks.production = production.value;
    if (weakened.status === 'fulfilled') stacks.weakened = weakened.value;
    for (const s of [production, weakened]) if (s.status === 'rejected') throw s.reason;
  });
  afterAll(async () => {
    await Promise.all([stacks.production?.stop(), stacks.weakened?.stop()]);
  });
  return { production: () => stacks.production!, weakened: () => stacks.weakened! };
}

const stacks = useProbeStacks();

const named = (...names: string[]) => {
  const chosen = attacks.filter((a) => names.includes(a.name));
  expect(chosen.map((a) => a.name)).toEqual(names);
  return chosen;
};

describe('the security probe, on the stack in its production posture', () => {
  it('refuses every attack of the threat model, and each one’s legitimate twin works', async () => {
    const reports = await runAttacks(stacks.production(), attacks);
    const { lines, ok } = describeReports(reports);
    expect(
      reports.filter((r) => !passed(r)),
      lines.join('\n'),
    ).toEqual([]);
    expect(reports.map((r) => r.name)).toEqual(attacks.map((a) => a.name));
    expect(ok).toBe(true);
    expect(lines.at(-1)).toBe(`${attacks.length} attacks, 0 succeeded`);
  });
});

describe('the security probe, on a stack weakened on purpose', () => {
  it('reports a forged plaintext command and a flood as succeeded, and fails', async () => {
    const reports = await runAttacks(stacks.weakened(), named('forged plaintext command', 'flood from one caller'));
    const { lines, ok } = describeReports(reports);
    for (const report of reports) expect(report.succeeded, lines.join('\n')).toBe(true);
    expect(reports.find((r) => r.name === 'forged plaintext command')!.happened).toMatch(/closed as deceased/);
    expect(reports.find((r) => r.name === 'flood from one caller')!.happened).toMatch(
      new RegExp(`^0 of ${2 * PROBE_INTAKE_LIMIT + 1} refused`),
    );
    expect(ok).toBe(false);
    expect(lines.at(-1)).toMatch(/^2 attacks, 2 succeeded/);
  });
});
