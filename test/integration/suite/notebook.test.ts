// Notebook insert and the sandboxed kernel inside the real extension host: solves go through the
// scripted model server and real Python; the notebook is VS Code's own .ipynb notebook; cells are
// executed through VS Code's notebook commands, which call our controller.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { EXTENSION_ID, repoRoot, setSetting } from '../extensionHost';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { symbenchQuestion } from '../../support/sharedTasks';

const KERNEL_ID = 'r1ci-sandboxed-python';
const STDOUT = 'application/vnd.code.notebook.stdout';
const STDERR = 'application/vnd.code.notebook.stderr';
const ERROR = 'application/vnd.code.notebook.error';

async function solve(question: string): Promise<Trajectory> {
  const t = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question });
  assert.ok(t, 'r1ci.solve returned nothing');
  assert.equal(t.error, undefined, t.error);
  return t;
}

async function waitUntil<T>(fn: () => T | undefined, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** Every output item of a cell as [mime, text]. */
function items(cell: vscode.NotebookCell): Array<[string, string]> {
  return cell.outputs.flatMap((o) => o.items.map((i): [string, string] => [i.mime, i.mime.startsWith('image/') ? '' : text(i.data)]));
}

function stdoutOf(cell: vscode.NotebookCell): string {
  return items(cell)
    .filter(([mime]) => mime === STDOUT)
    .map(([, t]) => t)
    .join('');
}

function stderrOf(cell: vscode.NotebookCell): string {
  return items(cell)
    .filter(([mime]) => mime === STDERR)
    .map(([, t]) => t)
    .join('');
}

function errorOf(cell: vscode.NotebookCell): { name: string; message: string; stack?: string } | undefined {
  const item = items(cell).find(([mime]) => mime === ERROR);
  return item ? (JSON.parse(item[1]) as { name: string; message: string; stack?: string }) : undefined;
}

async function newNotebook(sources: string[]): Promise<vscode.NotebookEditor> {
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, 'python')));
  const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
  const editor = await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { id: KERNEL_ID, extension: EXTENSION_ID });
  return editor;
}

