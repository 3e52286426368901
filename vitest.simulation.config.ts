import { defineConfig } from 'vitest/config';

/** `npm run simulate-year`: the simulated year at full size, its figures written to bench/results/. */
export default defineConfig({
  test: {
    include: ['tests/simulation/**/*.test.ts'],
    globalSetup: ['tests/simulation/globalSetup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    // Defaults for `npm run simulate-year`; a caller's own (the bench's cost measure) win, since
    // vitest's env would otherwise overwrite them.
    env: {
      CAREPATH_SIM_JOURNEYS: process.env.CAREPATH_SIM_JOURNEYS ?? '300',
      CAREPATH_SIM_OUT: process.env.CAREPATH_SIM_OUT ?? 'bench/results/simulated-year.json',
      CAREPATH_SIM_COMMAND: process.env.CAREPATH_SIM_COMMAND ?? 'npm run simulate-year',
    },
  },
});
