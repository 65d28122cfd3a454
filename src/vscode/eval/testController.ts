// Task files in VS Code's Testing view: each task file (`*.tasks.json`, `*.tasks.jsonl`) and
// each folder added with "Add Task Folder to Testing" is a test item, grouped by task, with one
// test per question. Running them solves the questions (the same evaluation as the command,
// without resume: a test run always asks again) and shows pass/fail, and for a wrong answer the
// expected and actual answer as a diff.
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeLoadProblem, loadTasks } from '../../eval/load';
import type { ResultRecord } from '../../eval/results';
import type { TaskRecord } from '../../eval/types';
import type { Log } from '../shared/log';
import type { EvalController } from './evalController';
import { Disposable } from '../shared/dispose';
import { showErrorMessage } from '../shared/notify';
import { escapeMarkdown, plainLabel, terminalLine } from '../shared/uiText';
import { questionLabel, rootItemText } from './testLabels';

const FOLDERS_KEY = 'r1ci.eval.testFolders';
const TASK_FILE_GLOB = '**/*.tasks.{json,jsonl}';

interface RootData {
  readonly kind: 'root';
  readonly target: string;
}
interface GroupData {
  readonly kind: 'task';
  readonly target: string;
}
interface QuestionData {
  readonly kind: 'question';
  readonly target: string;
  readonly record: TaskRecord;
}
type ItemData = RootData | GroupData | QuestionData;

