// One sandbox pool for the extension host: it keeps a warm spare interpreter so a new
// conversation's first cell does not pay the start-up. The pool is rebuilt when a setting
// it depends on (interpreter, limits, state, isolation) changes (ConfiguredSandboxPool: a
// sandbox being handed out as the setting changes is still handed out).
import * as vscode from 'vscode';
import { runOptionsFrom } from '../../config/runOptions';
import type { Settings } from '../../config/settingsSpec';
import { ConfiguredSandboxPool, type SandboxPoolOptions } from '../../sandbox';
import type { CodeRunner } from '../../sandbox/types';
import { removeScratchFolder, sweepScratchRoot } from '../../sandbox/scratchJanitor';
import { newScratchFolder, privateRoot, scratchRoot } from './scratch';

export class SandboxService implements vscode.Disposable {
  private readonly pools = new ConfiguredSandboxPool();
  private swept = false;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /**
   * A runner for a new conversation, in a fresh scratch folder of this workspace.
   * Throws in Restricted Mode: no interpreter is started in an untrusted workspace.
   */
  async acquire(settings: Settings, signal?: AbortSignal): Promise<CodeRunner> {
    if (!vscode.workspace.isTrusted) throw new Error('Restricted Mode: code is not executed in an untrusted workspace.');
    const scratch = await newScratchFolder(this.context);
    return this.pools.acquire(this.poolOptions(settings), scratch.fsPath, signal);
  }

  /** Starts the spare ahead of the first question (e.g. when a view opens); nothing in Restricted Mode. */
  prewarm(settings: Settings): void {
    if (!vscode.workspace.isTrusted) return;
    this.pools.prewarm(this.poolOptions(settings));
  }

  /** Removes a finished conversation's scratch folder (its runner must be disposed first). */
  async removeScratch(dir: string): Promise<void> {
    await removeScratchFolder(scratchRoot(this.context).fsPath, dir);
  }

  private poolOptions(settings: Settings): SandboxPoolOptions {
    const run = runOptionsFrom(settings);
    if (!this.swept) {
      // Once per window, before any sandbox of ours runs: folders untouched for the set age go.
      this.swept = true;
      void sweepScratchRoot(scratchRoot(this.context).fsPath, { maxAgeDays: run.scratchMaxAgeDays });
    }
    return { ...run.sandbox, scratchRoot: scratchRoot(this.context).fsPath, privateRoot: privateRoot(this.context).fsPath };
  }

  dispose(): void {
    void this.pools.dispose();
  }
}
