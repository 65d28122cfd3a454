// One running code-server (VS Code 1.100.3's server + web workbench) for one test run.
// Everything it writes stays inside the run folder; it leads its own process group, which
// `dispose()` (or `killSync()` from an exit handler) takes down as a whole.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './freePort';
import type { Resource } from './lifecycle';
import { delay, killProcessGroup, runCommand, stopProcessGroup } from './processes';
import type { RunFolder } from './runFolder';

export interface CodeServerOptions {
  binary: string;
  run: RunFolder;
  /**
   * false → `--disable-workspace-trust` (every folder trusted). true keeps trust on, so an
   * unknown folder opens in Restricted Mode: what the restricted-mode tests need.
   */
  workspaceTrust: boolean;
  /** Written to <user-data-dir>/User/settings.json before start. */
  userSettings?: Readonly<Record<string, unknown>>;
  /** Extra environment; code-server's extension host inherits it. */
  env?: Readonly<Record<string, string>>;
  startTimeoutMs?: number;
}

const HOST = '127.0.0.1';

/** Variables that would make code-server talk to an enclosing VS Code instead of starting. */
function isLeakyVariable(name: string): boolean {
  return name.startsWith('VSCODE_') || name === 'ELECTRON_RUN_AS_NODE';
}

/** The environment shared by code-server and its CLI calls: HOME/XDG/TMPDIR inside the run. */
export function isolatedEnv(run: RunFolder, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!isLeakyVariable(name)) env[name] = value;
  return {
    ...env,
    HOME: run.home,
    XDG_CONFIG_HOME: join(run.xdg, 'config'),
    XDG_DATA_HOME: join(run.xdg, 'data'),
    XDG_CACHE_HOME: join(run.xdg, 'cache'),
    XDG_STATE_HOME: join(run.xdg, 'state'),
    TMPDIR: run.tmp,
    XDG_RUNTIME_DIR: run.tmp,
    ...extra,
  };
}

/** Arguments every code-server invocation of a run shares, so CLI installs land where the server looks. */
function profileArgs(run: RunFolder): string[] {
  return ['--config', join(run.root, 'code-server.yaml'), '--user-data-dir', run.userDataDir, '--extensions-dir', run.extensionsDir];
}

export function writeUserSettings(userDataDir: string, settings: Readonly<Record<string, unknown>>): void {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/** `code-server --install-extension x.vsix` into the run's extensions dir (a folder path does not work). */
export async function installExtension(binary: string, run: RunFolder, vsix: string): Promise<void> {
  const result = await runCommand(binary, [...profileArgs(run), '--install-extension', vsix], {
    env: isolatedEnv(run),
    timeoutMs: 120_000,
  });
  // code-server can exit 0 after printing a failure, so insist on its success message.
  if (result.code !== 0 || !/successfully installed/i.test(result.output)) {
    throw new Error(`installing ${vsix} failed (exit ${result.code}):\n${result.output}`);
  }
}

export class CodeServerSession implements Resource {
  readonly label = 'code-server';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly pid: number,
    readonly port: number,
    readonly logFile: string,
  ) {
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(options: CodeServerOptions): Promise<CodeServerSession> {
    const { run } = options;
    if (options.userSettings) writeUserSettings(run.userDataDir, options.userSettings);
    const port = await freePort();
    const logFile = join(run.logs, 'code-server.log');
    const log = openSync(logFile, 'a');
    const args = [...profileArgs(run), '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--bind-addr', `${HOST}:${port}`, ...(options.workspaceTrust ? [] : ['--disable-workspace-trust'])];
    const child = spawn(options.binary, args, {
      env: isolatedEnv(run, options.env),
      cwd: run.root,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) {
      const reason = await new Promise<string>((resolve) => child.once('error', (error) => resolve(error.message)));
      throw new Error(`could not start code-server (${options.binary}): ${reason}`);
    }
    const session = new CodeServerSession(child, pid, port, logFile);
    try {
      await session.waitUntilHealthy(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      session.killSync();
      throw error;
    }
    return session;
  }

  get baseUrl(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** A server-side path as the workbench addresses it (vscode-remote://authority/path). */
  remoteUri(absolutePath: string): string {
    return `vscode-remote://${HOST}:${this.port}${absolutePath}`;
  }

  /**
   * The workbench URL opening `folder`. `payload` carries what the desktop app takes as CLI
   * flags (extensionDevelopmentPath, extensionTestsPath): code-server refuses those flags.
   */
  workbenchUrl(folder: string, payload: ReadonlyArray<readonly [string, string]> = []): string {
    const query = [`folder=${encodeURIComponent(folder)}`];
    if (payload.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    return `${this.baseUrl}/?${query.join('&')}`;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no code-server log)';
    }
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`code-server exited during startup; log tail:\n${this.logTail()}`);
      try {
        const response = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await delay(100);
    }
    throw new Error(`code-server did not answer /healthz within ${timeoutMs / 1000} s; log tail:\n${this.logTail()}`);
  }

  async dispose(): Promise<void> {
    await stopProcessGroup(this.pid);
    this.child.removeAllListeners();
  }

  killSync(): void {
    killProcessGroup(this.pid, 'SIGKILL');
  }
}
