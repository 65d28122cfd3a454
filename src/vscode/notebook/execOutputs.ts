// One sandbox result → notebook cell outputs, shared by "Insert into notebook" (results of the
// solve) and the sandboxed kernel (results of running a cell now), so both look the same and
// both survive a save to .ipynb (stdout/stderr become stream outputs, errors error outputs).
import * as vscode from 'vscode';
import { readArtifactCopy } from '../../sandbox/artifacts';
import type { Artifact, ExecResult } from '../../sandbox/types';
import { failureOf } from '../../notebook/cellFailure';
import { escapeControls, escapeName } from '../../sandbox/terminalText';
import { DRAWN_IMAGE_TYPES, oversizedImage } from '../../sandbox/imageSize';

/**
 * Pictures embedded as image outputs: those the views draw (DRAWN_IMAGE_TYPES: never an SVG,
 * whose drawing cost nothing bounds; VS Code's image/svg+xml renderer would also run its scripts)
 * that VS Code's built-in renderers draw (PNG, JPEG, GIF). Others are listed.
 */
const NOTEBOOK_IMAGE_TYPES: ReadonlySet<string> = new Set([...DRAWN_IMAGE_TYPES].filter((type) => type !== 'image/webp'));
/** Bigger pictures are listed, not embedded: they would bloat the .ipynb. */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export function execSucceeded(result: ExecResult): boolean {
  return result.exitCode === 0 && result.killed === undefined;
}

/**
 * The outputs of one sandbox result. The program's text is shown as the views show it: the
 * sandbox already removed escape sequences and collapsed redraws; control characters and bidi
 * overrides left in it (and in file names the code chose) are shown escaped (`\u202e`), since
 * the notebook's renderer would act on them (terminalText.ts). Images are read only from
 * `privateRoot` (the runners' host-private copies): a trajectory handed to "Insert into
 * Notebook" may name any file of the host as an artifact.
 */
export async function execOutputs(raw: ExecResult, privateRoot: string): Promise<vscode.NotebookCellOutput[]> {
  const result: ExecResult = { ...raw, stdout: escapeControls(raw.stdout), stderr: escapeControls(raw.stderr), ...(raw.notice ? { notice: escapeControls(raw.notice) } : {}) };
  const outputs: vscode.NotebookCellOutput[] = [];
  if (result.notice) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(`${result.notice}\n`)]));
  if (result.stdout) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stdout(result.stdout)]));
  // The traceback is a stderr stream, shown as text; the error output after it only names the
  // error (cellFailure.ts: VS Code's renderer would build HTML from a stack).
  if (result.stderr) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(result.stderr)]));
  if (!execSucceeded(result)) outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(failureOf(result))]));
  const listed: Artifact[] = [];
  for (const artifact of result.artifacts) {
    const image = await imageOutput(artifact, privateRoot);
    if (image) outputs.push(image);
    else listed.push(artifact);
  }
  if (listed.length > 0) {
    const lines = listed.map((a) => `${escapeName(a.name)} (${a.mimeType}, ${a.sizeBytes} bytes)${a.path ? `: ${escapeName(a.path)}` : ', in the scratch folder (too large to copy)'}`);
    outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(`Files written:\n${lines.join('\n')}`, 'text/plain')]));
  }
  return outputs;
}

async function imageOutput(artifact: Artifact, privateRoot: string): Promise<vscode.NotebookCellOutput | undefined> {
  if (!NOTEBOOK_IMAGE_TYPES.has(artifact.mimeType) || !artifact.path || artifact.sizeBytes > MAX_IMAGE_BYTES) return undefined;
  // Only the host-private copy is read, without following links, up to the cap. When it is
  // gone (the conversation ended), the file is listed instead of failing the insert.
  const bytes = await readArtifactCopy(artifact.path, MAX_IMAGE_BYTES, privateRoot).catch(() => undefined);
  // A header claiming GiBs of pixels would make the notebook's renderer allocate them: listed instead.
  if (!bytes || oversizedImage(bytes) !== undefined) return undefined;
  return new vscode.NotebookCellOutput([new vscode.NotebookCellOutputItem(bytes, artifact.mimeType)], { r1ciArtifact: artifact.name });
}
