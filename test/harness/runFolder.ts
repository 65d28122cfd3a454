// A fresh folder per run under .test-runs/: HOME, XDG dirs, VS Code profile, extensions,
// browser profile, workspace and logs all live here, so a run never touches the real home
// and two runs (or two engineers) never share state.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRunsDir } from './paths';

export interface RunFolder {
  root: string;
  home: string;
  xdg: string;
  /**
   * TMPDIR and XDG_RUNTIME_DIR for the run. Deliberately short and outside the project: VS Code
   * and Chromium put Unix sockets here, and socket paths are limited to 107 bytes.
   */
  tmp: string;
  userDataDir: string;
  extensionsDir: string;
  browserProfile: string;
  workspace: string;
  /** Free-for-all scratch space handed to suites as R1CI_TEST_SCRATCH. */
  scratch: string;
  logs: string;
}

/** Runs older than this are deleted when a new one starts, so .test-runs/ does not grow forever. */
const KEEP_RUNS_MS = 24 * 60 * 60 * 1000;

export function createRunFolder(kind: string): RunFolder {
  pruneOldRuns();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const root = join(testRunsDir, `${kind}-${stamp}-${process.pid}`);
  const folder: RunFolder = {
    root,
    home: join(root, 'home'),
    xdg: join(root, 'xdg'),
    tmp: mkdtempSync(join(tmpdir(), 'r1ci-')),
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    browserProfile: join(root, 'browser'),
    workspace: join(root, 'workspace'),
    scratch: join(root, 'scratch'),
    logs: join(root, 'logs'),
  };
  for (const dir of Object.values(folder)) mkdirSync(dir, { recursive: true });
  return folder;
}

/** Removes what lives outside .test-runs/ (the short tmp folder); the rest stays for inspection. */
export function removeRunTmp(folder: RunFolder): void {
  rmSync(folder.tmp, { recursive: true, force: true });
}

/** Fills the run's workspace from a fixture folder, when the project has one. */
export function seedWorkspace(folder: RunFolder, fixture: string): void {
  if (existsSync(fixture)) cpSync(fixture, folder.workspace, { recursive: true });
}

function pruneOldRuns(): void {
  if (!existsSync(testRunsDir)) return;
  const cutoff = Date.now() - KEEP_RUNS_MS;
  for (const name of readdirSync(testRunsDir)) {
    const path = join(testRunsDir, name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run may be pruning the same folder; harmless.
    }
  }
}