export class EvalTestController extends Disposable {
  readonly controller: vscode.TestController;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  /** Per root: the number of its latest load; an older load that ends later is dropped. */
  private readonly loads = new WeakMap<vscode.TestItem, number>();
  /** What the latest run reported per question (the `r1ci.eval.runTests` command returns it). */
  readonly lastRun = new Map<string, { state: 'passed' | 'failed' | 'errored' | 'skipped'; message?: string; expected?: string; actual?: string }>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly evals: EvalController,
  ) {
    super();
    this.controller = this._register(vscode.tests.createTestController('r1ci.eval', 'R1 Code Interpreter Tasks'));
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
      else await this.loadChildren(item);
    };
    this.controller.refreshHandler = async () => {
      await this.discover();
      const roots: vscode.TestItem[] = [];
      this.controller.items.forEach((i) => roots.push(i));
      await Promise.all(roots.map((i) => this.loadChildren(i)));
    };
    this.controller.createRunProfile('Run Questions', vscode.TestRunProfileKind.Run, (request, token) => this.runTests(request, token), true);
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(TASK_FILE_GLOB));
    this._register(watcher.onDidCreate((uri) => this.addRoot(uri.fsPath)));
    this._register(watcher.onDidDelete((uri) => this.controller.items.delete(uri.fsPath)));
    this._register(
      watcher.onDidChange((uri) => {
        const item = this.controller.items.get(uri.fsPath);
        if (item) void this.loadChildren(item);
      }),
    );
  }

  /** Adds a task folder (SymBench, BBH, ... layouts) to the Testing view, remembered per workspace. */
  async addFolder(folder: string): Promise<vscode.TestItem> {
    const folders = new Set(this.context.workspaceState.get<string[]>(FOLDERS_KEY, []));
    folders.add(folder);
    await this.context.workspaceState.update(FOLDERS_KEY, [...folders]);
    const item = this.addRoot(folder);
    await this.loadChildren(item);
    return item;
  }

  private async discover(): Promise<void> {
    const files = await vscode.workspace.findFiles(TASK_FILE_GLOB, '**/node_modules/**');
    for (const f of files) this.addRoot(f.fsPath);
    for (const folder of this.context.workspaceState.get<string[]>(FOLDERS_KEY, [])) {
      if (await exists(folder)) this.addRoot(folder);
    }
  }

  private addRoot(target: string): vscode.TestItem {
    const existing = this.controller.items.get(target);
    if (existing) return existing;
    // The name of a file or folder of the workspace (a cloned dataset): shown as a plain label.
    const text = rootItemText(target, vscode.workspace.asRelativePath(target));
    const item = this.controller.createTestItem(target, text.label, vscode.Uri.file(target));
    item.canResolveChildren = true;
    item.description = text.description;
    this.data.set(item, { kind: 'root', target });
    this.controller.items.add(item);
    return item;
  }

  /** Loads a root's questions, grouped by task; load problems show on the root item. */
  private async loadChildren(item: vscode.TestItem): Promise<void> {
    const data = this.data.get(item);
    if (data?.kind !== 'root') return;
    const load = (this.loads.get(item) ?? 0) + 1;
    this.loads.set(item, load);
    item.busy = true;
    try {
      const { records, problems } = await loadTasks(data.target);
      // The file changed again while it loaded (saved twice): the newer load's questions stand.
      if (this.loads.get(item) !== load) return;
      item.error = problems.length
        ? new vscode.MarkdownString(
            problems
              .slice(0, 10)
              // Quotes the task file (a cloned dataset): literal text, no link or remote image.
              .map((p) => `- ${escapeMarkdown(describeLoadProblem(p, vscode.workspace.asRelativePath(p.file)))}`)
              .join('\n'),
          )
        : undefined;
      const groups = new Map<string, vscode.TestItem>();
      for (const record of records) {
        let group = groups.get(record.task);
        if (!group) {
          group = this.controller.createTestItem(`${data.target}#task:${record.task}`, plainLabel(record.task));
          this.data.set(group, { kind: 'task', target: data.target });
          groups.set(record.task, group);
        }
        // Task names, ids and questions come from the task file (a cloned dataset): shown as plain labels.
        const q = this.controller.createTestItem(`${data.target}#${record.id}`, questionLabel(record.id), vscode.Uri.file(record.source.file));
        if (record.source.line !== undefined) q.range = new vscode.Range(record.source.line - 1, 0, record.source.line - 1, 0);
        q.description = plainLabel(oneLine(record.question, 60));
        this.data.set(q, { kind: 'question', target: data.target, record });
        group.children.add(q);
      }
      item.children.replace([...groups.values()]);
    } finally {
      if (this.loads.get(item) === load) item.busy = false;
    }
  }

  private async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    this.lastRun.clear();
    try {
      // Questions to run, per root (task file or folder).
      const byRoot = new Map<string, Map<string, vscode.TestItem>>();
      const excluded = new Set(request.exclude ?? []);
      const roots: vscode.TestItem[] = [];
      if (request.include) roots.push(...request.include);
      else this.controller.items.forEach((i) => roots.push(i));
      const collect = async (item: vscode.TestItem): Promise<void> => {
        if (excluded.has(item)) return;
        const data = this.data.get(item);
        if (data?.kind === 'root' && item.children.size === 0) await this.loadChildren(item);
        if (data?.kind === 'question') {
          const questions = byRoot.get(data.target) ?? new Map<string, vscode.TestItem>();
          questions.set(data.record.id, item);
          byRoot.set(data.target, questions);
          run.enqueued(item);
          return;
        }
        const children: vscode.TestItem[] = [];
        item.children.forEach((c) => children.push(c));
        for (const c of children) await collect(c);
      };
      for (const r of roots) await collect(r);
      for (const [target, questions] of byRoot) {
        if (token.isCancellationRequested) break;
        const records = [...questions.keys()].map((id) => this.data.get(questions.get(id) as vscode.TestItem)).flatMap((d) => (d?.kind === 'question' ? [d.record] : []));
        const outcome = await this.evals.run(
          // One answer per test item, whatever "r1ci.eval.samples" says.
          { target, resume: false, samples: 1 },
          {
            token,
            records,
            onEvent: (e) => {
              if (e.type === 'question-start') {
                const item = questions.get(e.record.id);
                if (item) run.started(item);
              } else if (e.type === 'result') {
                const item = questions.get(e.record.id);
                if (item) this.report(run, item, e.record, e.result);
              }
            },
          },
        );
        run.appendOutput(terminalLine(`${vscode.workspace.asRelativePath(target)}: ${outcome.summary.overall.correct}/${outcome.summary.overall.n} correct; results in ${outcome.resultsFile}`));
        for (const [id, item] of questions) {
          if (outcome.results.some((r) => r.id === id) && this.lastRun.has(item.id)) continue;
          run.skipped(item);
          this.lastRun.set(item.id, { state: 'skipped' });
        }
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log(`Test run failed: ${message}`);
      void showErrorMessage(`The evaluation failed: ${message}`);
    } finally {
      run.end();
    }
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, record: TaskRecord, result: ResultRecord): void {
    const location = item.uri ? new vscode.Location(item.uri, item.range ?? new vscode.Position(0, 0)) : undefined;
    if (result.error !== undefined) {
      const m = new vscode.TestMessage(result.error);
      m.location = location;
      run.errored(item, m, result.durationMs);
      this.lastRun.set(item.id, { state: 'errored', message: result.error });
      return;
    }
    if (result.correct) {
      run.passed(item, result.durationMs);
      this.lastRun.set(item.id, { state: 'passed' });
      return;
    }
    const actual = result.answer ?? '(no final answer)';
    const m = result.expected !== undefined ? vscode.TestMessage.diff(result.reason, result.expected, actual) : new vscode.TestMessage(`${result.reason}\nGot: ${actual}`);
    m.location = location;
    m.contextValue = 'r1ci.evalFailure';
    // The answer is model text, the id the task file's: the output is a terminal (terminalLine).
    run.appendOutput(terminalLine(`✗ ${record.id}: ${oneLine(actual, 80)} — ${result.reason}`), location, item);
    run.failed(item, m, result.durationMs);
    this.lastRun.set(item.id, { state: 'failed', message: result.reason, expected: result.expected, actual });
  }

  /** Runs the questions of `target` (added as a root when needed) through a real test run; resolves when it ends. */
  async runTarget(target: string): Promise<void> {
    const item = this.controller.items.get(target) ?? (await this.addFolder(target));
    if (item.children.size === 0) await this.loadChildren(item);
    const source = new vscode.CancellationTokenSource();
    try {
      await this.runTests(new vscode.TestRunRequest([item]), source.token);
    } finally {
      source.dispose();
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function oneLine(text: string, max: number): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
