import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run record-histories`: the recorder only, never part of `npm test`. */
export default defineConfig({
  test: { ...base.test, include: ['tests/replay/record.histories.ts'], testTimeout: 600_000 },
});
