// The results view: accuracy per task and overall as a bar chart and a table, mean turns and
// code calls, the share of answers that used code, and the failures (each opens its full
// trajectory in a solve panel). With two results files it draws both runs per task and the
// difference. Export to Markdown and CSV.
import { writeFileNoFollow } from '../../eval/safeWrite';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { compareRuns, comparisonToMarkdown, latestById, mdCell, readResults, summarize, toCsv, toMarkdown, type ResultRecord } from '../../eval/results';
import { Disposable } from '../shared/dispose';
import { ownUri } from '../shared/confirmCaller';
import type { Log } from '../shared/log';
import { WebviewHost } from '../shared/webviewHost';
import { webviewOptions } from '../shared/webviewHtml';
import { samplesToMarkdown, summarizeSamples } from '../../eval/sampling';
import { RESULTS_BODY } from './resultsLayout';
import { resultsWebviewMessageSchema, SAMPLING_TOP, type ResultsHostMessage, type ResultsSampling, type ResultsViewData, type ResultsWebviewMessage } from './resultsProtocol';
import { showInformationMessage, showWarningMessage } from '../shared/notify';
import { withFullStop } from '../../text/fullStop';

export interface LoadedRun {
  readonly label: string;
  readonly file: string;
  readonly results: readonly ResultRecord[];
}

/** Reads a results file for the view; bad lines are reported, good ones shown. */
export async function loadRun(file: string): Promise<LoadedRun> {
  const read = await readResults(file);
  if (read.problems.length > 0) {
    const p = read.problems[0];
    void showWarningMessage(`${basename(file)}: ${read.problems.length} bad line(s), e.g. line ${p?.line ?? 0}: ${withFullStop(p?.message ?? '')} They are left out.`);
  }
  if (read.results.length === 0) throw new Error(`${file} holds no results.`);
  const latest = latestById(read.results);
  const models = [...new Set(latest.map((r) => r.model))].join(', ');
  const mode = latest.every((r) => r.textOnly) ? 'text only' : 'with code';
  return { label: `${models} · ${mode} · ${basename(file)}`, file, results: latest };
}

export function viewData(runs: readonly LoadedRun[]): ResultsViewData {
  const summaries = runs.map((r) => summarize(r.results));
  const [ra, rb] = runs;
  return {
    runs: runs.map((r, i) => {
      const s = summaries[i] ?? summarize([]);
      const sampling = samplingData(r.results);
      return { label: r.label, file: r.file, overall: s.overall, macroAccuracy: s.macroAccuracy, tasks: s.tasks, ...(sampling ? { sampling } : {}) };
    }),
    deltas: ra && rb ? compareRuns(ra.results, rb.results).tasks.map((t) => ({ task: t.task, a: t.a, b: t.b, delta: t.delta })) : [],
    failures: runs.flatMap((run, i) =>
      run.results
        .filter((r) => !r.correct)
        .map((r) => ({ run: i, id: r.id, ...(r.sample !== undefined ? { sample: r.sample } : {}), task: r.task, answer: r.answer, expected: r.expected, reason: r.reason, error: r.error !== undefined })),
    ),
  };
}

/** pass@k, mean@k, Π and stages for a run whose questions were asked more than once. */
function samplingData(results: readonly ResultRecord[]): ResultsSampling | undefined {
  const s = summarizeSamples(results);
  if (s.k < 2) return undefined;
  return { k: s.k, overall: s.overall, tasks: s.tasks, incomplete: s.incomplete, stages: Object.fromEntries(Object.entries(s.stages).map(([k, v]) => [k, v])), top: s.questions.slice(0, SAMPLING_TOP) };
}

export class ResultsPanel extends Disposable {
  static readonly viewType = 'r1ci.evalResults';
  private static current: ResultsPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly host: WebviewHost<ResultsWebviewMessage, ResultsHostMessage>;

