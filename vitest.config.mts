import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // One clear message when the shared reference data (../shared) is missing.
    globalSetup: ['test/support/sharedDataSetup.ts'],
    // Sandbox tests spawn real interpreters; two cores do not like many at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
