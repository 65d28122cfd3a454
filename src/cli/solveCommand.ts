// `r1ci solve "question"`: the agent, headless.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgent } from '../agent/runAgent';
import { collectTrajectory } from '../agent/trajectory';
import type { CodeRunner } from '../sandbox/types';
import { artifactKeeper } from './keepArtifacts';
import { checkServerAndModel } from './preflight';
import { createPrinter } from './printer';
import { conflictsOf, EXIT, parseCliArgs, refuseConflictingFlags, usageError } from './cliSupport';
import { SANDBOX_FLAGS } from '../config/settingFlags';
import { gatedCodeRunner } from './cliRunner';
import { ISOLATION_OPTIONS, ISOLATION_USAGE, readIsolation, type GateIo } from './isolationGate';
import { MODEL_OPTIONS, modelOptionsUsage, readModelOptions, resolveModelRun } from './modelOptions';
import { escapeControls, jsonForTerminal } from '../sandbox/terminalText';
import { removeTree } from '../sandbox/scratchJanitor';

export const SOLVE_USAGE = `Usage: r1ci solve "question" [options]

Options:
${modelOptionsUsage()}
${ISOLATION_USAGE}
  --text-only             never run code (the paper's text-only baseline)
  --json                  print one JSON document with every turn instead of streaming text
  --keep-artifacts DIR    copy the files each cell wrote (figures, CSVs) into DIR as cell<N>-<name>
                          (DIR is made before the run); without it they are listed and go with
                          the scratch folder
  -h, --help              this help`;

/** node:util parseArgs declarations of `solve`; `chat` takes the same flags. */
export const SOLVE_OPTIONS = {
  ...MODEL_OPTIONS,
  ...ISOLATION_OPTIONS,
  'text-only': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'keep-artifacts': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * Flags of `solve` and `chat` that contradict each other: --text-only runs no code, so every flag
 * that only says how code is run (protocol, budget, sandbox, isolation, artifacts) would be ignored.
 */
export const SOLVE_CONFLICTS = conflictsOf(
  'text-only',
  ['protocol', 'max-code-calls', 'isolation', 'allow-unisolated', 'keep-artifacts', ...Object.keys(SANDBOX_FLAGS)],
  '--text-only runs no code, so the other would be ignored',
);

/** Runs `r1ci solve`; returns the exit code (EXIT). `io.stdin` is asked on the basic tier when it is a terminal. */
export async function solveCommand(argv: readonly string[], io: GateIo & { stdout: NodeJS.WritableStream }): Promise<number> {
  const { values, positionals } = parseCliArgs('solve', { args: [...argv], allowPositionals: true, options: SOLVE_OPTIONS });
  if (values.help) {
    io.stdout.write(`${SOLVE_USAGE}\n`);
    return EXIT.ok;
  }
  refuseConflictingFlags('solve', values, SOLVE_CONFLICTS);
  const question = positionals.join(' ').trim();
  if (!question) throw usageError('No question given.', SOLVE_USAGE, 'solve');
  const m = readModelOptions(values);
  const isolation = readIsolation(values.isolation);
  // Made and checked before the model is asked anything: a bad DIR is said before the run, not at its first artifact.
  const keeper = values['keep-artifacts'] === undefined ? undefined : await artifactKeeper(resolve(values['keep-artifacts']), io.stderr);
  // The server and the model are checked before the sandbox starts: a wrong --host or --model is
  // said alone, not after the sandbox tier line and a trajectory header.
  await checkServerAndModel(m.backend, m.run.model, io.signal, { onSlow: (line) => io.stderr.write(`r1ci: ${escapeControls(line)}\n`) });
  const modelRun = await resolveModelRun(m, io.signal);
  const scratch = await mkdtemp(join(tmpdir(), 'r1ci-solve-'));
  let runner: CodeRunner | null = null;
  let codeRuns = true;
  try {
    if (!values['text-only']) {
      ({ runner, allowed: codeRuns } = await gatedCodeRunner({ scratchDir: scratch, sandbox: m.run.sandbox, isolation, allowUnisolated: values['allow-unisolated'] }, io));
    }
    const events = runAgent(question, {
      ...modelRun,
      runner,
      signal: io.signal,
    });
    const color = !values.json && 'isTTY' in io.stdout && io.stdout.isTTY === true && !process.env.NO_COLOR;
    const print = values.json ? undefined : createPrinter(io.stdout, color, codeRuns);
    const trajectory = await collectTrajectory(events, (e) => {
      print?.(e);
      keeper?.onEvent(e);
    });
    await keeper?.flush();
    if (values.json) io.stdout.write(`${jsonForTerminal({ ...trajectory, backend: { kind: m.backend.kind, baseUrl: m.backend.baseUrl }, sandbox: runner ? { tier: runner.tier, note: runner.tierNote } : null }, 2)}\n`);
    if (trajectory.reason === 'cancelled') return EXIT.cancelled;
    if (trajectory.error !== undefined) {
      if (values.json) io.stderr.write(`r1ci: ${escapeControls(trajectory.error)}\n`);
      return EXIT.failure;
    }
    if (trajectory.answer === null) {
      io.stderr.write(`r1ci: the model gave no final answer (${trajectory.reason === 'budget' ? `code-call budget of ${m.run.maxCodeCalls} used up` : 'no <<<answer>>> in its reply'}).\n`);
      return EXIT.noAnswer;
    }
    return EXIT.ok;
  } finally {
    await keeper?.flush();
    await runner?.dispose();
    // The answer stands even when the scratch folder cannot be removed: say where it was left.
    await removeTree(scratch).catch((error: unknown) => io.stderr.write(`r1ci: warning: ${escapeControls(error instanceof Error ? error.message : String(error))}\n`));
  }
}
