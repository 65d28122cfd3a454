// Public entry point of the sandbox. Never imports `vscode`.
import { PythonCodeRunner, prepareSandbox } from './runner';
import type { CodeRunner, SandboxOptions } from './types';

export * from './types';
export { resolvePython, type ResolvedPython } from './python';
export { stopStartupProbes } from './startupProbe';
export { detectIsolation, type IsolationInfo } from './isolation';
export { findWorkerScript } from './worker-script';
export { buildSeatbeltProfile, type SeatbeltOptions } from './seatbelt';
export { SandboxPool, type SandboxPoolOptions } from './pool';
export { ConfiguredSandboxPool } from './configuredPool';
export { buildSandboxEnv } from './environment';

/** Starts a warm interpreter for one conversation; the first cell does not pay start-up. */
export async function createCodeRunner(options: SandboxOptions & { signal?: AbortSignal }): Promise<CodeRunner> {
  const setup = await prepareSandbox(options);
  const runner = new PythonCodeRunner(setup, options.scratchDir);
  try {
    await runner.warmUp(options.signal);
  } catch (error) {
    await runner.dispose();
    throw error;
  }
  return runner;
}
