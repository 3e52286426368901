/**
 * As the run ends: every test the hazard log names as proving a control, in each test file that
 * ran, must have passed — not failed, not skipped, not missing. A run of every file (`npm test`)
 * so checks them all; a run of a few files checks those files' share. A miss fails the run.
 */
import type { Reporter, TestModule } from 'vitest/node';
import { readHazardLog } from './hazardLog.js';

export default class HazardLogReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const ran = new Map(testModules.map((m) => [m.relativeModuleId, m]));
    const problems: string[] = [];
    let proved = 0;
    for (const { id, tests } of readHazardLog())
      for (const { file, title } of tests) {
        const module = ran.get(file);
        if (!module) continue;
        const found = [...module.children.allTests()].find((t) => t.name === title);
        const state = found?.result().state;
        if (state === 'passed') proved += 1;
        else problems.push(`${id}: ${file} › ${title}: ${found ? state : 'no such test ran'}`);
      }
    if (problems.length === 0) {
      if (proved > 0) console.log(`hazard log: ${proved} controls' tests passed`);
      return;
    }
    console.error(`hazard log: controls not proved in this run:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}
