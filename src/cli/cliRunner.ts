// The sandbox of a CLI command that runs model code (`solve`, `chat`): a real runner behind the
// isolation gate (isolationGate.ts), or one that refuses every cell when the gate says no.
import { createCodeRunner } from '../sandbox';
import type { SandboxRunOptions } from '../config/runOptions';
import type { CodeRunner } from '../sandbox/types';
import { mayRunModelCode, refusingRunner, type GateIo } from './isolationGate';

export interface CliRunnerOptions {
  readonly scratchDir: string;
  /** Interpreter and limits from the flags (config/runOptions.ts). */
  readonly sandbox: SandboxRunOptions;
  readonly isolation: 'auto' | 'basic';
  /** --allow-unisolated. */
  readonly allowUnisolated: boolean;
  /**
   * The gate's earlier answer for this process (a `chat` starting over after /reset): used
   * instead of asking again, since the terminal now belongs to the conversation.
   */
  readonly decided?: boolean;
}

/**
 * A runner for one conversation and whether the gate let model code run on it (false: every cell
 * is refused). Throws what the gate throws (CliError 130 when cancelled while asking), with the
 * runner already ended.
 */
export async function gatedCodeRunner(o: CliRunnerOptions, io: GateIo): Promise<{ runner: CodeRunner; allowed: boolean }> {
  const runner = await createCodeRunner({ scratchDir: o.scratchDir, ...o.sandbox, isolation: o.isolation, signal: io.signal });
  // The gate also says which tier this is (on stderr), so it is asked on every tier. Cancelled
  // while it asks, it throws: the runner is ended, or its processes would keep the CLI alive.
  const allowed =
    o.decided ??
    (await mayRunModelCode(runner.tier, runner.tierNote, o.allowUnisolated, io, o.isolation).catch(async (error: unknown) => {
      await runner.dispose();
      throw error;
    }));
  if (allowed) return { runner, allowed };
  const refused = refusingRunner(runner);
  await runner.dispose();
  return { runner: refused, allowed };
}
