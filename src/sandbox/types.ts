// The contract between the agent (and every other caller) and the sandbox.
// Nothing here imports `vscode`: the sandbox is used by the extension and the CLI alike.
// The record of a cell's result is declared once, with the conversation record (trajectory/).
import type { ExecResult } from '../trajectory/execResult';
export type { Artifact, ExecResult, KillReason } from '../trajectory/execResult';

/** How strongly model-written code is confined; always shown to the user. */
export type IsolationTier = 'isolated' | 'basic';

export interface RunCellOptions {
  /** Cancels the cell: SIGINT first, then the whole process tree is killed. */
  readonly signal?: AbortSignal;
}

/** Runs model-written Python cells for one conversation. */
export interface CodeRunner {
  readonly tier: IsolationTier;
  /** Human-readable description of the tier and, on fallback, how to get isolation. */
  readonly tierNote: string;
  /** The scratch folder the code runs in (its cwd and the only writable place). */
  readonly scratchDir: string;
  runCell(code: string, options?: RunCellOptions): Promise<ExecResult>;
  /** Ends the conversation's interpreter; no process is left behind. */
  dispose(): Promise<void>;
}

/** Limits every cell runs under. */
export interface SandboxLimits {
  readonly timeoutMs: number;
  /**
   * Memory of the whole sandbox, bytes: all its processes and its tmpfs mounts together
   * (a memory cgroup, or the watcher where none can be had; see memoryBudget.ts). Each
   * process is also held to it by RLIMIT_AS.
   */
  readonly memoryBytes: number;
  /** Output given back to the model (and shown before "show all"). */
  readonly outputBytes: number;
  readonly fileSizeBytes: number;
  /** Disk the scratch folder may take in total, bytes (allocated blocks), checked after each cell. */
  readonly diskBytes: number;
  /** Files and folders the scratch folder may hold (an inode budget), checked with the bytes. */
  readonly diskEntries: number;
  /**
   * Bytes of artifact copies one runner may keep in its host-private folder over its whole
   * life (copies are dense: a sparse file costs its size). Beyond it files are listed with
   * `notCopied: "host copy budget used up"`. The copies are removed when the runner is disposed.
   */
  readonly artifactHostBytes: number;
}

/**
 * The limits of a sandbox nobody configured. Declared only here: the settings table
 * (src/config/settingsSpec.ts) quotes them as its defaults, in its units (s, MiB, KiB).
 */
export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 60_000,
  memoryBytes: 2 * 1024 ** 3,
  outputBytes: 64 * 1024,
  fileSizeBytes: 100 * 1024 ** 2,
  diskBytes: 512 * 1024 ** 2,
  diskEntries: 20_000,
  artifactHostBytes: 256 * 1024 ** 2,
};

/**
 * What enforces the sandbox's memory budget. `cgroup-v1`/`cgroup-v2`: a memory cgroup made by
 * us (root); `systemd-scope`: `systemd-run --scope -p MemoryMax`; `watched`: the host sums the
 * sandbox's processes and tmpfs usage while a cell runs and kills it when over (Linux);
 * `per-process`: RLIMIT_AS only (macOS, Windows).
 */
export type MemoryMechanism = 'cgroup-v1' | 'cgroup-v2' | 'systemd-scope' | 'watched' | 'per-process';

export interface SandboxOptions {
  /** Python interpreter chosen by the user; otherwise python3/python on PATH. */
  readonly pythonPath?: string;
  /** Scratch folder for this conversation (created when missing). */
  readonly scratchDir: string;
  readonly limits?: Partial<SandboxLimits>;
  /** `persistent`: one namespace across cells (default). `stateless`: a fresh namespace per cell, as in R1-CI training. */
  readonly mode?: 'persistent' | 'stateless';
  /** `auto` picks bubblewrap where it works; `basic` forces the basic tier. */
  readonly isolation?: 'auto' | 'basic';
  /**
   * Parent of the runner's host-private folder (full outputs, spill files, artifact copies;
   * created mode 0700, never mounted into the sandbox). Default: the OS temp folder.
   */
  readonly privateRoot?: string;
  /** `auto` (default) uses a memory cgroup where one can be had; `watched` forces the watcher (tests, diagnosis). */
  readonly memoryEnforcement?: 'auto' | 'watched';
}
