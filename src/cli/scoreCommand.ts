// `r1ci score <tasks> --answers answers.jsonl`: scores answers made elsewhere (another harness,
// a saved run) without a model. One JSON line out per input line, in order.
import { fileErrorText } from '../text/fileErrors';
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeLoadProblem, describeSkipped, describeUnsupported, loadTasks } from '../eval/load';
import { DATASET_FILE_CAP_BYTES } from '../eval/safeRead';
import { isResettable } from '../eval/evaluate';
import { sandboxCheckRunner } from '../eval/sandboxChecker';
import { indexTasks, parseAnswerLine, scoreSubmission, type ScoredLine } from '../eval/scoreAnswers';
import type { PythonCheckRunner } from '../eval/scorers/python';
import { SandboxPool } from '../sandbox';
import type { CodeRunner } from '../sandbox/types';
import { CliError, escapingWriter, EXIT, noQuestionsFound, parseCliArgs, usageError } from './cliSupport';
import { counted } from '../text/counted';
import { readIsolation, TIER_OPTION, TIER_USAGE } from './isolationGate';
import { SANDBOX_FLAGS } from '../config/settingFlags';
import { runOptionsFrom } from '../config/runOptions';
import { flagOptions, flagUsage, settingsFromFlags } from './settingFlags';
import { removeTree } from '../sandbox/scratchJanitor';
import { jsonForTerminal } from '../sandbox/terminalText';
import { describeFileKind } from './outputPaths';

export const SCORE_USAGE = `Usage: r1ci score <file-or-folder> --answers answers.jsonl   (- reads standard input)

Scores answers without a model. Each line of answers.jsonl is {"id": ..., "answer": "..."}
(the final answer, already extracted) or {"id": ..., "text": "..."} (a whole model reply; the
answer is its last <<<...>>>, extracted as in a run); other fields are ignored. A number or
boolean answer is scored as Python's str() prints it (42 → "42", 2.0 → "2.0", true → "True");
an array or object is refused for its line (write it as text). Ids are relative
to the folder or file given (docs/task-files.md, "Ids"), as in eval results; an id may repeat.

Prints one JSON line per input line (blank lines are skipped), in order:
{"id", "answer", "correct", "score", "reason"}.

Custom python: checkers run in the sandbox, started only when a line needs one (its tier is
printed then), as in eval: the checker is the task file's code, and it runs on either tier. On
the basic tier a checker that evaluates the answer as code runs model output as you: score
untrusted answers where the isolated tier is available (docs/sandbox-tiers.md).

Sandbox options (for python: checkers):
${flagUsage(SANDBOX_FLAGS)}
${TIER_USAGE}
  -h, --help              this help

Exit status: 0 when every line was scored (whatever the verdicts), 1 when a line was not valid,
named an unknown or unsupported id (those lines are named on stderr), or the task files had
problems; 1 also when the answers file held no answer line or is another kind of file (a task
file, an export), said before any line, and when the sandbox could
not start (e.g. a --python that does not exist), after the lines before; 2 for bad arguments.`;

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly signal: AbortSignal;
}