  /** Shows `runs` in the results view (one view, reused); malformed messages from its page go to `log`. */
  static show(context: vscode.ExtensionContext, runs: readonly LoadedRun[], showTrajectory: (run: LoadedRun, id: string, sample?: number) => void, log: Log): ResultsPanel {
    const existing = ResultsPanel.current;
    if (existing) {
      existing.setRuns(runs, showTrajectory);
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = new ResultsPanel(context, runs, showTrajectory, log);
    ResultsPanel.current = panel;
    return panel;
  }

  static get visible(): ResultsPanel | undefined {
    return ResultsPanel.current;
  }

  private constructor(
    context: vscode.ExtensionContext,
    private runs: readonly LoadedRun[],
    private showTrajectory: (run: LoadedRun, id: string, sample?: number) => void,
    log: Log,
  ) {
    super();
    this.panel = vscode.window.createWebviewPanel(ResultsPanel.viewType, 'Evaluation Results', vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      retainContextWhenHidden: true,
    });
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
    this.host = this._register(
      new WebviewHost<ResultsWebviewMessage, ResultsHostMessage>(this.panel.webview, {
        extensionUri: context.extensionUri,
        page: { title: 'Evaluation Results', view: 'results', script: 'dist/results.js', styles: ['media/results.css'], body: RESULTS_BODY },
        commands: resultsWebviewMessageSchema,
        log,
      }),
    );
    this._register(this.host.onMessage((m) => this.onMessage(m)));
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this._register(this.panel);
    this.host.post({ type: 'data', data: viewData(runs) });
  }

  /** What the view shows now (tests read it). */
  get data(): ResultsViewData {
    return viewData(this.runs);
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }

  setRuns(runs: readonly LoadedRun[], showTrajectory: (run: LoadedRun, id: string, sample?: number) => void): void {
    this.runs = runs;
    this.showTrajectory = showTrajectory;
    this.panel.title = runs.length === 2 ? 'Evaluation Results: A vs. B' : 'Evaluation Results';
    this.host.post({ type: 'data', data: viewData(runs) });
  }

  private onMessage(m: ResultsWebviewMessage): void {
    switch (m.type) {
      case 'ready':
        // The host delivered what was posted before.
        break;
      case 'show-trajectory': {
        const run = this.runs[m.run];
        if (run) this.showTrajectory(run, m.id, m.sample);
        break;
      }
      case 'export':
        void this.export(m.format);
        break;
      case 'compare':
        // A Uri: the file the user has open, not a caller's path to confirm.
        void vscode.commands.executeCommand('r1ci.eval.compareResults', this.runs[0] ? ownUri(vscode.Uri.file(this.runs[0].file)) : undefined);
        break;
    }
  }

  /** Markdown or CSV of what is shown, to a file the user picks (or `target`). */
  async export(format: 'markdown' | 'csv', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const [a, b] = this.runs.map((r) => summarize(r.results));
    if (!a) return undefined;
    let text: string;
    if (format === 'csv') text = toCsv(a);
    else
      text = b
        ? // The labels name the models of the results files (a cloned repository's): escaped like the table's cells.
          `# A: ${mdCell(this.runs[0]?.label ?? '')}\n\n${toMarkdown(a)}\n# B: ${mdCell(this.runs[1]?.label ?? '')}\n\n${toMarkdown(b)}\n# B − A\n\n${comparisonToMarkdown(compareRuns(this.runs[0]?.results ?? [], this.runs[1]?.results ?? []))}`
        : toMarkdown(a);
    const sampling = summarizeSamples(this.runs[0]?.results ?? []);
    if (format === 'markdown' && !b && sampling.k > 1) text += `\n${samplesToMarkdown(sampling)}`;
    const first = this.runs[0]?.file ?? 'results.jsonl';
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(first.replace(/\.jsonl$/, format === 'csv' ? '.csv' : '.md')),
        filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
      }));
    if (!uri) return undefined;
    await writeFileNoFollow(uri.fsPath, text);
    void showInformationMessage(`Exported to ${basename(uri.fsPath)}.`);
    return uri;
  }

  override dispose(): void {
    if (ResultsPanel.current === this) ResultsPanel.current = undefined;
    super.dispose();
  }
}
