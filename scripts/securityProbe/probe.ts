/**
 * Runs attacks against a probe stack and reports each: refused (PASS), succeeded (FAIL), or blind
 * (FAIL: its legitimate twin did not work either, so the refusal proves nothing). An attack that
 * throws counts as not proved, never as refused.
 */
import { attacks as everyAttack, type Attack } from './attacks.js';
import type { ProbeStack } from './stack.js';

export interface AttackReport {
  name: string;
  refusal: string;
  /** The attack got what it wanted (or could not be tried). */
  succeeded: boolean;
  /** Its legitimate twin worked: the probe can see the effect it looks for. */
  twinWorked: boolean;
  happened: string;
  twin: string;
}

export async function runAttacks(stack: ProbeStack, attacks: Attack[] = everyAttack): Promise<AttackReport[]> {
  const reports: AttackReport[] = [];
  for (const attack of attacks) {
    try {
      const { attack: tried, twin } = await attack.run(stack);
      reports.push({
        name: attack.name,
        refusal: attack.refusal,
        succeeded: tried.worked,
        twinWorked: twin.worked,
        happened: tried.happened,
        twin: twin.happened,
      });
    } catch (error) {
      const why = `could not be tried: ${(error as Error).message}`;
      reports.push({
        name: attack.name,
        refusal: attack.refusal,
        succeeded: true,
        twinWorked: false,
        happened: why,
        twin: why,
      });
    }
  }
  return reports;
}

export const passed = (r: AttackReport) => !r.succeeded && r.twinWorked;

/** One line per attack, then the summary; `ok` is false if any attack succeeded or any twin failed. */
export function describeReports(reports: AttackReport[]): { lines: string[]; ok: boolean } {
  const lines = reports.map(
    (r) =>
      `${passed(r) ? 'PASS' : 'FAIL'}  ${r.name}: expected ${r.refusal}; ${r.succeeded ? 'SUCCEEDED: ' : ''}${r.happened}` +
      ` | twin ${r.twinWorked ? 'worked' : 'FAILED'}: ${r.twin}`,
  );
  const succeeded = reports.filter((r) => r.succeeded).length;
  const blind = reports.filter((r) => !r.twinWorked).length;
  lines.push(
    `${reports.length} attacks, ${succeeded} succeeded${blind ? `; ${blind} legitimate twin${blind === 1 ? '' : 's'} failed (the probe is blind there)` : ''}`,
  );
  return { lines, ok: succeeded === 0 && blind === 0 };
}
