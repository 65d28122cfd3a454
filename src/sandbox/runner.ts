// The CodeRunner for one conversation: keeps a worker alive across cells, restarts
// it after a kill, and turns what happened into an ExecResult.
import { chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { diffArtifacts, snapshotScratch, BOOKKEEPING_DIR } from './artifacts';
import { buildBwrapPlan, pythonLayout, SANDBOX_HOME, SANDBOX_TMPFS_MOUNTS, SANDBOX_UID } from './bubblewrap';
import { buildSandboxEnv } from './environment';
import { formatBytes, formatSeconds } from './format';
import { detectIsolation } from './isolation';
import { describeBudgetKill, planBudget, SandboxBudget, type BudgetPlan, type BudgetVerdict } from './memoryBudget';
import { openExclusive, type StreamCapture } from './output-capture';
import type { WorkerArgs } from './protocol';
import { resolvePython } from './python';
import { DEFAULT_LIMITS, type CodeRunner, type ExecResult, type IsolationTier, type RunCellOptions, type SandboxLimits, type SandboxOptions } from './types';
import { findWorkerScript } from './worker-script';
import { WorkerProcess, type CellOutcome, type WorkerLaunch } from './worker-process';

/** Output beyond this (both streams) ends the cell: the full-output file must stay bounded. */
export const HARD_OUTPUT_BYTES = 32 * 1024 ** 2;
/** Processes (threads count too) one sandbox may have. */
export const MAX_PROCESSES = 256;
const GRACE_MS = 500;
/** Root only: first of the per-conversation kernel uids (no passwd entries needed). */
const SANDBOX_UID_BASE = 2_000_000;
const RESTART_NOTICE = 'The Python interpreter was restarted after the previous cell was stopped: variables and imports from earlier cells are gone.';

/** Everything needed to start workers for one configuration; computed once. */
export interface SandboxSetup {
  readonly tier: IsolationTier;
  readonly tierNote: string;
  readonly limits: SandboxLimits;
  readonly mode: 'persistent' | 'stateless';
  /** How the whole-sandbox memory and disk budget is enforced. */
  readonly budget: BudgetPlan;
  /** The launch for a worker whose scratch folder is `scratchDir`. */
  launchFor(scratchDir: string, privateDir: string, sandboxUid: number): WorkerLaunch;
}

const isRoot = (): boolean => process.getuid?.() === 0;

export async function prepareSandbox(options: Omit<SandboxOptions, 'scratchDir'>): Promise<SandboxSetup> {
  const python = await resolvePython(options.pythonPath);
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const mode = options.mode ?? 'persistent';
  const workerScript = findWorkerScript();
  const detected =
    options.isolation === 'basic'
      ? { tier: 'basic' as const, note: 'Basic: isolation turned off in the settings; the code runs as you with resource, time and output limits only.' }
      : await detectIsolation(options.pythonPath);
  const pythonArgs = (args: WorkerArgs): string[] => ['-I', '-X', 'utf8', workerScript, JSON.stringify(args)];
  const baseArgs = { memoryBytes: limits.memoryBytes, fileSizeBytes: limits.fileSizeBytes, maxProcesses: MAX_PROCESSES, mode };

  const isolated = detected.tier === 'isolated' && 'bwrapPath' in detected && detected.bwrapPath;
  const budget = await planBudget({
    ...(options.memoryEnforcement ? { memoryEnforcement: options.memoryEnforcement } : {}),
    memoryBytes: limits.memoryBytes,
    tmpfsMounts: isolated ? SANDBOX_TMPFS_MOUNTS : [],
    pidNamespace: Boolean(isolated),
  });
  if (detected.tier === 'isolated' && 'bwrapPath' in detected && detected.bwrapPath) {
    const bwrap = detected.bwrapPath;
    const layout = await pythonLayout(python.executable);
    return {
      tier: 'isolated',
      tierNote: `${detected.note} ${budget.note}`,
      limits,
      mode,
      budget,
      launchFor: (scratchDir, _privateDir, sandboxUid) => {
        const sized = 'sizedTmpfs' in detected && detected.sizedTmpfs;
        const plan = buildBwrapPlan({ layout, scratchDir, workerScript, isRoot: isRoot(), ...(sized ? { tmpfsBytes: limits.memoryBytes } : {}) });
        const args: WorkerArgs = {
          ...baseArgs,
          pidNamespace: true,
          ...(plan.dropPrivileges ? { dropToUid: sandboxUid, dropToGid: sandboxUid } : {}),
        };
        return {
          command: bwrap,
          args: [...plan.args, python.executable, ...pythonArgs(args)],
          env: buildSandboxEnv({ interpreterDir: dirname(python.executable), home: SANDBOX_HOME, tmpDir: '/tmp' }),
          cwd: scratchDir,
        };
      },
    };
  }
  return {
    tier: 'basic',
    tierNote: `${detected.note} ${budget.note}`,
    limits,
    mode,
    budget,
    launchFor: (scratchDir, privateDir) => ({
      command: python.executable,
      args: pythonArgs({ ...baseArgs, pidNamespace: false }),
      env: buildSandboxEnv({ interpreterDir: dirname(python.executable), home: privateDir, tmpDir: privateDir }),
      cwd: scratchDir,
    }),
  };
}

/** Creates the bookkeeping folder; refuses one the sandboxed code replaced by a link. */
function ensureBookkeeping(scratchDir: string): string {
  const dir = join(scratchDir, BOOKKEEPING_DIR, 'output');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const part of [join(scratchDir, BOOKKEEPING_DIR), dir]) {
    const stat = lstatSync(part);
    if (!stat.isDirectory() || stat.isSymbolicLink()) throw new Error(`${part} is not a plain folder`);
  }
  return dir;
}

