// "Insert into notebook": a solution becomes cells of the active .ipynb (or of a new untitled
// one), with the outputs the code really produced during the solve.
import * as vscode from 'vscode';
import type { Trajectory } from '../../trajectory/trajectory';
import { execOutputs, execSucceeded } from './execOutputs';
import { JUPYTER_NOTEBOOK_TYPE, SANDBOX_KERNEL_ID, type SandboxKernel } from './sandboxKernel';
import { solutionCells } from '../../notebook/solutionCells';

export const EXTENSION_ID = 'r1ci.r1ci-vscode';

/** The notebook cells of a solution; images of its results are read only from `privateRoot` (execOutputs). */
export async function solutionCellData(trajectory: Trajectory, privateRoot: string): Promise<vscode.NotebookCellData[]> {
  const cells: vscode.NotebookCellData[] = [];
  for (const planned of solutionCells(trajectory)) {
    if (planned.kind === 'markdown') {
      cells.push(new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, planned.source, 'markdown'));
      continue;
    }
    const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, planned.source, planned.language);
    if (planned.result) {
      cell.outputs = await execOutputs(planned.result, privateRoot);
      cell.executionSummary = { executionOrder: planned.executionOrder, success: execSucceeded(planned.result) };
    }
    cells.push(cell);
  }
  return cells;
}

/** Inserts the solution and returns the notebook it went into; `privateRoot`: where its images may be read (execOutputs). */
export async function insertSolution(trajectory: Trajectory, kernel: SandboxKernel, privateRoot: string): Promise<vscode.NotebookDocument> {
  const cells = await solutionCellData(trajectory, privateRoot);
  const target = activeJupyterEditor();
  if (!target) {
    // Cells go in by an edit, not as the new document's content: VS Code 1.100 loses output
    // bytes on the way through the .ipynb serializer when a notebook is created with outputs.
    const notebook = await openUntitledJupyterNotebook();
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(0, notebook.cellCount), cells)]);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('Could not fill the new notebook with the solution.');
    kernel.prefer(notebook);
    await vscode.window.showNotebookDocument(notebook);
    // A notebook we created has no kernel yet: ours is the one that can run its cells.
    await vscode.commands.executeCommand('notebook.selectKernel', { id: SANDBOX_KERNEL_ID, extension: EXTENSION_ID });
    return notebook;
  }
  const notebook = target.notebook;
  // After the selected cell, else at the end: where the user is looking.
  const selected = target.selections[0];
  const at = selected && !selected.isEmpty ? selected.end : notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(at, cells)]);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not insert the solution into ${notebook.uri.toString(true)}.`);
  // Suggested, not forced: the user may have picked another kernel for this notebook.
  kernel.prefer(notebook);
  // The inserted cells stay selected, so a next solution goes after them, not in their middle.
  const inserted = new vscode.NotebookRange(at, at + cells.length);
  target.selections = [inserted];
  target.revealRange(inserted, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  return notebook;
}

/**
 * Thrown when VS Code has no serializer for .ipynb in this window: its built-in notebook support
 * (vscode.ipynb) did not load — seen in code-server when a folder opened in Restricted Mode is
 * trusted later; Reload Window loads it.
 */
export class NotebookSupportMissing extends Error {
  constructor() {
    super("VS Code's built-in .ipynb support is not loaded in this window, so no notebook can be created. Reload Window loads it.");
    this.name = 'NotebookSupportMissing';
  }
}

async function openUntitledJupyterNotebook(): Promise<vscode.NotebookDocument> {
  try {
    return await vscode.workspace.openNotebookDocument(JUPYTER_NOTEBOOK_TYPE, new vscode.NotebookData([]));
  } catch (error) {
    // VS Code's own words when no serializer is registered for the type.
    if (/no provider registered for view type/i.test(error instanceof Error ? error.message : String(error))) throw new NotebookSupportMissing();
    throw error;
  }
}

function activeJupyterEditor(): vscode.NotebookEditor | undefined {
  const editor = vscode.window.activeNotebookEditor ?? vscode.window.visibleNotebookEditors[0];
  return editor?.notebook.notebookType === JUPYTER_NOTEBOOK_TYPE ? editor : undefined;
}
