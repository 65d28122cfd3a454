// "Something about the model server may have changed" (a pull finished, a solve ended, the API
// key changed): the status bar listens and re-checks. A plain emitter, so the places that know
// need no reference to the status bar.
import * as vscode from 'vscode';

const changed = new vscode.EventEmitter<void>();

export const onModelServerMayHaveChanged: vscode.Event<void> = changed.event;

export function notifyModelServerMayHaveChanged(): void {
  changed.fire();
}
