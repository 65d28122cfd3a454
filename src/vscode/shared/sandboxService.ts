// One sandbox pool for the extension host: it keeps a warm spare interpreter so a new
// conversation's first cell does not pay the start-up. The pool is rebuilt when a setting
// it depends on (interpreter, limits, state, isolation) changes.
import * as vscode from 'vscode';
import type { Settings } from '../../config/settingsSpec';
import { SandboxPool } from '../../sandbox';
import { DEFAULT_LIMITS, type CodeRunner, type SandboxLimits } from '../../sandbox/types';
import { removeScratchFolder, sweepScratchRoot } from '../../sandbox/scratchJanitor';
import { newScratchFolder, privateRoot, scratchRoot } from './scratch';

interface PoolConfig {
  readonly pythonPath: string | undefined;
  readonly limits: SandboxLimits;
  readonly mode: 'persistent' | 'stateless';
  readonly isolation: 'auto' | 'basic';
}

export function poolConfig(settings: Settings): PoolConfig {
  return {
    pythonPath: settings['python.path'] || undefined,
    limits: {
      timeoutMs: settings['sandbox.timeoutSeconds'] * 1000,
      memoryBytes: settings['sandbox.memoryMiB'] * 1024 * 1024,
      outputBytes: settings['sandbox.outputKiB'] * 1024,
      fileSizeBytes: settings['sandbox.fileSizeMiB'] * 1024 * 1024,
      diskBytes: settings['sandbox.diskMiB'] * 1024 * 1024,
      diskEntries: DEFAULT_LIMITS.diskEntries,
      artifactHostBytes: DEFAULT_LIMITS.artifactHostBytes,
    },
    mode: settings['sandbox.state'],
    isolation: settings['sandbox.isolation'],
  };
}

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
    if (!this.swept) {
      // Once per window, before any sandbox of ours runs: folders untouched for the set age go.
      this.swept = true;
      void sweepScratchRoot(scratchRoot(this.context).fsPath, { maxAgeDays: settings['sandbox.scratchMaxAgeDays'] });
    }
    const config = poolConfig(settings);
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
