// The CLI tells the truth about isolation (issue 10 item 8): the sandbox tier is printed to
// stderr before any model code runs, and on the basic tier (no file or network confinement)
// model code runs only with --allow-unisolated or after the user said yes at a terminal.
// Otherwise every cell is answered "not run: no isolation available" and the user is told how
// to get isolation.
import { createInterface } from 'node:readline/promises';
import type { CodeRunner, ExecResult, IsolationTier } from '../sandbox/types';
import { escapeControls } from '../sandbox/terminalText';
import { CliError, EXIT } from './cliSupport';
import { NOT_RUN_MESSAGE } from '../trajectory/execResult';
import { counted } from '../text/counted';

/** node:util parseArgs declarations shared by `solve` and `eval`. */
/** --isolation alone: the tier, for commands that run no model code (score's checkers). */
export const TIER_OPTION = { isolation: { type: 'string' } } as const;

export const TIER_USAGE = '  --isolation MODE        auto | basic (default: auto; basic never uses bubblewrap)';

export const ISOLATION_OPTIONS = {
  ...TIER_OPTION,
  'allow-unisolated': { type: 'boolean', default: false },
} as const;

export const ISOLATION_USAGE = `${TIER_USAGE}
  --allow-unisolated      run model code on the basic tier without asking`;

/** The --isolation value; a usage error otherwise. */
export function readIsolation(raw: string | undefined): 'auto' | 'basic' {
  const isolation = raw ?? 'auto';
  if (isolation !== 'auto' && isolation !== 'basic') throw new CliError(`--isolation must be auto or basic (got "${isolation}").`, EXIT.usage);
  return isolation;
}

/** Where the gate writes and whom it may ask. `stdin` is asked only when it is a terminal. */
export interface GateIo {
  readonly stderr: NodeJS.WritableStream;
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly signal: AbortSignal;
}

/** How to get the isolated tier on this OS, for the refusal message. */
export function isolationHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') {
    return 'To get isolation, install bubblewrap (`sudo apt install bubblewrap` or `sudo dnf install bubblewrap`), allow unprivileged user namespaces if your distribution blocks them, and use --isolation auto.';
  }
  return `There is no isolated tier on ${platform === 'darwin' ? 'macOS' : platform === 'win32' ? 'Windows' : platform} yet: run r1ci inside a Linux VM or container with bubblewrap.`;
}

/**
 * Prints the tier, then decides whether model code may run. Returns true on the isolated tier,
 * with `allowUnisolated`, or when the user answered yes at a terminal; false otherwise (the
 * caller then uses refusingRunner). `isolation`: what the user asked for (the refusal's advice
 * differs when the basic tier was their choice). End of input while asking (Ctrl-D) answers no.
 * Throws CliError (exit 130) when cancelled while asking.
 */
export async function mayRunModelCode(tier: IsolationTier, note: string, allowUnisolated: boolean, io: GateIo, isolation: 'auto' | 'basic' = 'auto'): Promise<boolean> {
  io.stderr.write(`r1ci: sandbox tier: ${tier} — ${escapeControls(note)}\n`);
  if (tier === 'isolated') return true;
  if (allowUnisolated) {
    io.stderr.write('r1ci: running model code without isolation (--allow-unisolated).\n');
    return true;
  }
  if (io.stdin?.isTTY === true) {
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    // A terminal readline takes Ctrl-C for itself; hand it on, so it cancels as everywhere else.
    rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    try {
      // End of input (Ctrl-D) is no answer, so the default: no. readline rejects the question
      // then at a terminal and leaves it pending otherwise, which would wait forever.
      const ended = new Promise<null>((done) => rl.once('close', () => done(null)));
      const question = rl.question("r1ci: run the model's code without isolation, as you, with access to your files and the network? [y/N] ", { signal: io.signal });
      const answer = await Promise.race([question, ended]).catch((e: unknown) => {
        if (io.signal.aborted) throw new CliError('cancelled.', EXIT.cancelled);
        throw e;
      });
      if (answer === null) io.stderr.write('\n');
      else if (/^\s*y(es)?\s*$/i.test(answer)) return true;
    } finally {
      rl.close();
    }
  }
  io.stderr.write(`r1ci: model code will not be run (${NOT_RUN_MESSAGE}). ${isolationAdvice(isolation)} Or pass --allow-unisolated to run it anyway.\n`);
  return false;
}

/** How to get isolation: the basic tier by choice (--isolation basic) is left by leaving out that flag, not by installing anything. */
function isolationAdvice(isolation: 'auto' | 'basic'): string {
  return isolation === 'basic' ? 'For isolation, leave out --isolation basic.' : isolationHint();
}

/**
 * The line `r1ci eval` prints after its summary when model code was refused (the basic tier
 * without --allow-unisolated or a yes): the table's "Mean code calls" counts the code blocks the
 * model wrote, so without this line it reads as if code ran ("Used code" counts only code that ran). `questions`: the
 * answers (samples, when `sampled`) of this run that wrote code; `blocks`: their code blocks.
 * Says that those answers are asked again by a run that may run code (runner.ts pendingSamples).
 */
export function notRunSummary(questions: number, blocks: number, isolation: 'auto' | 'basic', sampled: boolean): string {
  const what = counted(questions, sampled ? 'sample' : 'question');
  const one = questions === 1;
  return (
    `r1ci: no model code was run (the basic tier, and --allow-unisolated was not given): ${what} wrote ${counted(blocks, 'code block')}, ` +
    `and each block got "${NOT_RUN_MESSAGE}". "Mean code calls" above counts code written, not run ("Used code" counts only code that ran), and ${one ? 'that answer was' : 'those answers were'} made without it. ` +
    `${isolationAdvice(isolation)} Or pass --allow-unisolated to run it; the same command then asks ${one ? 'it' : 'those'} again.`
  );
}

/**
 * A runner with the tier and scratch folder of `like` that runs nothing: every cell comes back
 * as "not run: no isolation available", so the model is told and can answer without code.
 */
export function refusingRunner(like: Pick<CodeRunner, 'tier' | 'tierNote' | 'scratchDir'>): CodeRunner {
  const result: ExecResult = {
    stdout: '',
    stderr: '',
    exitCode: null,
    killMessage: NOT_RUN_MESSAGE,
    durationMs: 0,
    timedOut: false,
    truncated: false,
    artifacts: [],
  };
  return {
    tier: like.tier,
    tierNote: like.tierNote,
    scratchDir: like.scratchDir,
    runCell: () => Promise.resolve(result),
    dispose: () => Promise.resolve(),
  };
}
