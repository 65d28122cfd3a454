// Exit codes, option parsing and terminal output shared by the CLI's commands.
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeControls } from '../sandbox/terminalText';
import type { LoadResult } from '../eval/types';
import { counted } from '../text/counted';

export const EXIT = {
  ok: 0,
  /** The run failed: server down, model missing, sandbox broken, bad input file. */
  failure: 1,
  usage: 2,
  /** The model answered nothing. */
  noAnswer: 3,
  /** Cancelled with Ctrl-C (128 + SIGINT); SIGTERM and SIGHUP give 143 and 129 (signalExitCode). */
  cancelled: 130,
} as const;

/** The signals that stop a command cleanly (cancel, remove scratch folders): Ctrl-C, kill, the terminal closing. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const satisfies readonly NodeJS.Signals[];

/**
 * What stops a command cleanly: one of STOP_SIGNALS, or SIGPIPE for a reader of stdout that went
 * away (`onStdoutGone`). SIGPIPE itself is never listened for: Node ignores it, so a write to a
 * closed pipe fails with EPIPE instead of killing the process, and a listener would undo that.
 */
export type StopCause = (typeof STOP_SIGNALS)[number] | 'SIGPIPE';

/**
 * Calls `stop` once when a write to `stdout` fails (EPIPE: its reader is gone, as with `| head`
 * or a pager quit early; any other error: it cannot be written either), instead of an unhandled
 * 'error' that kills the process with a stack trace and leaves its scratch folders behind. Later
 * write errors are ignored: there is nobody to read them. `stop` is told the cause: SIGHUP when
 * the write failed with EIO (a terminal that was closed, whose SIGHUP may not have been handled
 * yet), SIGPIPE otherwise.
 *
 * `stop` is called only after the event loop has polled once more: a signal the kernel delivered
 * before the write failed (the terminal's SIGHUP, then its pipe gone) waits in libuv's signal pipe
 * until the next poll phase, and its handler must run first, so that the first cause is the one
 * reported (129, not 141). Two setImmediate hops always span one poll phase.
 */
export function onStdoutGone(stdout: NodeJS.WritableStream, stop: (cause: StopCause) => void): void {
  let gone = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (gone) return;
    gone = true;
    const cause = error.code === 'EIO' ? 'SIGHUP' : 'SIGPIPE';
    setImmediate(() => setImmediate(() => stop(cause)));
  });
}

/** The shell's exit code for a process stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGPIPE 141). */
export function signalExitCode(signal: StopCause): number {
  return 128 + constants.signals[signal];
}

/** An error whose message is shown as is, with the given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * A usage error (exit 2) for a command line of the wrong shape (no question, two task folders, an
 * unknown command): `message`, then one line with the synopsis (the first line of `usage`, e.g.
 * "Usage: r1ci eval <file-or-folder> [options]") and where the options are listed. Not the whole
 * help: the error would scroll away above 40 lines of options (`command`: "eval"; "" for r1ci itself).
 */
export function usageError(message: string, usage: string, command: string): CliError {
  const synopsis = usage.split('\n', 1)[0] ?? '';
  const help = command === '' ? 'r1ci --help lists the commands' : `r1ci ${command} --help lists the options`;
  return new CliError(`${message}\n${synopsis}  (${help})`, EXIT.usage);
}

/**
 * The error of `eval` / `score` when `target` held no question to run (exit 1): it points at what
 * was printed above instead (load problems, unsupported questions, skipped files), and with none
 * of those says what r1ci looks for, so an empty folder or one of an unknown layout is no dead end;
 * a task file that loaded without a problem but holds no question (empty, blank lines, `[]`, a CSV
 * header alone) is said to be empty, not to be no task file.
 */
