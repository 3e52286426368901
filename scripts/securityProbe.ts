/**
 * `npm run security:probe`: starts the whole stack in its production posture (signed payloads with
 * plaintext refused, Cognito-style tokens, rate limits on) on free ports in a temporary data
 * directory, runs every attack of the threat model against it (scripts/securityProbe/attacks.ts)
 * with each attack's legitimate twin, prints one line per attack and a summary, and stops
 * everything it started. Exits 1 if any attack succeeded or any twin failed.
 */
import { attacks } from './securityProbe/attacks.js';
import { describeReports, runAttacks } from './securityProbe/probe.js';
import { startProbeStack, type ProbeStack } from './securityProbe/stack.js';
import { MissingPrerequisite } from './toolchain.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
// The stack's info lines (a notification per journey the attacks open) would bury the report;
// warnings and errors still show.
console.log = console.info = () => undefined;

let stack: ProbeStack | undefined;
let stopping = false;
const stopThen = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stack?.stop().catch(() => undefined);
  process.exit(code);
};
process.once('SIGINT', () => void stopThen(130));
process.once('SIGTERM', () => void stopThen(143));

try {
  say(`security probe: starting the local stack (production posture) for ${attacks.length} attacks…`);
  stack = await startProbeStack({ log: (line) => say(`  ${line}`) });
  const { lines, ok } = describeReports(await runAttacks(stack, attacks));
  for (const line of lines) say(line);
  await stopThen(ok ? 0 : 1);
} catch (error) {
  console.error(
    `security probe: ${error instanceof MissingPrerequisite ? error.message : ((error as Error).stack ?? String(error))}`,
  );
  await stopThen(1);
}
