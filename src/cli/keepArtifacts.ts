// `--keep-artifacts DIR` of `solve` and `chat`: the files a cell wrote (a figure, a CSV) live in
// the scratch folder, which is deleted when the command ends. This keeps them: each artifact's
// host-private copy (taken by the sandbox when the cell ended, outside scratch) is copied into
// DIR. Never the scratch path: the sandboxed code controls every name there.
import { constants, lstatSync } from 'node:fs';
import { access, copyFile } from 'node:fs/promises';
import { makeFolders } from '../files/makeFolders';
import { join } from 'node:path';
import type { AgentEvent } from '../agent/events';
import type { Artifact } from '../trajectory/execResult';
import { escapeName } from '../sandbox/terminalText';
import { fileErrorSentence } from '../text/fileErrors';
import { CliError, escapingWriter, EXIT, type TextOut } from './cliSupport';

/** Tries "-2", "-3", … after a name already taken in DIR (a second run, or /reset's new cell numbers). */
const MAX_SUFFIX = 100;

/**
 * A file name for `artifact` of cell `index` (0-based) inside DIR: "cell1-plot.png"; folders of
 * the artifact's relative name are joined with "_", and anything but letters, digits, ".", "-"
 * and "_" becomes "_", so the name stays one plain entry of DIR.
 */
function keptName(index: number, artifact: Pick<Artifact, 'name'>, suffix = ''): string {
  const flat = artifact.name.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_');
  const dot = flat.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [flat.slice(0, dot), flat.slice(dot)] : [flat, ''];
  return `cell${index + 1}-${stem}${suffix}${ext}`;
}

/**
 * Watches agent events and copies each finished cell's artifact copies into `dir` (an absolute
 * path). A copy never replaces a file: a taken name gets a "-2" suffix. Each copy is told on
 * `stderr` ("kept NAME → PATH", escaped); a failure is a warning there, never an error of the run.
 * Call `flush()` before the runner is disposed (disposing removes the host-private copies).
 * `dir` is made now when missing and must be a writable folder, as `--out` is (prepareOutputFolder):
 * call this before any model request, so a bad DIR is said before anything runs, not at the first
 * artifact, when the run is already under way and its files would be lost.
 * @throws CliError EXIT.usage when `dir` exists and is not a folder (a file, a link), or cannot be
 *   made or written (a file on its path, no permission, a read-only disk): a usage error, as for
 *   `--out` (prepareOutputFolder), since nothing ran and the command line is what has to change.
 */
export async function artifactKeeper(dir: string, stderr: TextOut): Promise<{ onEvent(e: AgentEvent): void; flush(): Promise<void> }> {
  const notAFolder = new CliError(`--keep-artifacts ${dir} exists and is not a folder.`, EXIT.usage);
  let made: boolean;
  try {
    const existing = lstatSync(dir, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) throw notAFolder;
    await makeFolders(dir);
    await access(dir, constants.W_OK);
    // mkdir passes when a link to a folder was put there meanwhile: never copied through a link.
    made = lstatSync(dir).isDirectory();
  } catch (e) {
    if (e === notAFolder) throw e;
    throw new CliError(`--keep-artifacts ${dir}: ${fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e))}; nothing was run.`, EXIT.usage);
  }
  if (!made) throw notAFolder;
  const say = escapingWriter(stderr);
  const pending: Promise<void>[] = [];
  const keep = async (index: number, artifact: Artifact, source: string): Promise<void> => {
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const target = join(dir, keptName(index, artifact, n === 1 ? '' : `-${n}`));
      try {
        // COPYFILE_EXCL: the target is created new (a link or file already there is an error, not followed).
        await copyFile(source, target, constants.COPYFILE_EXCL);
        say.write(`r1ci: kept ${escapeName(artifact.name)} → ${escapeName(target)}\n`);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new Error(`names up to -${MAX_SUFFIX} are taken in ${dir}`);
  };
  return {
    onEvent(e) {
      if (e.type !== 'exec-result') return;
      for (const artifact of e.result.artifacts) {
        if (artifact.path === undefined) {
          say.write(`r1ci: ${escapeName(artifact.name)} not kept: ${artifact.notCopied ?? 'no copy was taken'}\n`);
          continue;
        }
        pending.push(
          keep(e.index, artifact, artifact.path).catch((error: unknown) =>
            say.write(`r1ci: warning: ${escapeName(artifact.name)} not kept: ${fileErrorSentence(error) ?? (error instanceof Error ? error.message : String(error))}\n`),
          ),
        );
      }
    },
    async flush() {
      await Promise.all(pending.splice(0));
    },
  };
}