export async function scoreCommand(argv: readonly string[], io: Io): Promise<number> {
  const stderr = escapingWriter(io.stderr);
  const { values, positionals } = parseCliArgs('score', {
    args: [...argv],
    allowPositionals: true,
    options: { answers: { type: 'string' }, ...flagOptions(SANDBOX_FLAGS), ...TIER_OPTION, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout.write(`${SCORE_USAGE}\n`);
    return EXIT.ok;
  }
  const target = positionals[0];
  if (!target || positionals.length > 1 || !values.answers) throw usageError('Give one task file or folder and --answers FILE.', SCORE_USAGE, 'score');
  const sandbox = runOptionsFrom(settingsFromFlags(values, [SANDBOX_FLAGS])).sandbox;
  const isolation = readIsolation(values.isolation);

  const loaded = await loadTasks(resolve(target), io.signal);
  for (const p of loaded.problems) stderr.write(`${describeLoadProblem(p)}\n`);
  for (const line of describeUnsupported(loaded.unsupported ?? [])) stderr.write(`${line}\n`);
  for (const line of describeSkipped(loaded.skipped ?? [])) stderr.write(`${line}\n`);
  // A path that holds no question (missing, mistyped, empty) is said once, not as every line's unknown id.
  if (loaded.records.length === 0 && (loaded.unsupported ?? []).length === 0) {
    throw noQuestionsFound(target, loaded);
  }
  const index = indexTasks(loaded);

  // The sandbox starts only if a python: checker is needed; its tier is said then.
  let pool: SandboxPool | undefined;
  let scratch: string | undefined;
  let runner: Promise<CodeRunner> | undefined;
  let startError: unknown;
  let started = 0;
  const startRunner = async (): Promise<CodeRunner> => {
    if (pool === undefined) {
      scratch = await mkdtemp(join(tmpdir(), 'r1ci-score-'));
      pool = new SandboxPool({ scratchRoot: scratch, ...sandbox, mode: 'stateless', isolation });
    }
    const first = started === 0;
    const next = await pool.acquire(join(scratch ?? '', `checker-${++started}`), io.signal);
    if (first) stderr.write(`r1ci: sandbox tier: ${next.tier} — ${next.tierNote}\n`);
    return next;
  };
  /** True once a check ran in `runner`: the next one needs it reset first. */
  let used = false;
  // A start that failed (no interpreter, cancelled) ends the command: see below.
  const python: PythonCheckRunner = sandboxCheckRunner(async () => {
    const start = (): Promise<CodeRunner> =>
      startRunner().catch((e: unknown) => {
        startError = e;
        throw e;
      });
    const current = await (runner ??= start());
    if (used && !(isResettable(current) && (await current.reset(io.signal)))) {
      await current.dispose();
      runner = start();
      return runner;
    }
    // Each answer's check starts from an interpreter no other answer's check touched (as each
    // question's does in eval): a checker that evaluates the answer (eval, sympify) runs it as
    // code, and builtins it patched made every later check pass (issue 10 item 6).
    used = true;
    return current;
  }, io.signal);

  let failed = loaded.problems.length > 0;
  let lineNo = 0;
  /** Answer lines printed, and the numbers of those that were not scored (invalid, or an id with no question to score). */
  let printed = 0;
  /** Lines that were not blank: none at all is said once (an empty file, nothing piped). */
  let answerLines = 0;
  const unscored: number[] = [];
  const answersName = values.answers === '-' ? 'standard input' : values.answers;
  const source = values.answers === '-' ? process.stdin : createReadStream(resolve(values.answers));
  const input = byteLines(source);
  // Ctrl-C (or SIGTERM) while waiting for the next line (`--answers -` from a harness still
  // running): the read stops, and the command says it was cancelled instead of ending as done.
  const stopReading = (): void => void source.destroy();
  io.signal.addEventListener('abort', stopReading, { once: true });
  const write = (out: ScoredLine, scored = true): void => {
    printed++;
    if (!scored) {
      failed = true;
      unscored.push(lineNo);
    }
    io.stdout.write(`${jsonForTerminal({ id: out.id, answer: out.answer, correct: out.correct, score: out.score, reason: out.reason })}\n`);
  };
  try {
    for await (const read of input) {
      lineNo++;
      io.signal.throwIfAborted();
      if (read.tooLong) {
        write({ id: null, answer: null, correct: false, score: 0, reason: `line ${lineNo}: longer than ${ANSWER_LINE_CAP_BYTES / 1024 ** 2} MiB, not read (one line is one answer)` }, false);
        continue;
      }
      const { bytes } = read;
      // Not UTF-8 (a file saved as Latin-1): said for the line, never scored garbled with U+FFFD.
      if (!isUtf8(bytes)) {
        write({ id: null, answer: null, correct: false, score: 0, reason: `line ${lineNo}: not UTF-8 text (save the answers as UTF-8)` }, false);
        continue;
      }
      const line = bytes.toString('utf8').replace(/\r$/, '');
      if (line.trim() === '') continue;
      // A byte-order mark opening the file (Windows editors write one) is not part of the JSON.
      const parsed = parseAnswerLine(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
      // Another of r1ci's files given as answers (a task file, an SFT or rollouts export, a
      // curriculum) is said once, before any line is printed, not as every line's own error. A
      // task line with an id and an answer reads as an answer line too: it is one only when its id
      // names a question of the tasks (answers kept beside their question text).
      if (++answerLines === 1 && (!parsed.ok || !index.records.has(String(parsed.value.id)))) {
        const kind = otherFileKind(line);
        if (kind !== undefined) throw new CliError(`${answersName} is ${kind}, not answers: each line of an answers file is {"id", "answer"} or {"id", "text"} (r1ci score --help).`, EXIT.failure);
      }
      if (!parsed.ok) {
        write({ id: parsed.id, answer: null, correct: false, score: 0, reason: `line ${lineNo}: ${parsed.error}` }, false);
        continue;
      }
      const { id: rawId, ...submission } = parsed.value;
      const id = String(rawId);
      const out = await scoreSubmission(index, id, submission, { python });
      // Scorers never throw: a sandbox that could not start would be every later line's reason.
      if (startError !== undefined) {
        if (io.signal.aborted) return cancelled(stderr, lineNo);
        if (startError instanceof CliError) throw startError;
        throw new CliError(`the sandbox could not start: ${startError instanceof Error ? startError.message : String(startError)}`, EXIT.failure);
      }
      // An id with nothing to score (unknown, unsupported) names its line, as an invalid line does: the
      // line is what to fix, and answers files often hold one id many times.
      const known = index.records.has(id);
      write(known ? out : { ...out, reason: `line ${lineNo}: ${out.reason}` }, known);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (io.signal.aborted) return cancelled(stderr, lineNo);
    throw new CliError(`cannot read ${values.answers}: ${fileErrorText(e)}`, EXIT.failure);
  } finally {
    io.signal.removeEventListener('abort', stopReading);
    source.destroy();
    // The pool owns only its spare interpreter; the acquired one is ours to stop.
    await runner?.then(
      (r) => r.dispose(),
      () => undefined,
    );
    await pool?.dispose();
    if (scratch) await removeTree(scratch);
  }
  if (io.signal.aborted) return cancelled(stderr, lineNo);
  // Nothing to score is not success: a wrong path or an empty pipe would otherwise pass in silence.
  if (answerLines === 0) throw new CliError(`${answersName} holds no answer lines (only blank ones, or nothing): nothing was scored.`, EXIT.failure);
  // The JSON lines are data for a harness; the exit status 1 is said in words for the person
  // who ran it (a file of answers piped elsewhere would otherwise fail with nothing said).
  if (unscored.length > 0) stderr.write(`${describeUnscored(unscored, printed, answersName)}\n`);
  return failed ? EXIT.failure : EXIT.ok;
}

/**
 * What `line` (the first non-blank line of an answers file, not a valid answers line) says the
 * file is, when it is one of the other files r1ci reads or writes ("a task file", "SFT data, chat
 * format (written by `r1ci export-sft`)"); undefined for anything else (broken JSON, a typo in
 * an answers line), which stays that line's own error.
 */
function otherFileKind(line: string): string | undefined {
  let first: unknown;
  try {
    first = JSON.parse(line.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  const kind = describeFileKind(first);
  return kind?.startsWith('an answers file') ? undefined : kind;
}

/** Lines named in the summary of unscored lines; the rest are counted. */
const UNSCORED_LINES_NAMED = 5;

/**
 * The stderr summary of answer lines that were not scored: `lines` are their 1-based numbers
 * in the answers file `answers` (its path as given, or "standard input"; ascending), `printed`
 * how many JSON lines were printed in all, e.g. "r1ci: 2 of 15 answer lines of answers.jsonl
 * were not scored (lines 8 and 12): each one's JSON line says why."
 */
export function describeUnscored(lines: readonly number[], printed: number, answers: string): string {
  const named = lines.slice(0, UNSCORED_LINES_NAMED);
  const more = lines.length - named.length;
  const list = named.length === 1 ? `line ${named[0]}` : `lines ${named.slice(0, -1).join(', ')}${more > 0 ? `, ${named.at(-1)}` : ` and ${named.at(-1)}`}${more > 0 ? ` and ${more} more` : ''}`;
  return `r1ci: ${lines.length} of ${counted(printed, 'answer line')} of ${answers} ${lines.length === 1 ? 'was' : 'were'} not scored (${list}): each one's JSON line says why.`;
}

/** Says on `stderr` that the command was cancelled after reading `lines` input lines; returns EXIT.cancelled. */
function cancelled(stderr: { write(text: string): unknown }, lines: number): number {
  stderr.write(`r1ci: cancelled after ${counted(lines, 'input line')}: the lines printed above were scored, the rest were not read.\n`);
  return EXIT.cancelled;
}

/** The longest answers line read (bytes, without its newline): the cap of a dataset file (safeRead.ts). */
export const ANSWER_LINE_CAP_BYTES = DATASET_FILE_CAP_BYTES;

/** One line of byteLines: its bytes, or `tooLong` for a line over the cap (its bytes dropped as they come). */
export type ByteLine = { readonly bytes: Buffer; readonly tooLong?: undefined } | { readonly tooLong: true };

/**
 * The lines of `source` as bytes, without their `\n` (a `\r` before it is left for the caller),
 * so each line's encoding can be checked on its own; the last line needs no `\n`. A line longer
 * than `capBytes` is yielded as `{ tooLong: true }` as soon as it passes the cap, and the rest of
 * it is skipped: memory stays bounded on a file of one endless line (/dev/zero, a binary file).
 */
export async function* byteLines(source: AsyncIterable<Buffer | string>, capBytes = ANSWER_LINE_CAP_BYTES): AsyncGenerator<ByteLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** True while the rest of a line already reported too long is skipped. */
  let skipping = false;
  const add = function* (part: Buffer): Generator<ByteLine> {
    if (skipping) return;
    if (pendingBytes + part.length > capBytes) {
      pending = [];
      pendingBytes = 0;
      skipping = true;
      yield { tooLong: true };
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, from)) {
      yield* add(bytes.subarray(from, nl));
      if (!skipping) yield { bytes: Buffer.concat(pending) };
      pending = [];
      pendingBytes = 0;
      skipping = false;
      from = nl + 1;
    }
    if (from < bytes.length) yield* add(bytes.subarray(from));
  }
  if (pending.length > 0 && !skipping) yield { bytes: Buffer.concat(pending) };
}
