// The line loop every JSONL loader shares: skip blank lines, parse each other line as JSON, and
// report a line that does not parse as a load problem instead of giving up on the file.

import type { LoadProblem } from '../types';

/** Where a JSONL record stands: `line` 1-based in the file; `position` 0-based among record lines. */
export interface JsonlPlace {
  readonly line: number;
  readonly position: number;
}

/**
 * Calls `visit` with each record line's parsed JSON. Blank lines, and with `comments` lines
 * starting with `//`, are skipped; every other line counts for `position`, broken ones too, so
 * fixing a line never renumbers the others. A line that is not JSON is pushed to `problems` as
 * `line N: invalid JSON: <parser message>` and not visited.
 */
export function forEachJsonlRecord(file: string, text: string, problems: LoadProblem[], visit: (raw: unknown, at: JsonlPlace) => void, options: { comments?: boolean } = {}): void {
  let position = -1;
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || (options.comments === true && trimmed.startsWith('//'))) return;
    position++;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    visit(raw, { line: i + 1, position });
  });
}
