import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The dashboard's pure helpers are tested beside them (dashboard/src), under its own tsconfig.
    include: ['tests/**/*.test.ts', 'dashboard/src/**/*.test.ts'],
    globalSetup: ['tests/support/globalSetup.ts'],
    // The hazard log's controls are proved by named tests: the run fails if one of them did not pass.
    reporters: ['default', './tests/support/hazardLogReporter.ts'],
    // Each workflow test file runs its own Temporal test server; two cores fit two at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // `expect.poll` waits for something the system does on its own time: a journey's workflow
    // task, then an activity's DynamoDB writes. vitest's default of 1 s is a guess about how busy
    // the machine is, and CI lost two runs to it (a reminder, a command's answer, each later than
    // 1 s beside a full suite). The bound is the API's answer budget (ANSWER_WITHIN_MS): anything
    // slower than that is a failure a user would see too.
    expect: { poll: { timeout: 20_000 } },
  },
});