export class PythonCodeRunner implements CodeRunner {
  private worker: WorkerProcess | undefined;
  private starting: Promise<WorkerProcess> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private cellCount = 0;
  private lostState = false;
  private disposed = false;
  /** basic tier: $HOME and TMPDIR of the worker, outside scratch. */
  private readonly privateDir: string;
  private scratch: string;
  private readonly sandboxUid: number;
  private readonly budget: SandboxBudget;

  constructor(
    private readonly setup: SandboxSetup,
    scratchDir: string,
  ) {
    this.scratch = scratchDir;
    mkdirSync(scratchDir, { recursive: true });
    // As root the isolated worker drops to a kernel uid of its own (no user namespace, see
    // bubblewrap.ts): RLIMIT_NPROC counts per kernel uid, so a shared uid (nobody) would
    // let one conversation's fork bomb starve every other sandbox. That uid must be able
    // to write its scratch folder.
    this.sandboxUid = isRoot() && setup.tier === 'isolated' ? SANDBOX_UID_BASE + randomInt(0, 1_000_000) : SANDBOX_UID;
    if (isRoot() && setup.tier === 'isolated') chownSync(scratchDir, this.sandboxUid, this.sandboxUid);
    this.privateDir = mkdtempSync(join(tmpdir(), 'r1ci-home-'));
    this.budget = new SandboxBudget(setup.budget, setup.limits, () => this.scratch);
  }

  get tier(): IsolationTier {
    return this.setup.tier;
  }

  get tierNote(): string {
    return this.setup.tierNote;
  }

  get scratchDir(): string {
    return this.scratch;
  }

  /** Used by the pool: the warm worker's folder was renamed to the conversation's. */
  adoptRenamedScratch(scratchDir: string): void {
    this.scratch = scratchDir;
  }

  /** Starts the worker now instead of on the first cell. */
  async warmUp(signal?: AbortSignal): Promise<void> {
    await this.ensureWorker(signal);
  }

