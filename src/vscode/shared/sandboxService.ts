// One sandbox pool for the extension host: it keeps a warm spare interpreter so a new
// conversation's first cell does not pay the start-up. The pool is rebuilt when a setting
// it depends on (interpreter, limits, state, isolation) changes.
import * as vscode from 'vscode';
import { runOptionsFrom } from '../../config/runOptions';
import type { Settings } from '../../config/settingsSpec';
import { SandboxPool } from '../../sandbox';
import type { CodeRunner } from '../../sandbox/types';
import { removeScratchFolder, sweepScratchRoot } from '../../sandbox/scratchJanitor';
import { newScratchFolder, privateRoot, scratchRoot } from './scratch';

export class SandboxService implements vscode.Disposable {
  private pool: SandboxPool | undefined;
  private key = '';
  private swept = false;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /**
   * A runner for a new conversation, in a fresh scratch folder of this workspace.
   * Throws in Restricted Mode: no interpreter is started in an untrusted workspace.
   */
  async acquire(settings: Settings, signal?: AbortSignal): Promise<CodeRunner> {
    if (!vscode.workspace.isTrusted) throw new Error('Restricted Mode: code is not executed in an untrusted workspace.');
    const scratch = await newScratchFolder(this.context);
    return this.poolFor(settings).acquire(scratch.fsPath, signal);
  }

  /** Starts the spare ahead of the first question (e.g. when a view opens); nothing in Restricted Mode. */
  prewarm(settings: Settings): void {
    if (!vscode.workspace.isTrusted) return;
    this.poolFor(settings).prewarm();
  }

  /** Removes a finished conversation's scratch folder (its runner must be disposed first). */
  async removeScratch(dir: string): Promise<void> {
    await removeScratchFolder(scratchRoot(this.context).fsPath, dir);
  }

  private poolFor(settings: Settings): SandboxPool {
    const run = runOptionsFrom(settings);
    if (!this.swept) {
      // Once per window, before any sandbox of ours runs: folders untouched for the set age go.
      this.swept = true;
      void sweepScratchRoot(scratchRoot(this.context).fsPath, { maxAgeDays: run.scratchMaxAgeDays });
    }
    const config = run.sandbox;
    const key = JSON.stringify(config);
    if (!this.pool || key !== this.key) {
      void this.pool?.dispose();
      this.pool = new SandboxPool({ ...config, scratchRoot: scratchRoot(this.context).fsPath, privateRoot: privateRoot(this.context).fsPath });
      this.key = key;
    }
    return this.pool;
  }

  dispose(): void {
    void this.pool?.dispose();
    this.pool = undefined;
  }
}