/** Runs cells [start, end) through VS Code's own command and waits until each has finished. */
async function execute(notebook: vscode.NotebookDocument, start: number, end = start + 1): Promise<void> {
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start, end }], document: notebook.uri });
  for (let i = start; i < end; i++) await waitUntil(() => notebook.cellAt(i).executionSummary?.success, `cell ${i} to finish`);
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Insert into notebook (real extension host, scripted model, real Python)', function () {
  this.timeout(180_000);

  before(async () => {
    assert.ok(process.env['R1CI_TEST_MODEL_URL'], 'R1CI_TEST_MODEL_URL is not set: the runner starts the scripted model server');
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
    await setSetting('model', 'qwen2.5-coder:7b');
    await setSetting('sandbox.approval', 'auto');
  });

  after(async () => {
    for (const key of ['model', 'sandbox.approval']) await setSetting(key, undefined);
    await closeAll();
  });

  it('turns a two-call solution into markdown and python cells carrying the real outputs', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const t = await solve(symbenchQuestion(repoRoot(), 'statistical_counting_dataset', 0));
    assert.equal(t.codeCalls, 2);
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('r1ci.openInNotebook', t);
    assert.ok(uri, 'r1ci.openInNotebook returned no notebook');
    const notebook = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
    assert.ok(notebook);
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    assert.equal(vscode.window.activeNotebookEditor?.notebook.uri.toString(), uri.toString());

    const cells = notebook.getCells();
    assert.deepEqual(
      cells.map((c) => (c.kind === vscode.NotebookCellKind.Code ? `code:${c.document.languageId}` : 'markdown')),
      ['markdown', 'markdown', 'code:python', 'markdown', 'code:python', 'markdown', 'markdown'],
    );
    assert.match(cells[0]!.document.getText(), /total score of the string BBAAB\?/);
    assert.match(cells[1]!.document.getText(), /^First I split the string into runs/);
    assert.ok(!cells[1]!.document.getText().includes('```'), 'the code fence leaked into the reasoning cell');
    const [first, second] = [cells[2]!, cells[4]!];
    assert.equal(first.document.getText(), t.turns[0]?.cell?.code.trimEnd());
    // The outputs are the ones the real execution printed during the solve.
    assert.equal(stdoutOf(first), "[('B', 2), ('A', 2), ('B', 1)]\n");
    assert.equal(stdoutOf(first), t.turns[0]?.cell?.result?.stdout);
    assert.equal(stdoutOf(second), '3\n');
    assert.deepEqual([first.executionSummary?.executionOrder, first.executionSummary?.success, second.executionSummary?.executionOrder, second.executionSummary?.success], [1, true, 2, true]);
    assert.match(cells[5]!.document.getText(), /The total score is 3\./);
    assert.equal(cells[6]!.document.getText(), '## Answer\n\n**3**');
  });

  it('without an argument inserts the last solve into the open notebook, failures as errors', async () => {
    const editor = vscode.window.activeNotebookEditor;
    assert.ok(editor, 'the notebook of the previous test is not open');
    const before = editor.notebook.cellCount;
    editor.selections = [new vscode.NotebookRange(before, before)];
    const t = await solve(symbenchQuestion(repoRoot(), 'string_insertion', 0));
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('r1ci.openInNotebook');
    assert.equal(uri?.toString(), editor.notebook.uri.toString(), 'the solution went into another notebook');
    const added = editor.notebook.getCells().slice(before);
    const code = added.filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 2);
    const error = errorOf(code[0]!);
    assert.ok(error, `the failing cell has no error output: ${JSON.stringify(items(code[0]!))}`);
    assert.equal(error.name, 'NameError');
    assert.equal(error.message, "name 'rule' is not defined");
    // The traceback is a stderr stream; the error output only names the error (no stack for the renderer to make HTML of).
    assert.match(stderrOf(code[0]!), /Traceback/);
    assert.equal(error.stack ?? '', '');
    assert.equal(code[0]!.executionSummary?.success, false);
    assert.equal(stdoutOf(code[1]!).trim(), t.answer);
    assert.equal(code[1]!.executionSummary?.success, true);
  });

  it('attaches an image the code wrote as an image/png output', async () => {
    const t = await solve('Notebook probe: draw a small red square as a PNG.');
    const artifact = t.turns[0]?.cell?.result?.artifacts.find((a) => a.name === 'red_square.png');
    assert.ok(artifact, 'the sandbox reported no red_square.png');
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('r1ci.openInNotebook', t);
    const notebook = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri?.toString());
    assert.ok(notebook);
    const cell = notebook.getCells().find((c) => c.document.getText().includes('open("red_square.png", "wb")'));
    assert.ok(cell, 'the code cell was not inserted');
    // After the previous solution (whose cells stayed selected), not in its middle.
    assert.equal(notebook.cellAt(cell.index - 1).document.getText(), 'I will write the PNG file byte by byte.');
    assert.match(notebook.cellAt(cell.index - 3).document.getText(), /^## Answer/);
    const png = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'image/png');
    assert.ok(png, `no image/png output: ${JSON.stringify(items(cell))}`);
    assert.deepEqual(Buffer.from(png.data), await readFile(artifact.path ?? ''));
    assert.match(stdoutOf(cell), /^wrote red_square\.png: \d+ bytes\n$/);
  });

  it('refuses something that is not a solution, and opens nothing', async () => {
    const open = vscode.workspace.notebookDocuments.length;
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('r1ci.openInNotebook', { question: 'x', turns: 'nope' });
    assert.equal(uri, undefined);
    assert.equal(vscode.workspace.notebookDocuments.length, open);
  });
});

