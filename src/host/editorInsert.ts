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
 * Replaces the selection of the active (or last focused, still visible) text editor with
 * `code`; with no editor open, opens a new Python document holding it.
 */
export async function insertCodeAtCursor(code: string): Promise<vscode.TextEditor> {
  const visible = vscode.window.visibleTextEditors;
  const editor =
    vscode.window.activeTextEditor ?? (lastTextEditor && visible.includes(lastTextEditor) ? lastTextEditor : undefined) ?? visible.find((e) => e.document.uri.scheme !== 'output');
  if (!editor) {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: code });
    return vscode.window.showTextDocument(document);
  }
  const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  const ok = await shown.edit((edit) => edit.replace(shown.selection, code));
  if (!ok) throw new Error(`Could not insert the code into ${editor.document.uri.toString(true)} (is it read-only?).`);
  return shown;
}
