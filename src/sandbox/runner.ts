// The CodeRunner for one conversation: keeps a worker alive across cells, restarts
// it after a kill, and turns what happened into an ExecResult.
import { chownSync, constants, mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, open, rm, unlink } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { knob } from '../text/frontEnd';
import { copyOutArtifacts } from './artifacts';
import { buildBwrapPlan, bwrapSupportsDisableUserns, pythonLayout, SANDBOX_HOME, SANDBOX_TMPFS_MOUNTS, SANDBOX_UID } from './bubblewrap';
import { buildSandboxEnv } from './environment';
import { formatBytes, formatSeconds } from './format';
import { detectIsolation } from './isolation';
import { describeBudgetKill, planBudget, SandboxBudget, type BudgetPlan, type BudgetVerdict } from './memoryBudget';
import type { StreamCapture } from './output-capture';
import type { WorkerArgs } from './protocol';
import { resolvePython } from './python';
import { DEFAULT_LIMITS, type Artifact, type CodeRunner, type ExecResult, type IsolationTier, type KillReason, type RunCellOptions, type SandboxLimits, type SandboxOptions } from './types';
import { findWorkerScript } from './worker-script';
import { WorkerProcess, type CellOutcome, type WorkerLaunch } from './worker-process';
import { makeFoldersSync } from '../files/makeFolders';

/** Output beyond this (both streams) ends the cell: the full-output file must stay bounded. */
export const HARD_OUTPUT_BYTES = 32 * 1024 ** 2;
/**
 * Bytes of full outputs (see `ExecResult.fullOutputPath`) a runner keeps in its host-private
 * folder together. A cell may write up to HARD_OUTPUT_BYTES, cell after cell: without a bound
 * the host's disk (a RAM-backed /tmp on many desktops) grew by 600 MiB in 20 cells. Beyond it
 * the oldest full outputs are removed; the latest one is always kept.
 */
export const FULL_OUTPUTS_HOST_BYTES = 4 * HARD_OUTPUT_BYTES;
/** Processes (threads count too) one sandbox may have. */
export const MAX_PROCESSES = 256;
const GRACE_MS = 500;
/** Root only: first of the per-conversation kernel uids (no passwd entries needed). */
const SANDBOX_UID_BASE = 2_000_000;
const RESTART_NOTICE = 'The Python interpreter was restarted after the previous cell was stopped: variables and imports from earlier cells are gone.';

/**
 * The result's notice: the restart notice and/or what happens to threads the cell left running
 * (`threads`, as the supervisor counted them): the interpreter is stopped between cells, so they
 * pause and resume with the next cell.
 */
function notice(restarted: boolean, threads: number | undefined): { notice: string } | undefined {
  const parts: string[] = [];
  if (restarted) parts.push(RESTART_NOTICE);
  if (threads) parts.push(`The cell left ${threads} background thread(s) running: they are paused until the next cell runs, and run on during it.`);
  return parts.length > 0 ? { notice: parts.join(' ') } : undefined;
}

