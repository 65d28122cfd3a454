// What the Testing view shows for task files and their questions. Every part comes from the
// workspace (a file or folder name of a cloned dataset) or from a task file (task names, ids,
// questions), and the Testing tree renders `$(name)` as an icon: all of it goes through
// plainLabel (uiText.ts), controls and bidi overrides shown escaped. No `vscode` here: unit-tested.
import { basename } from 'node:path';
import { plainLabel } from '../shared/uiText';

/** A task file's or folder's item: its name as the label, its workspace-relative path as the description. */
export function rootItemText(target: string, relativePath: string): { readonly label: string; readonly description: string } {
  return { label: plainLabel(basename(target)), description: plainLabel(relativePath) };
}

/**
 * A question's label under its task: the last part of its id (docs/task-files.md, "Ids"):
 * `bbh/navigate.json#3` → `navigate.json#3`, `symbench/standard_sudoku/sample_0` → `sample_0`.
 */
export function questionLabel(id: string): string {
  const hash = id.indexOf('#');
  const file = hash < 0 ? id : id.slice(0, hash);
  return plainLabel(file.slice(file.lastIndexOf('/') + 1) + (hash < 0 ? '' : id.slice(hash)));
}
