import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // One clear message when the shared reference data (../shared) is missing, or when bubblewrap
    // cannot start a sandbox for the user running the tests (Linux).
    globalSetup: ['test/support/sharedDataSetup.ts', 'test/support/sandboxSetup.ts'],
    // Sandbox tests spawn real interpreters; two cores do not like many at once.
    maxWorkers: 2,
    // One generous bound for every test, hook and poll instead of a figure per test: these are
    // limits for a hung test, never timing goals, and a loaded two-core CI machine runs the
    // sandbox and CLI tests several times slower than an idle one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 60_000, interval: 50 } },
  },
});