/** Everything needed to start workers for one configuration; computed once. */
export interface SandboxSetup {
  readonly tier: IsolationTier;
  readonly tierNote: string;
  readonly limits: SandboxLimits;
  readonly mode: 'persistent' | 'stateless';
  /** How the whole-sandbox memory and disk budget is enforced. */
  readonly budget: BudgetPlan;
  /** Parent of each runner's host-private folder. */
  readonly privateRoot: string;
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
      ? { tier: 'basic' as const, note: `Basic: isolation turned off with ${knob('isolationBasic')}; the code runs as you with resource, time and output limits only.` }
      : await detectIsolation(options.pythonPath);
  // -u: what a cell printed reaches the host even when it is killed or calls os._exit.
  const pythonArgs = (args: WorkerArgs): string[] => ['-I', '-u', '-X', 'utf8', workerScript, JSON.stringify(args)];
  const baseArgs = { memoryBytes: limits.memoryBytes, fileSizeBytes: limits.fileSizeBytes, maxProcesses: MAX_PROCESSES, mode };
  const privateRoot = options.privateRoot ?? tmpdir();

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
    const disableUserns = await bwrapSupportsDisableUserns(bwrap);
    return {
      tier: 'isolated',
      tierNote: `${detected.note} ${budget.note}`,
      limits,
      mode,
      budget,
      privateRoot,
      launchFor: (scratchDir, _privateDir, sandboxUid) => {
        const sized = 'sizedTmpfs' in detected && detected.sizedTmpfs;
        const plan = buildBwrapPlan({ layout, scratchDir, workerScript, isRoot: isRoot(), disableUserns, ...(sized ? { tmpfsBytes: limits.memoryBytes } : {}) });
        const args: WorkerArgs = {
          ...baseArgs,
          pidNamespace: true,
          denyUserNamespaces: true,
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
    privateRoot,
    launchFor: (scratchDir, privateDir) => ({
      command: python.executable,
      args: pythonArgs({ ...baseArgs, pidNamespace: false, denyUserNamespaces: false }),
      env: buildSandboxEnv({ interpreterDir: dirname(python.executable), home: privateDir, tmpDir: privateDir }),
      cwd: scratchDir,
    }),
  };
}

export class PythonCodeRunner implements CodeRunner {
  private worker: WorkerProcess | undefined;
  private starting: Promise<WorkerProcess> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private cellCount = 0;
  /** `cellCount` when the sandbox was last made fresh (started or reset): equal, no code ran since. */
  private cellsAtReset = 0;
  private lostState = false;
  private disposed = false;
  /** A limit, a kill or a restart happened since the last reset: `reset` then refuses (see there). */
  private tainted = false;
  /** basic tier: $HOME and TMPDIR of the worker, outside scratch. */
  private readonly privateDir: string;
  /**
   * Host-private (0700, never mounted into the sandbox): spill files and full outputs in
   * output/, artifact copies in artifacts/cell-N/. The host writes bookkeeping only here.
   */
  private readonly hostDir: string;
  private scratch: string;
  private readonly sandboxUid: number;
  private readonly budget: SandboxBudget;
  /** Host disk the artifact copies in hostDir take so far, as copyOutArtifacts counts it (held to limits.artifactHostBytes). */
  private hostCopyBytes = 0;
  /** True once a cell listed artifacts (hostDir/artifacts may hold copies). */
  private copiedArtifacts = false;
  /** The full outputs kept in hostDir/output (cell-N.txt), oldest first, and their sizes (bytes), held to FULL_OUTPUTS_HOST_BYTES. */
  private fullOutputs: { path: string; bytes: number }[] = [];

  constructor(
    private readonly setup: SandboxSetup,
    scratchDir: string,
  ) {
    this.scratch = scratchDir;
    makeFoldersSync(scratchDir);
    // As root the isolated worker drops to a kernel uid of its own (no user namespace, see
    // bubblewrap.ts): RLIMIT_NPROC counts per kernel uid, so a shared uid (nobody) would
    // let one conversation's fork bomb starve every other sandbox. That uid must be able
    // to write its scratch folder.
    this.sandboxUid = isRoot() && setup.tier === 'isolated' ? SANDBOX_UID_BASE + randomInt(0, 1_000_000) : SANDBOX_UID;
    if (isRoot() && setup.tier === 'isolated') chownSync(scratchDir, this.sandboxUid, this.sandboxUid);
    this.privateDir = mkdtempSync(join(tmpdir(), 'r1ci-home-'));
    makeFoldersSync(setup.privateRoot, 0o700);
    this.hostDir = mkdtempSync(join(setup.privateRoot, 'r1ci-host-'));
    mkdirSync(join(this.hostDir, 'output'), { mode: 0o700 });
    // The basic tier's $HOME and $TMPDIR (privateDir) are host disk the sandbox writes: in its disk budget.
    this.budget = new SandboxBudget(setup.budget, setup.limits, () => this.scratch, setup.tier === 'basic' ? [this.privateDir] : []);
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

  /**
   * Makes this runner's sandbox as fresh as a new one for another question of an evaluation
   * (evaluation integrity, issue 10 item 6, at the cost of a fork instead of a sandbox start):
   * the supervisor kills every other process of the sandbox, empties scratch, /tmp, home and
   * /dev/shm, and forks a new interpreter from itself (it never ran user code, so no module,
   * variable or environment change survives); the host then checks that the sandbox holds as
   * many processes as at its start, and drops its artifact copies and kept full outputs. When no
   * cell ran since the sandbox started or was last reset, nothing is done (it is fresh already).
   * Resolves false, with the worker ended, when any step fails or when a cell since the last
   * reset hit a limit, was killed, or lost its interpreter: the caller then disposes this runner
   * and starts a fresh sandbox. Never throws.
   */
  async reset(signal?: AbortSignal): Promise<boolean> {
    const run = this.queue.then(async () => {
      const worker = this.worker;
      if (this.disposed || this.tainted || this.lostState || !worker?.alive || signal?.aborted) return false;
      // No cell since the sandbox started or was last reset: no code of the last question ran
      // in it, so it is as fresh as a reset would make it (a question answered without code
      // costs no fork).
      if (this.cellCount === this.cellsAtReset) return true;
      if (!(await worker.reset()) || !this.budget.workerReset(worker.pid, worker.controlSocket)) {
        await worker.kill();
        return false;
      }
      if (this.copiedArtifacts) await rm(join(this.hostDir, 'artifacts'), { recursive: true, force: true });
      this.copiedArtifacts = false;
      // Full outputs of the last question (up to HARD_OUTPUT_BYTES a cell): over a long evaluation
      // they would pile up on the host's disk, as a runner per question never let them.
      if (this.fullOutputs.length > 0) {
        const output = join(this.hostDir, 'output');
        await rm(output, { recursive: true, force: true });
        await mkdir(output, { mode: 0o700 });
      }
      this.fullOutputs = [];
      this.hostCopyBytes = 0;
      this.cellsAtReset = this.cellCount;
      return true;
    });
    this.queue = run.catch(() => undefined);
    return run.catch(() => false);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    // A worker still starting (the first, or a restart after the last one died) is ended by
    // ensureWorker as soon as it is up; the one in `worker` (alive or dead) is ended here.
    await this.starting?.catch(() => undefined);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.kill();
    await this.budget.dispose();
    // Asynchronously: the basic tier's home and the copies can be large (never followed: rm unlinks links).
    await Promise.all([rm(this.privateDir, { recursive: true, force: true }), rm(this.hostDir, { recursive: true, force: true })]);
  }

  private ensureWorker(signal?: AbortSignal): Promise<WorkerProcess> {
    if (this.worker?.alive) return Promise.resolve(this.worker);
    // It died between cells: the next result says the state is gone.
    if (this.worker) this.lostState = true;
    if (!this.starting) {
      const launch = this.budget.wrap(this.setup.launchFor(this.scratch, this.privateDir, this.sandboxUid));
      this.starting = WorkerProcess.start(launch, signal).then(
        async (worker) => {
          this.starting = undefined;
          // Disposed while it started: nobody would ever end it.
          if (this.disposed) {
            await worker.kill();
            throw new Error('This code runner was disposed.');
          }
          this.worker = worker;
          this.budget.workerStarted(worker.pid, worker.controlSocket);
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

  /**
   * Runs one cell on the worker (started or restarted as needed). A cell the worker never read,
   * because its interpreter had ended between cells (a timer's SIGCONT, say) while the cell was
   * on its way, runs once on a fresh worker (`retried`), with the restart notice.
   */
  private async runSerialized(code: string, options: RunCellOptions, retried = false): Promise<ExecResult> {
    if (this.disposed) throw new Error('This code runner was disposed.');
    const started = performance.now();
    const worker = await this.ensureWorker(options.signal);
    const cell = ++this.cellCount;
    const outputDir = join(this.hostDir, 'output');
    const spillPaths = { stdout: `${outputDir}${sep}cell-${cell}.stdout.part`, stderr: `${outputDir}${sep}cell-${cell}.stderr.part` };
    const watch = this.budget.watchCell(() => worker.kill());
    const ran = await worker.runCell(code, {
      timeoutMs: this.setup.limits.timeoutMs,
      outputBytes: this.setup.limits.outputBytes,
      hardOutputBytes: HARD_OUTPUT_BYTES,
      spillPaths,
      graceMs: GRACE_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (ran.notRun && !retried && !options.signal?.aborted) {
      // Nothing of it ran: the dead worker stays in `worker`, so ensureWorker marks the state lost.
      await worker.kill();
      await watch.finish();
      this.cellCount--;
      return this.runSerialized(code, options, true);
    }
    // After an os._exit, a crash or a protocol violation the supervisor reports and exits.
    const ended = ran.done?.final === true;
    if (ended) await worker.kill();
    const verdict = await watch.finish(ran.done?.spawned !== false);
    const outcome: CellOutcome = { ...ran, workerLost: ran.workerLost || ended || !worker.alive };
    const restarted = this.lostState;
    this.lostState = outcome.workerLost;
    if (outcome.workerLost) this.worker = undefined;
    // The processes the cell left were killed; those that were the interpreter's own children
    // stay its zombies, and zombies count against the sandbox's process limit (a cell that
    // forked up to it would leave every later cell unable to fork). The interpreter waits for
    // them when it reads this, before the next cell's code. (The time-limit path sends its own.)
    else if (verdict.leftProcesses) worker.send({ type: 'reap' }, true);
    // (Each await costs a turn of the microtask queue: skipped where there is nothing to do.)
    const artifacts = (outcome.done?.artifacts.length ?? 0) > 0 ? await this.copyArtifacts(outcome, cell) : [];
    const output = await this.collectOutput(outcome, join(outputDir, `cell-${cell}.txt`));
    const kill = this.describeKill(outcome, verdict);
    if (kill || outcome.workerLost || restarted) this.tainted = true;
    return {
      stdout: output.stdout,
      stderr: output.stderr,
      // os._exit(n) is an exit with status n, not a crash.
      exitCode: outcome.done?.exited ? outcome.done.exitCode : outcome.workerLost || outcome.workerError === 'crashed' ? null : (outcome.exitCode ?? null),
      durationMs: performance.now() - started,
      timedOut: kill?.reason === 'timeout',
      ...(kill ? { killed: kill.reason, killMessage: kill.message } : {}),
      truncated: output.truncated,
      ...(output.fullOutputPath ? { fullOutputPath: output.fullOutputPath } : {}),
      artifacts,
      ...(notice(restarted, outcome.done?.threads) ?? {}),
    };
  }

  private async copyArtifacts(outcome: CellOutcome, cell: number): Promise<Artifact[]> {
    const listed = outcome.done?.artifacts ?? [];
    if (listed.length > 0) this.copiedArtifacts = true;
    try {
      const left = Math.max(0, this.setup.limits.artifactHostBytes - this.hostCopyBytes);
      const { artifacts, hostBytes } = await copyOutArtifacts(this.scratch, listed, join(this.hostDir, 'artifacts', `cell-${cell}`), left);
      this.hostCopyBytes += hostBytes;
      return artifacts;
    } catch {
      // The scratch folder itself is gone (the conversation was deleted meanwhile).
      return [];
    }
  }

  private describeKill(outcome: CellOutcome, verdict: BudgetVerdict): { reason: KillReason; message: string } | undefined {
    const budgetKill = describeBudgetKill(verdict, this.setup.limits, outcome.workerLost);
    if (budgetKill) return budgetKill;
    const lost = outcome.workerLost ? '; the Python interpreter was restarted, so variables from earlier cells are gone' : '';
    const limits = this.setup.limits;
    // A violation names the cell that committed it, never this cell's time limit.
    if (outcome.workerError === 'protocol') return { reason: 'protocol', message: `stopped: ${outcome.done?.detail ?? 'protocol violation'}${lost}` };
    switch (outcome.stoppedBy) {
      case 'timeout':
        return { reason: 'timeout', message: `timed out after ${formatSeconds(limits.timeoutMs)}${lost}` };
      case 'cancelled':
        return { reason: 'cancelled', message: `cancelled${lost}` };
      case 'output-limit':
        return { reason: 'output-limit', message: `killed: output limit (${formatBytes(HARD_OUTPUT_BYTES)})${lost}` };
      case 'host-error':
        return { reason: 'host-error', message: `stopped: ${outcome.hostError ?? 'host error'}${lost}` };
      case 'protocol':
        return { reason: 'protocol', message: `stopped: ${outcome.hostError ?? 'protocol violation'}${lost}` };
      default:
        break;
    }
    // A MemoryError is Python's own answer to RLIMIT_AS: nothing was killed, the interpreter and its
    // variables live on (a process the kernel or the watcher kills is the sandbox memory limit, above).
    // Unless the interpreter's own loop hit it after the cell (worker.py LOOP_OUT_OF_MEMORY): then the interpreter is gone.
    if (outcome.workerError === 'memory' && outcome.workerLost) {
      return { reason: 'memory', message: `stopped: the sandbox ran out of memory (MemoryError at the memory limit, ${formatBytes(limits.memoryBytes)}): the cell left too little for the interpreter to go on${lost}` };
    }
    if (outcome.workerError === 'memory') return { reason: 'memory', message: `stopped: MemoryError at the memory limit (${formatBytes(limits.memoryBytes)}); variables are kept` };
    if (outcome.workerError === 'file-size') return { reason: 'file-size', message: `stopped: file size limit (${formatBytes(limits.fileSizeBytes)})` };
    if (outcome.workerError === 'crashed') {
      const signal = outcome.done?.signal ? ` (signal ${outcome.done.signal})` : '';
      return { reason: 'crashed', message: `the Python interpreter crashed${signal}${lost}` };
    }
    if (outcome.workerLost && !outcome.done?.exited) return { reason: 'crashed', message: `the Python interpreter crashed${lost}` };
    return undefined;
  }

  /** Keeps `latest` and removes the oldest full outputs while they hold more than FULL_OUTPUTS_HOST_BYTES. */
  private async holdFullOutputs(latest: { path: string; bytes: number }): Promise<void> {
    this.fullOutputs.push(latest);
    let held = this.fullOutputs.reduce((sum, kept) => sum + kept.bytes, 0);
    while (held > FULL_OUTPUTS_HOST_BYTES && this.fullOutputs.length > 1) {
      const oldest = this.fullOutputs.shift();
      if (oldest === undefined) break;
      held -= oldest.bytes;
      // (Never fails the cell: one that cannot be removed is left for dispose.)
      await rm(oldest.path, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Fits both streams' collapsed text (output-capture.ts) into the model's budget. The raw output
   * goes to one host-private file whenever it outgrew the budget (for "show all"); its path is in
   * the result for the user, never in the text the model reads.
   */
  private async collectOutput(outcome: CellOutcome, fullPath: string): Promise<{ stdout: string; stderr: string; truncated: boolean; fullOutputPath?: string }> {
    const { stdout, stderr } = outcome;
    const budget = this.setup.limits.outputBytes;
    try {
      const kept =
        stdout.total + stderr.total > budget &&
        (await writeFullOutput(fullPath, stdout, stderr).then(
          () => true,
          () => false,
        ));
      if (kept) await this.holdFullOutputs({ path: fullPath, bytes: stdout.total + stderr.total });
      const full = kept ? { fullOutputPath: fullPath } : {};
      if (stdout.textTotal + stderr.textTotal <= budget) return { stdout: stdout.text(budget), stderr: stderr.text(budget), truncated: false, ...full };
      // stderr (the traceback) keeps at least a quarter of the budget.
      const stderrShare = Math.min(stderr.textTotal, Math.max(Math.floor(budget / 4), budget - stdout.textTotal));
      const stdoutShare = Math.min(stdout.textTotal, budget - stderrShare);
      // One notice, after the last stream that was cut: the model reads stdout, then stderr.
      const cut = [
        { name: 'stdout', stream: stdout, shown: stdoutShare },
        { name: 'stderr', stream: stderr, shown: stderrShare },
      ].filter((s) => s.stream.textTotal > s.shown);
      const named = cut.length > 1;
      const sizes = (pick: (s: (typeof cut)[number]) => number): string => cut.map((s) => `${named ? `${s.name} ` : ''}${formatBytes(pick(s))}`).join(' and ');
      const notice = `\n[output truncated: ${sizes((s) => s.stream.textTotal)} in total, the first ${sizes((s) => s.shown)} are shown]\n`;
      const noticeOn = cut.at(-1)?.stream;
      return {
        stdout: stdout.text(stdoutShare) + (noticeOn === stdout ? notice : ''),
        stderr: stderr.text(stderrShare) + (noticeOn === stderr ? notice : ''),
        truncated: true,
        ...full,
      };
    } finally {
      for (const stream of [stdout, stderr]) {
        if (!stream.spilled) continue;
        await stream.closeSpill();
        await unlink(stream.spillPath).catch(() => undefined);
      }
    }
  }
}

/** Writes both streams into a new host-private file (never an existing one, never through a link). */
async function writeFullOutput(path: string, stdout: StreamCapture, stderr: StreamCapture): Promise<void> {
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await file.write(await stdout.readAll());
    if (stderr.total > 0) {
      await file.write('\n----- stderr -----\n');
      await file.write(await stderr.readAll());
    }
  } finally {
    await file.close();
  }
}