describe('Python (sandboxed) notebook kernel', function () {
  this.timeout(180_000);

  afterEach(closeAll);

  it('runs cells in one interpreter: variables persist, errors fail only their cell', async () => {
    const editor = await newNotebook(['x = 6 * 7\nprint(x)', 'print(x + 1)', 'raise ValueError("boom")', 'print("still", x)']);
    const notebook = editor.notebook;
    assert.ok(vscode.workspace.isTrusted, 'this test needs a trusted workspace');
    await execute(notebook, 0, 4);
    const cells = notebook.getCells();
    assert.deepEqual(cells.map(stdoutOf), ['42\n', '43\n', '', 'still 42\n']);
    assert.deepEqual(
      cells.map((c) => c.executionSummary?.success),
      [true, true, false, true],
    );
    assert.deepEqual(
      cells.map((c) => c.executionSummary?.executionOrder),
      [1, 2, 3, 4],
    );
    const error = errorOf(cells[2]!);
    assert.equal(error?.name, 'ValueError');
    assert.equal(error?.message, 'boom');
    // Running a cell again gets the next number, as in Jupyter.
    await execute(notebook, 1);
    assert.equal(notebook.cellAt(1).executionSummary?.executionOrder, 5);
  });

  it('shows control characters and bidi overrides in outputs, errors and file names escaped', async () => {
    const code = ["open('a\\u202etxt.csv', 'w').write('x')", "print('abc\\u202edef\\x07 \\x1b[31mred')", "raise ValueError('bad\\u2066name')"].join('\n');
    const editor = await newNotebook([code]);
    const notebook = editor.notebook;
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    const cell = notebook.cellAt(0);
    await waitUntil(() => (cell.executionSummary?.success === false ? true : undefined), 'the cell to fail');
    const all = items(cell)
      .map(([, t]) => t)
      .join('\n');
    assert.doesNotMatch(all, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    assert.equal(stdoutOf(cell), 'abc\\u202edef\\x07 red\n');
    assert.match(stderrOf(cell), /ValueError: bad\\u2066name/);
    assert.equal(errorOf(cell)?.message, 'bad\\u2066name');
    assert.match(all, /a\\u202etxt\.csv/);
  });

  it('interrupts a long cell and keeps working', async function () {
    assert.ok(vscode.workspace.isTrusted, 'this test needs a trusted workspace');
    const editor = await newNotebook(['import time\ntime.sleep(300)\nprint("not interrupted")', 'print("alive")']);
    const notebook = editor.notebook;
    const running = vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    // The kernel numbers a cell when its code starts in the interpreter.
    await waitUntil(() => notebook.cellAt(0).executionSummary?.executionOrder, 'the long cell to start');
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    await running;
    const success = await waitUntil(() => notebook.cellAt(0).executionSummary?.success, 'the interrupted cell to end');
    assert.equal(success, false);
    assert.equal(stdoutOf(notebook.cellAt(0)), '');
    const error = errorOf(notebook.cellAt(0));
    assert.ok(error, `no error output: ${JSON.stringify(items(notebook.cellAt(0)))}`);
    assert.match(`${error.name}: ${error.message}\n${error.stack ?? ''}`, /Interrupted|KeyboardInterrupt/);
    await execute(notebook, 1);
    assert.equal(stdoutOf(notebook.cellAt(1)), 'alive\n');
  });
});

describe('Editor entry points', function () {
  this.timeout(120_000);

  before(async () => {
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
    await setSetting('sandbox.approval', 'auto');
  });

  after(async () => {
    await setSetting('sandbox.approval', undefined);
    await closeAll();
  });

  it('Solve Selection asks the selected text and says so when nothing is selected', async () => {
    const question = symbenchQuestion(repoRoot(), 'new_operator_dataset', 0);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `Some notes.\n\n${question}\n` });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('r1ci.solveSelection'), undefined);
    const start = document.positionAt(document.getText().indexOf(question));
    const end = document.positionAt(document.getText().indexOf(question) + question.length);
    editor.selection = new vscode.Selection(start, end);
    const t = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solveSelection');
    assert.equal(t?.question, question.trim());
    assert.equal(t?.answer, '90.0');
  });

  it('Insert Code replaces the selection of the last text editor, even with focus in the panel', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'a = 1\nPLACEHOLDER\nb = 2\n' });
    const editor = await vscode.window.showTextDocument(document);
    const at = document.getText().indexOf('PLACEHOLDER');
    editor.selection = new vscode.Selection(document.positionAt(at), document.positionAt(at + 'PLACEHOLDER'.length));
    // A solve opens its panel, which takes the focus away from the text editor.
    await solve(symbenchQuestion(repoRoot(), 'statistical_counting_dataset', 0));
    await vscode.commands.executeCommand('r1ci.insertCode', { code: 'print("inserted")' });
    assert.equal(document.getText(), 'a = 1\nprint("inserted")\nb = 2\n');
    // Without an argument: the last code cell of the most recent solve.
    const before = document.getText();
    await vscode.commands.executeCommand('r1ci.insertCode');
    assert.ok(document.getText().includes('score += 1 if letter == "A" else 2'), `not inserted: ${document.getText()}`);
    assert.notEqual(document.getText(), before);
  });

  it('Insert Code opens a new Python document when no editor is open', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // closeAllEditors resolves before the extension host hears of it: until then the last
    // editor is still "active", and Insert Code would bring it back. The case under test is
    // "no editor is open", so wait until the extension host sees none.
    const isFile = (e: vscode.TextEditor | undefined): boolean => e !== undefined && e.document.uri.scheme !== 'output';
    await waitUntil(() => (!isFile(vscode.window.activeTextEditor) && !vscode.window.visibleTextEditors.some(isFile) ? true : undefined), 'no editor open');
    // Only an editor of a document that did not exist before counts.
    const existing = new Set(vscode.workspace.textDocuments);
    await vscode.commands.executeCommand('r1ci.insertCode', { code: 'print(123)\n' });
    const editor = await waitUntil(() => {
      const active = vscode.window.activeTextEditor;
      return active && !existing.has(active.document) ? active : undefined;
    }, 'an editor of a new document');
    assert.equal(editor.document.languageId, 'python');
    assert.equal(editor.document.getText(), 'print(123)\n');
  });
});
