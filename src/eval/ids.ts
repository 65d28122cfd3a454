// Stable question ids, relative to the folder or file the user gave (docs/task-files.md, "Ids").
// `eval` results, `r1ci score` input and the conformance tests all use these ids.

import path from 'node:path';

/**
 * A path relative to `root`, with forward slashes on every platform
 * (`standard_sudoku/sample_0`, `BIG-Bench-Hard/bbh/navigate.json`).
 */
export function relativeId(root: string, full: string): string {
  const rel = path.relative(root, full);
  return (rel === '' ? path.basename(full) : rel).split(path.sep).join('/');
}

/**
 * The id of an item inside a file: `<file path>#<key>`, where key is the record's own id when
 * it has one, else its 0-based position among the file's items (a BBH example, a CSV data row,
 * a JSONL line that holds a record).
 */
export function itemId(fileId: string, key: string | number): string {
  return `${fileId}#${key}`;
}
