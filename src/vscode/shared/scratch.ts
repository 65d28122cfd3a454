// Where a conversation's code runs: a scratch folder inside the extension's per-workspace
// storage (outside the workspace itself, so model code never writes into the user's files).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { makeFolders } from '../../files/makeFolders';

export function scratchRoot(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'scratch');
}

/**
 * The host-private root: each runner's full outputs and artifact copies live in a 0700
 * folder below it. It is never mounted into the sandbox; webviews may load images only
 * from here (copies), never from scratch.
 */
export function privateRoot(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'private');
}

export async function newScratchFolder(context: vscode.ExtensionContext): Promise<vscode.Uri> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = vscode.Uri.joinPath(scratchRoot(context), `${stamp}-${randomBytes(3).toString('hex')}`);
  await makeFolders(dir.fsPath);
  return dir;
}
