// Puts a solution's code into the editor the user was working in. Focus usually sits in the
// solve panel (a webview) when they ask, and then VS Code has no active text editor, so the
// last text editor that had focus is remembered.
import * as vscode from 'vscode';

let lastTextEditor: vscode.TextEditor | undefined;

/** Remembers the last focused text editor; registered once at activation. */
export function trackLastTextEditor(): vscode.Disposable {
  lastTextEditor = vscode.window.activeTextEditor;
  return vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) lastTextEditor = editor;
  });
}

/**
 * Replaces the selection of the active (or last focused) text editor with `code`; with no
 * editor to go back to, opens a new Python document holding it.
 */
export async function insertCodeAtCursor(code: string): Promise<vscode.TextEditor> {
  const editor = vscode.window.activeTextEditor ?? usable(lastTextEditor) ?? vscode.window.visibleTextEditors.find((e) => usable(e));
  if (!editor) {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: code });
    return vscode.window.showTextDocument(document);
  }
  // The editor may be hidden behind the panel: bring it back, at the selection it had.
  const selection = editor.selection;
  const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.Active, selection });
  const ok = await shown.edit((edit) => edit.replace(shown.selection, code));
  if (!ok) throw new Error(`Could not insert the code into ${editor.document.uri.toString(true)} (is it read-only?).`);
  return shown;
}

/** An editor whose document is still open and is a file the user edits (not an output pane). */
function usable(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  return editor && !editor.document.isClosed && editor.document.uri.scheme !== 'output' ? editor : undefined;
}
