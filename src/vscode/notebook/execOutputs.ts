// One sandbox result → notebook cell outputs, shared by "Insert into notebook" (results of the
// solve) and the sandboxed kernel (results of running a cell now), so both look the same and
// both survive a save to .ipynb (stdout/stderr become stream outputs, errors error outputs).
import * as vscode from 'vscode';
import { readArtifactCopy } from '../../sandbox/artifacts';
import type { Artifact, ExecResult } from '../../sandbox/types';
import { SVG_PICTURE_MIME, svgPictureHtml } from '../../notebook/svgPicture';

/**
 * Mime types VS Code's built-in renderers draw as images. An SVG is not one of them (that
 * renderer runs its scripts): it goes in as an <img> of itself (svgPicture.ts).
 */
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml']);
/** Bigger pictures are listed, not embedded: they would bloat the .ipynb. */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export function execSucceeded(result: ExecResult): boolean {
  return result.exitCode === 0 && result.killed === undefined;
}

export async function execOutputs(result: ExecResult): Promise<vscode.NotebookCellOutput[]> {
  const outputs: vscode.NotebookCellOutput[] = [];
  if (result.notice) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(`${result.notice}\n`)]));
  if (result.stdout) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stdout(result.stdout)]));
  if (execSucceeded(result)) {
    if (result.stderr) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(result.stderr)]));
  } else {
    outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(failureOf(result))]));
  }
  const listed: Artifact[] = [];
  for (const artifact of result.artifacts) {
    const image = await imageOutput(artifact);
    if (image) outputs.push(image);
    else listed.push(artifact);
  }
  if (listed.length > 0) {
    const lines = listed.map((a) => `${a.name} (${a.mimeType}, ${a.sizeBytes} bytes)${a.path ? `: ${a.path}` : ', in the scratch folder (too large to copy)'}`);
    outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(`Files written:\n${lines.join('\n')}`, 'text/plain')]));
  }
  return outputs;
}

/** Python's last traceback line ("NameError: name 'x' is not defined") names the error. */
function failureOf(result: ExecResult): Error {
  const stderr = result.stderr.trimEnd();
  const last =
    stderr
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? '';
  const match = /^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning)?):?\s*(.*)$/.exec(last);
  const error = new Error();
  if (result.killMessage) {
    error.name = result.killed === 'cancelled' ? 'Interrupted' : 'Stopped';
    error.message = `The sandbox ${result.killMessage}.`;
  } else if (match && /^[A-Z]/.test(match[1] ?? '')) {
    error.name = match[1] ?? 'Error';
    error.message = match[2] ?? '';
  } else {
    error.name = 'Error';
    error.message = `The code exited with status ${result.exitCode ?? 'unknown'}.`;
  }
  // The renderer shows the stack (the real traceback) when there is one.
  const tail = result.killMessage ? `${stderr ? '\n' : ''}${error.name}: ${error.message}` : '';
  error.stack = stderr || tail ? `${stderr}${tail}` : `${error.name}: ${error.message}`;
  return error;
}

async function imageOutput(artifact: Artifact): Promise<vscode.NotebookCellOutput | undefined> {
  if (!IMAGE_MIMES.has(artifact.mimeType) || !artifact.path || artifact.sizeBytes > MAX_IMAGE_BYTES) return undefined;
  // Only the host-private copy is read, without following links, up to the cap. When it is
  // gone (the conversation ended), the file is listed instead of failing the insert.
  const bytes = await readArtifactCopy(artifact.path, MAX_IMAGE_BYTES).catch(() => undefined);
  if (!bytes) return undefined;
  const item = artifact.mimeType === 'image/svg+xml' ? vscode.NotebookCellOutputItem.text(svgPictureHtml(bytes, artifact.name), SVG_PICTURE_MIME) : new vscode.NotebookCellOutputItem(bytes, artifact.mimeType);
  return new vscode.NotebookCellOutput([item], { r1ciArtifact: artifact.name });
}