  runCell(code: string, options: RunCellOptions = {}): Promise<ExecResult> {
    const run = this.queue.then(() => this.runSerialized(code, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker ?? (await this.starting?.catch(() => undefined));
    this.worker = undefined;
    await worker?.kill();
    await this.budget.dispose();
    rmSync(this.privateDir, { recursive: true, force: true });
  }

  private ensureWorker(signal?: AbortSignal): Promise<WorkerProcess> {
    if (this.worker?.alive) return Promise.resolve(this.worker);
    if (!this.starting) {
      const launch = this.budget.wrap(this.setup.launchFor(this.scratch, this.privateDir, this.sandboxUid));
      this.starting = WorkerProcess.start(launch, signal).then(
        (worker) => {
          this.starting = undefined;
          this.worker = worker;
          this.budget.workerStarted(worker.pid);
          return worker;
        },
        (error: unknown) => {
          this.starting = undefined;
          throw error;
        },
      );
    }
    return this.starting;
  }

  private async runSerialized(code: string, options: RunCellOptions): Promise<ExecResult> {
    if (this.disposed) throw new Error('This code runner was disposed.');
    const started = performance.now();
    const restarted = this.lostState;
    const worker = await this.ensureWorker(options.signal);
    this.lostState = false;
    const cell = ++this.cellCount;
    const outputDir = ensureBookkeeping(this.scratch);
    const spillPaths = { stdout: join(outputDir, `cell-${cell}.stdout.part`), stderr: join(outputDir, `cell-${cell}.stderr.part`) };
    const before = snapshotScratch(this.scratch);
    const watch = this.budget.watchCell(() => worker.kill());
    const ran = await worker.runCell(code, {
      timeoutMs: this.setup.limits.timeoutMs,
      outputBytes: this.setup.limits.outputBytes,
      hardOutputBytes: HARD_OUTPUT_BYTES,
      spillPaths,
      graceMs: GRACE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const verdict = await watch.finish();
    const outcome: CellOutcome = { ...ran, workerLost: ran.workerLost || !worker.alive };
    if (outcome.workerLost) {
      this.worker = undefined;
      this.lostState = true;
    }
    const artifacts = diffArtifacts(this.scratch, before, snapshotScratch(this.scratch));
    const output = this.collectOutput(outcome, join(outputDir, `cell-${cell}.txt`));
    const kill = this.describeKill(outcome, verdict);
    return {
      stdout: output.stdout,
      stderr: output.stderr,
      exitCode: outcome.workerLost ? null : (outcome.exitCode ?? null),
      durationMs: performance.now() - started,
      timedOut: outcome.stoppedBy === 'timeout',
      ...(kill ? { killed: kill.reason, killMessage: kill.message } : {}),
      truncated: output.truncated,
      ...(output.fullOutputPath ? { fullOutputPath: output.fullOutputPath } : {}),
      artifacts,
      ...(restarted ? { notice: RESTART_NOTICE } : {}),
    };
  }

  private describeKill(outcome: CellOutcome, verdict: BudgetVerdict): { reason: NonNullable<ExecResult['killed']>; message: string } | undefined {
    const budgetKill = describeBudgetKill(verdict, this.setup.limits, outcome.workerLost);
    if (budgetKill) return budgetKill;
    const lost = outcome.workerLost ? '; the Python interpreter was restarted, so variables from earlier cells are gone' : '';
    const limits = this.setup.limits;
    switch (outcome.stoppedBy) {
      case 'timeout':
        return { reason: 'timeout', message: `timed out after ${formatSeconds(limits.timeoutMs)}${lost}` };
      case 'cancelled':
        return { reason: 'cancelled', message: `cancelled${lost}` };
      case 'output-limit':
        return { reason: 'output-limit', message: `killed: output limit (${formatBytes(HARD_OUTPUT_BYTES)})${lost}` };
      default:
        break;
    }
    if (outcome.workerError === 'memory') return { reason: 'memory', message: `killed: memory limit (${formatBytes(limits.memoryBytes)})` };
    if (outcome.workerError === 'file-size') return { reason: 'file-size', message: `stopped: file size limit (${formatBytes(limits.fileSizeBytes)})` };
    if (outcome.workerLost) return { reason: 'crashed', message: `the Python interpreter crashed${lost}` };
    return undefined;
  }

  /** Fits both streams into the model's budget; keeps everything in one file when cut. */
  private collectOutput(outcome: CellOutcome, fullPath: string): { stdout: string; stderr: string; truncated: boolean; fullOutputPath?: string } {
    const { stdout, stderr } = outcome;
    const budget = this.setup.limits.outputBytes;
    try {
      if (stdout.total + stderr.total <= budget) return { stdout: stdout.headText(budget), stderr: stderr.headText(budget), truncated: false };
      // stderr (the traceback) keeps at least a quarter of the budget.
      const stderrShare = Math.min(stderr.total, Math.max(Math.floor(budget / 4), budget - stdout.total));
      const stdoutShare = Math.min(stdout.total, budget - stderrShare);
      writeFullOutput(fullPath, stdout, stderr);
      const note = (stream: StreamCapture, shown: number): string =>
        stream.total > shown
          ? `\n[output truncated: ${formatBytes(stream.total)} in total, the first ${formatBytes(shown)} are shown; full output: ${fullPath}]\n`
          : '';
      return {
        stdout: stdout.headText(stdoutShare) + note(stdout, stdoutShare),
        stderr: stderr.headText(stderrShare) + note(stderr, stderrShare),
        truncated: true,
        fullOutputPath: fullPath,
      };
    } finally {
      for (const stream of [stdout, stderr]) if (existsSync(stream.spillPath)) unlinkSync(stream.spillPath);
    }
  }
}

function writeFullOutput(path: string, stdout: StreamCapture, stderr: StreamCapture): void {
  const fd = openExclusive(path);
  try {
    const contents = (stream: StreamCapture): Buffer =>
      stream.spilled || existsSync(stream.spillPath) ? readFileSync(stream.spillPath) : Buffer.from(stream.headText(Number.MAX_SAFE_INTEGER));
    writeSync(fd, contents(stdout));
    if (stderr.total > 0) {
      writeSync(fd, '\n----- stderr -----\n');
      writeSync(fd, contents(stderr));
    }
  } finally {
    closeSync(fd);
  }
}