export function noQuestionsFound(target: string, loaded: Pick<LoadResult, 'problems' | 'unsupported' | 'skipped'>): CliError {
  const above = [
    loaded.problems.length > 0 ? counted(loaded.problems.length, 'problem') : '',
    (loaded.unsupported ?? []).length > 0 ? counted((loaded.unsupported ?? []).length, 'unsupported question') : '',
    (loaded.skipped ?? []).length > 0 ? `${counted((loaded.skipped ?? []).length, 'file')} skipped` : '',
  ].filter((part) => part !== '');
  const file = statSync(target, { throwIfNoEntry: false })?.isFile() === true;
  const why =
    above.length > 0
      ? ` (${above.join(', ')}: see above)`
      : file
        ? ': the task file is empty (no line or item holds a question; docs/task-files.md lists the fields)'
        : ': no task file (.jsonl, .json, .csv) or question folder in a layout r1ci reads (docs/task-files.md, "What can be loaded")';
  return new CliError(`No questions found in ${target}${why}.`, EXIT.failure);
}

/**
 * A flag's number written in decimal ("16", "-1", "0.5"), or NaN: Number() would also take
 * "0x10", "1e3", " 16 " and "" (as 0), which a user typing a whole number does not mean.
 */
export function decimal(text: string): number {
  return /^-?(\d+(\.\d+)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * A whole-number flag without a setting behind it (e.g. mcp's --max-sessions); settings' flags: settingFlags.ts.
 * @throws CliError (usage) when the value is not a whole number from `min` to `max` (no upper bound when `max` is absent).
 */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max?: number): number {
  if (raw === undefined) return fallback;
  const n = decimal(raw);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new CliError(`${name} must be a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`} (got "${raw}").`, EXIT.usage);
  }
  return n;
}

/** A value that is a negative number ("-5", "-0.5"): a flag's value, not an option, after a flag that takes one. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * node:util parseArgs over `config.args` with the CLI's usage errors: a negative number after a
 * flag that takes a value is that flag's value (so `--seed -1` is refused by the flag's range,
 * not as an unknown option), and parseArgs' own errors become a CliError (exit 2) that names
 * the flag and points at `r1ci <command> --help`; so is an option given an empty value.
 */
export function parseCliArgs<T extends ParseArgsConfig & { args: string[] }>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  const args: string[] = [];
  const given = config.args;
  for (let i = 0; i < given.length; i++) {
    const arg = given[i] ?? '';
    const next = given[i + 1];
    if (arg === '--') {
      args.push(...given.slice(i));
      break;
    }
    const option = arg.startsWith('--') && !arg.includes('=') ? config.options?.[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({ ...config, args });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!(error instanceof TypeError) || typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    // node quotes the option as configured: '--json', '--out <value>', '-h, --help' (the long one is named).
    const flag = /'(?:-[^-' ], )?(-{1,2}[^' =,]+)/.exec(error.message)?.[1] ?? 'an option';
    const help = `(r1ci ${command} --help lists the options)`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      // node's own quote of it: the first two characters of a short one, even "- " (which `flag` cannot match).
      const quoted = /^Unknown option '([^']+)'/.exec(error.message)?.[1] ?? flag;
      const text = config.allowPositionals && !NO_ARGUMENTS.has(command) ? dashedText(given, quoted) : undefined;
      if (text !== undefined) throw new CliError(`"${text}" starts with "-", so it was read as an option: put it after -- (r1ci ${command} [options] -- "${text}").`, EXIT.usage);
      const meant = flag.startsWith('--') ? nearestOption(flag.slice(2), Object.keys(config.options ?? {})) : undefined;
      throw new CliError(`unknown option ${flag}${meant === undefined ? '' : `: did you mean --${meant}?`} ${help}.`, EXIT.usage);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new CliError(`${command} takes no arguments besides its options ${help}.`, EXIT.usage);
    if (/does not take an argument/.test(error.message)) throw new CliError(`${flag} takes no value ${help}.`, EXIT.usage);
    if (/ambiguous/.test(error.message)) throw new CliError(`${flag} needs a value; for one that starts with "-", write ${flag}=VALUE.`, EXIT.usage);
    throw new CliError(`${flag} needs a value ${help}.`, EXIT.usage);
  }
  // An empty value (`--out ""`, an unset shell variable) is never meant: taken as given it would
  // be dropped (`--out ""` wrote to the default file) or resolve to the current folder (`--keep-artifacts ""`).
  const values: Readonly<Record<string, unknown>> = parsed.values;
  for (const [name, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) throw new CliError(`--${name} must be a non-empty string (got "").`, EXIT.usage);
  }
  // An empty argument where a path goes (`r1ci eval "$TASKS"` with TASKS unset) would resolve to the current folder.
  if ((parsed.positionals as readonly string[]).includes('')) throw new CliError(`an argument is empty ("") (r1ci ${command} --help lists what ${command} takes).`, EXIT.usage);
  return parsed;
}

/** Commands that parse positionals only to refuse them with their own message: no "put it after --" for them. */
const NO_ARGUMENTS: ReadonlySet<string> = new Set(['chat', 'mcp']);

/**
 * The argument of `given` (before any `--`) behind parseArgs' unknown option `flag` (as node
 * quotes it: a short option's first two characters, '-5') when it is
 * text rather than a mistyped option: it holds a space or starts with "-" and a digit or a point
 * (a question such as "-5 plus 3?", a negative number), so it was meant as a positional argument.
 * undefined for anything that looks like an option (`-x`, `--jsn`).
 */
function dashedText(given: readonly string[], flag: string): string | undefined {
  const end = given.indexOf('--');
  const before = end === -1 ? given : given.slice(0, end);
  return before.find((arg) => arg.startsWith(flag) && !arg.startsWith('--') && (/\s/.test(arg) || /^-[\d.]/.test(arg)));
}

/**
 * The one option of `names` that `typed` (a long option's name, without dashes; or a command's
 * name, against the commands) is a slip of: at
 * most two edits away (Levenshtein distance: a letter left out, doubled, swapped, mistyped),
 * closer than every other; undefined when none is, or two are as close (`--concurency` →
 * `concurrency`; `--bogus` → none).
 */
export function nearestOption(typed: string, names: readonly string[]): string | undefined {
  const scored = names.map((name) => ({ name, d: editDistance(typed, name) })).filter((c) => c.d <= 2);
  const best = Math.min(...scored.map((c) => c.d));
  const nearest = scored.filter((c) => c.d === best);
  return nearest.length === 1 ? nearest[0]?.name : undefined;
}

/** Levenshtein distance of `a` and `b` (insertions, deletions, substitutions; each counts 1). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Two flags that must not be given together: `flag` with `other` (names without dashes), and why (a clause). */
export interface FlagConflict {
  readonly flag: string;
  readonly other: string;
  readonly why: string;
}

/**
 * The conflicts of `flag` with each of `others`, all for the same reason `why`: e.g. --text-only
 * with every flag that only says how code is run.
 */
export function conflictsOf(flag: string, others: readonly string[], why: string): FlagConflict[] {
  return others.map((other) => ({ flag, other, why }));
}

/**
 * Throws a usage error (exit 2) for the first of `conflicts` whose two flags are both given in
 * `values` (node:util parseArgs values; a flag counts as given when its value is neither
 * undefined nor false): a combination that contradicts itself, or where one flag would be
 * silently ignored. The message is one line naming both flags and why, and points at
 * `r1ci <command> --help`. Call it right after parsing, before anything runs.
 * @throws CliError EXIT.usage
 */
export function refuseConflictingFlags(command: string, values: Readonly<Record<string, unknown>>, conflicts: readonly FlagConflict[]): void {
  const given = (name: string): boolean => values[name] !== undefined && values[name] !== false;
  const hit = conflicts.find((c) => given(c.flag) && given(c.other));
  if (hit) throw new CliError(`--${hit.flag} and --${hit.other} cannot be given together: ${hit.why} (r1ci ${command} --help lists the options).`, EXIT.usage);
}

/** Where human-readable lines go: the `write` of a process stream. */
export interface TextOut {
  write(text: string): unknown;
}

/**
 * `stream` for human-readable lines: every control character, escape sequence and bidi override
 * in what is written is shown escaped (terminalText.ts), so task names, ids, file names and
 * parse errors quoting a dataset line never act on the terminal. Not for data on stdout (JSON,
 * JSONL exports): they go out through jsonForTerminal / jsonTextForTerminal, which escape
 * inside the JSON strings; a second pass here would change the data.
 */
export function escapingWriter(stream: TextOut): { write(text: string): void } {
  return { write: (text) => void stream.write(escapeControls(text)) };
}
