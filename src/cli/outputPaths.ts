// An output path named on the command line must never be one of the command's inputs: `--sft`
// onto the task file, `--out` onto the results file being exported, `--curriculum` onto its
// input. Each of those replaced the user's file without a word (the output is written whole).
// Nor an existing folder, which failed only when written, with Node's bare "EISDIR".
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, EXIT } from './cliSupport';

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
