// An output path named on the command line must never be one of the command's inputs: `--sft`
// onto the task file, `--out` onto the results file being exported, `--curriculum` onto its
// input. Each of those replaced the user's file without a word (the output is written whole).
// Nor an existing folder, which failed only when written, with Node's bare "EISDIR". Nor a file
// that holds anything but an earlier export (`--sft` onto another task file, a results file,
// notes): an export is written whole, so that file would be gone. And the results file `eval`
// appends to must hold results: a task or export file there got a schema error per field.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { makeFolders } from '../files/makeFolders';
import { dirname, join, resolve } from 'node:path';
import { isGsmHardRecord } from '../eval/loaders/otherBenchmarks';
import { ownOutputKind, isTrainingExportRecord } from '../eval/loaders/ownOutputs';
import { isReasoningGymItem } from '../eval/loaders/reasoningGym';
import { taskFileRecordSchema } from '../eval/loaders/taskfile';
import { resultRecordSchema } from '../eval/results';
import { fileErrorSentence } from '../text/fileErrors';
import { CliError, EXIT } from './cliSupport';

/** Longest first line read to tell what a file holds (bytes); an export line is at most a few MiB. */
const FIRST_LINE_CAP_BYTES = 64 * 1024 ** 2;

/**
 * The first non-blank line of `file`: `absent` when there is no such regular file (or it is a
 * link, or cannot be opened: the write then says why), `empty` when it holds only blank lines, else
 * `{ record }` with the line parsed as JSON (`record` undefined when it is not JSON or longer
 * than FIRST_LINE_CAP_BYTES). Never throws.
 */
export function firstRecord(file: string): 'absent' | 'empty' | { readonly record: unknown } {
  let fd: number;
  try {
    // Never through a link, never blocking on a FIFO: those are refused by the write, with its own words.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return 'absent';
  }
  try {
    if (!fstatSync(fd).isFile()) return 'absent';
    let line: Buffer[] = []; // the current line's bytes so far
    let size = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1 && nl < n; nl = chunk.indexOf(10, from)) {
        line.push(Buffer.from(chunk.subarray(from, nl)));
        const text = Buffer.concat(line).toString('utf8');
        if (text.replace(/^\uFEFF/, '').trim() !== '') return { record: parseOrUndefined(text) };
        line = [];
        size = 0;
        from = nl + 1;
      }
      if (n === 0) break;
      line.push(Buffer.from(chunk.subarray(from, n)));
      size += n - from;
      if (size > FIRST_LINE_CAP_BYTES) return { record: undefined };
    }
    const last = Buffer.concat(line).toString('utf8');
    return last.replace(/^\uFEFF/, '').trim() === '' ? 'empty' : { record: parseOrUndefined(last) };
  } catch {
    return { record: undefined };
  } finally {
    closeSync(fd);
  }
}

function parseOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line.replace(/^\uFEFF/, '').trim()) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What a file whose first record is `first` holds, in words ("a task file", "an r1ci results
 * file (written by `r1ci eval`)", "SFT data, chat format …"), or undefined when it is none of the
 * files r1ci reads or writes.
 */
export function describeFileKind(first: unknown): string | undefined {
  const own = ownOutputKind(first);
  if (own !== undefined) return own;
  return taskFileRecordSchema.safeParse(first).success || isReasoningGymItem(first) || isGsmHardRecord(first) ? 'a task file' : undefined;
}

/**
 * Throws a usage error (exit 2) when `output` (given with `flag`, written whole: an export) is an
 * existing file that holds something other than an earlier training export: tasks, results,
 * answers, or anything else. An absent or empty file, or an earlier export, passes (it is replaced).
 * @throws CliError EXIT.usage, before anything is written.
 */
export function refuseReplacingData(flag: string, output: string | undefined): void {
  if (output === undefined) return;
  const first = firstRecord(output);
  if (first === 'absent' || first === 'empty' || isTrainingExportRecord(first.record)) return;
  const kind = first.record === undefined ? 'not an r1ci export (its first line is not JSON)' : `${describeFileKind(first.record) ?? 'a file of JSON lines'}, not an r1ci export`;
  throw new CliError(`${flag} ${output} is ${kind}: writing there would replace it. Name another file (an earlier export is replaced).`, EXIT.usage);
}

/**
 * Throws a usage error (exit 2) when `resultsFile` (where `eval` appends results; `flag` names
 * how it was given) exists and its first line is JSON but not a result: a task file, an export,
 * answers. A first line that is not JSON is left to the resume's own reading (a run killed
 * while writing its first line leaves a cut line, which the resume repairs).
 * @throws CliError EXIT.usage, before anything is written.
 */
export function refuseResultsFileOfOtherKind(flag: string, resultsFile: string): void {
  const first = firstRecord(resultsFile);
  if (first === 'absent' || first === 'empty' || first.record === undefined || resultRecordSchema.safeParse(first.record).success) return;
  const kind = describeFileKind(first.record) ?? 'a file of JSON lines that are not r1ci results';
  throw new CliError(`${flag} ${resultsFile} is ${kind}, not an r1ci results file; eval appends its results there. Name another results file with --out FILE.`, EXIT.usage);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // absent (it will be created) or unreadable (the write says why)
  }
}

/** True when `a` and `b` name one file: the same resolved path, or (both existing) the same device and inode (a link, a hard link). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist yet: not the same file
  }
}

/**
 * Throws a usage error (exit 2) when `output` (given with `flag`) is one of `inputs`, described by
 * `what` each ("the tasks", "the results file"), or an existing folder (which failed later with
 * Node's bare "EISDIR"). `output` undefined (standard output) passes.
 * @throws CliError EXIT.usage, before anything is read or written.
 */
export function refuseOutputOverInput(flag: string, output: string | undefined, inputs: ReadonlyArray<{ readonly file: string; readonly what: string }>): void {
  if (output === undefined) return;
  if (isFolder(output)) throw new CliError(`${flag} ${output} is a folder: name a file (e.g. ${join(output, 'out.jsonl')}).`, EXIT.usage);
  const hit = inputs.find((input) => sameFile(output, input.file));
  if (hit) throw new CliError(`${flag} ${output} is ${hit.what}: writing there would replace it. Name another file.`, EXIT.usage);
}

/**
 * Checks, before any work or any other output, that the folder `output` is to be written in can
 * take it: made first when `make` (as `eval --out` makes its own), else it must exist. A command
 * that writes two files (or runs for an hour first) must not fail on the second after the first
 * is out. Throws CliError naming `flag` and saying `nothingDone` ("nothing was run"), with exit 2
 * (a usage error), as for every other output path the command line names that cannot be used
 * (a folder, an input, a file of data): the command line is what has to change, and nothing ran.
 */
export async function prepareOutputFolder(flag: string, output: string | undefined, nothingDone: string, make: boolean): Promise<void> {
  if (output === undefined) return;
  const folder = dirname(resolve(output));
  try {
    if (make) await makeFolders(folder);
    await access(folder, constants.W_OK);
  } catch (e) {
    throw new CliError(`${flag} ${output}: ${fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e))}; ${nothingDone}.`, EXIT.usage);
  }
  // access() passes a writable file as well: the write would then fail with ENOTDIR.
  if (!statSync(folder).isDirectory()) throw new CliError(`${flag} ${output}: cannot write in ${folder}: a file, not a folder; ${nothingDone}.`, EXIT.usage);
}
