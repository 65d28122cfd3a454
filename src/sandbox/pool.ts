// Keeps one warm spare interpreter so a new conversation's first cell does not pay
// start-up (~30–70 ms, more through bubblewrap). The spare's scratch folder lives next
// to the conversations' folders and is renamed to the conversation's folder on
// acquire: a rename keeps the inode, so the worker's cwd and its bubblewrap bind follow.
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PythonCodeRunner, prepareSandbox, type SandboxSetup } from './runner';
import type { CodeRunner, SandboxOptions } from './types';
import { makeFoldersSync } from '../files/makeFolders';

export interface SandboxPoolOptions extends Omit<SandboxOptions, 'scratchDir'> {
  /** Parent folder of the conversations' scratch folders (default: <tmp>/r1ci-scratch). */
  readonly scratchRoot?: string;
}

export class SandboxPool {
  private readonly scratchRoot: string;
  private setup: Promise<SandboxSetup> | undefined;
  private spare: Promise<PythonCodeRunner | undefined> | undefined;
  private disposed = false;

  constructor(private readonly options: SandboxPoolOptions = {}) {
    this.scratchRoot = resolve(options.scratchRoot ?? join(tmpdir(), 'r1ci-scratch'));
  }

  /** Starts the spare now (e.g. when the chat view opens). */
  prewarm(): void {
    if (!this.spare && !this.disposed) this.spare = this.startSpare();
  }

  /**
   * A runner whose scratch folder is `scratchDir`, the caller's to dispose. Uses the warm
   * spare when the folder is a new (missing or empty) child of the pool's scratch root, else
   * starts cold; callers asking at once each get their own sandbox (at most one the spare).
   * Throws when the pool was disposed (also while waiting for the spare) or the sandbox
   * cannot start (bubblewrap, Python; the message says which).
   */
  async acquire(scratchDir: string, signal?: AbortSignal): Promise<CodeRunner> {
    if (this.disposed) throw new Error('The sandbox pool was disposed.');
    const target = resolve(scratchDir);
    // Claimed before the first await: callers that ask at once (two conversations, two tool
    // calls of one reply) would otherwise all await the same spare and share one sandbox.
    const claimed = this.spare;
    this.spare = undefined;
    const spare = await (claimed ?? Promise.resolve(undefined));
    if (this.disposed) {
      await spare?.dispose();
      throw new Error('The sandbox pool was disposed.');
    }
    if (spare && dirname(target) === this.scratchRoot && isMissingOrEmpty(target)) {
      if (existsSync(target)) rmdirSync(target);
      renameSync(spare.scratchDir, target);
      spare.adoptRenamedScratch(target);
      this.prewarm();
      return spare;
    }
    await spare?.dispose();
    const runner = new PythonCodeRunner(await this.getSetup(), target);
    try {
      await runner.warmUp(signal);
    } catch (error) {
      await runner.dispose();
      throw error;
    }
    this.prewarm();
    return runner;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const spare = await (this.spare ?? Promise.resolve(undefined));
    this.spare = undefined;
    if (spare) {
      await spare.dispose();
      rmEmpty(spare.scratchDir);
    }
  }

  /**
   * The sandbox set-up (interpreter probe, tier, budget), made once and shared. A failed one is
   * not kept: a user who installs Python or bubblewrap after the error gets it on the next try,
   * without reloading the window.
   */
  private getSetup(): Promise<SandboxSetup> {
    if (!this.setup) {
      const setup = prepareSandbox(this.options);
      this.setup = setup;
      setup.catch(() => {
        if (this.setup === setup) this.setup = undefined;
      });
    }
    return this.setup;
  }

  private async startSpare(): Promise<PythonCodeRunner | undefined> {
    let runner: PythonCodeRunner | undefined;
    try {
      makeFoldersSync(this.scratchRoot);
      const dir = join(this.scratchRoot, `.spare-${randomBytes(6).toString('hex')}`);
      runner = new PythonCodeRunner(await this.getSetup(), dir);
      await runner.warmUp();
      if (this.disposed) {
        await runner.dispose();
        return undefined;
      }
      return runner;
    } catch {
      // No spare: acquire() then starts cold and reports the real error. A half-started
      // spare still holds processes and its memory cgroup: end it.
      await runner?.dispose().catch(() => undefined);
      return undefined;
    }
  }
}

function isMissingOrEmpty(dir: string): boolean {
  if (!existsSync(dir)) return true;
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

function rmEmpty(dir: string): void {
  try {
    const entries = readdirSync(dir);
    // Only the bookkeeping folder may be there; the spare never ran user code.
    if (entries.every((entry) => entry === '.r1ci')) rmSync(dir, { recursive: true, force: true });
  } catch {
    // left for the OS temp cleaner
  }
}
