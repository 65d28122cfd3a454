// The contract between the agent (and every other caller) and the sandbox.
// Nothing here imports `vscode`: the sandbox is used by the extension and the CLI alike.

/** How strongly model-written code is confined; always shown to the user. */
export type IsolationTier = 'isolated' | 'basic';

/**
 * Why a cell stopped before finishing on its own, when it did. `disk`: the sandbox's disk
 * budget; `protocol`: the cell wrote to the interpreter's control channel or faked the end of
 * a cell (the interpreter was replaced); `host-error`: the host could not handle the cell's
 * output (e.g. a spill file).
 */
export const KILL_REASONS = ['timeout', 'cancelled', 'memory', 'output-limit', 'cpu', 'file-size', 'disk', 'crashed', 'protocol', 'host-error'] as const;
export type KillReason = (typeof KILL_REASONS)[number];

/** A file the code wrote into its scratch folder during one cell. */
export interface Artifact {
  /** Path relative to the scratch folder, with forward slashes. */
  readonly name: string;
  /**
   * Absolute path of the host-private copy taken when the cell ended (the only file ever
   * served); unset when the file was over the copy caps and is only listed.
   */
  readonly path?: string;
  /** Bytes copied (the file's size when it was only listed). */
  readonly sizeBytes: number;
  /** Why there is no copy (`path` unset), e.g. "host copy budget used up". */
  readonly notCopied?: string;
  /** MIME type guessed from the file name ("image/png", "text/csv", ...). */
  readonly mimeType: string;
}

/** What running one code cell produced. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Process or cell exit status; 0 = success, null when killed by a signal. */
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Set when the sandbox (not the code) ended the cell. */
  readonly killed?: KillReason;
  /**
   * A sentence for people and the model: "timed out after 60 s", "killed: sandbox memory limit (2 GiB)",
   * "disk budget of the sandbox used up (…)".
   */
  readonly killMessage?: string;
  /**
   * True when stdout/stderr were cut to the output limit. They hold the output as a terminal
   * leaves it (redraws collapsed, escape sequences removed), cut after collapsing, with one
   * `[output truncated: …]` notice when cut.
   */
  readonly truncated: boolean;
  /**
   * Where the complete raw output was kept when it outgrew the output limit (host-private, outside
   * scratch; for the user's "show all", never shown to the model).
   */
  readonly fullOutputPath?: string;
  readonly artifacts: readonly Artifact[];
  /** Set when the interpreter had to be restarted before this cell (variables from earlier cells are gone). */
  readonly notice?: string;
}

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
