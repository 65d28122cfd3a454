// Child-process helpers. Long-lived servers are spawned `detached` so they lead their own
// process group: killing the group also kills helpers they start (code-server's file watcher
// otherwise outlives it).
import { execa } from 'execa';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a command to completion, capturing stdout+stderr together (interleaved as written).
 * Rejects only when the command cannot be started; a non-zero exit is a result. On timeout the
 * whole process group is killed (execa's own `timeout` would signal the leader only).
 */
export async function runCommand(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; echo?: boolean } = {}): Promise<CommandResult> {
  const output = options.echo ? (['pipe', 'inherit'] as const) : 'pipe';
  const child = execa(command, args, {
    env: options.env ?? process.env,
    extendEnv: false,
    cwd: options.cwd,
    stdin: 'ignore',
    stdout: output,
    stderr: output,
    all: true,
    stripFinalNewline: false,
    detached: true,
    reject: false,
  });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (child.pid !== undefined) killProcessGroup(child.pid, 'SIGKILL');
        }, options.timeoutMs);
  try {
    const result = await child;
    // Neither an exit code nor a signal: it never started (ENOENT, EACCES).
    if (result.exitCode === undefined && result.signal === undefined) throw new Error(result.originalMessage || result.message);
    return { code: result.exitCode ?? null, signal: result.signal ?? null, output: result.all };
  } finally {
    clearTimeout(timer);
  }
}

/** Signals a whole process group; false when the group is already gone. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM the group, give it `graceMs` to go, then SIGKILL whatever is left. */
export async function stopProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!killProcessGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (processGroupAlive(pid) && Date.now() < deadline) await delay(100);
  if (processGroupAlive(pid)) killProcessGroup(pid, 'SIGKILL');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
