// The evaluation results view (webview side): draws what the host sends — overall figures, a
// per-task accuracy bar chart (one or two runs, with the difference), the per-task table, and
// the failures, each with a button that opens its trajectory in a solve panel.
import { resultsHostMessageSchema, type ResultsViewData, type ResultsWebviewMessage } from '../../../src/views/resultsMessages';

interface VsCodeApi {
  postMessage(message: ResultsWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const SVG = 'http://www.w3.org/2000/svg';
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** Horizontal bars: one row per task (plus overall), one bar per run, the B − A difference at the end. */
function chart(data: ResultsViewData): SVGElement {
  const tasks = [...new Set(data.runs.flatMap((r) => r.tasks.map((t) => t.task)))].sort((a, b) => a.localeCompare(b));
  const rows = [...tasks, 'Overall'];
  const accuracy = (run: number, task: string): number | null => {
    const r = data.runs[run];
    if (!r) return null;
    if (task === 'Overall') return r.overall.accuracy;
    return r.tasks.find((t) => t.task === task)?.accuracy ?? null;
  };
  const two = data.runs.length === 2;
  const labelW = 230;
  const barW = 360;
  const barH = 16;
  const rowH = two ? barH * 2 + 14 : barH + 12;
  const deltaW = two ? 90 : 0;
  const width = labelW + barW + 70 + deltaW;
  const height = rows.length * rowH + 30;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Accuracy per task', class: 'chart' });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelW + tick * barW;
    root.append(svg('line', { x1: x, x2: x, y1: 0, y2: rows.length * rowH, class: 'grid' }));
    root.append(svg('text', { x, y: rows.length * rowH + 16, class: 'tick', 'text-anchor': 'middle' }, `${tick * 100}%`));
  }
  rows.forEach((task, i) => {
    const y = i * rowH + 6;
    root.append(svg('text', { x: labelW - 8, y: y + (two ? barH + 4 : barH - 3), class: task === 'Overall' ? 'label overall' : 'label', 'text-anchor': 'end' }, task));
    data.runs.forEach((_, run) => {
      const acc = accuracy(run, task);
      const by = y + run * (barH + 2);
      const bar = svg('rect', { x: labelW, y: by, width: Math.max(acc ?? 0, 0.002) * barW, height: barH, class: `bar run-${run}`, 'data-task': task, 'data-run': run });
      bar.append(svg('title', {}, `${data.runs[run]?.label ?? ''}: ${acc === null ? 'no results' : pct(acc)}`));
      root.append(bar);
      root.append(svg('text', { x: labelW + (acc ?? 0) * barW + 6, y: by + barH - 4, class: 'value' }, acc === null ? '–' : pct(acc)));
    });
    if (two) {
      const a = accuracy(0, task);
      const b = accuracy(1, task);
      if (a !== null && b !== null) {
        const d = b - a;
        root.append(svg('text', { x: labelW + barW + 70, y: y + barH + 4, class: d > 0 ? 'delta up' : d < 0 ? 'delta down' : 'delta' }, `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)} pt`));
      }
    }
  });
  return root;
}

function table(data: ResultsViewData): HTMLTableElement {
  const t = el('table', { class: 'tasks' });
  const head = el('tr');
  const cols = ['Task', 'Run', 'N', 'Correct', 'Accuracy', 'Mean score', 'Mean turns', 'Mean code calls', 'Used code', 'Errors'];
  for (const c of cols) head.append(el('th', {}, c));
  t.append(head);
  const tasks = [...new Set(data.runs.flatMap((r) => r.tasks.map((x) => x.task)))].sort((a, b) => a.localeCompare(b));
  for (const task of [...tasks, 'Overall']) {
    data.runs.forEach((run, i) => {
      const s = task === 'Overall' ? run.overall : run.tasks.find((x) => x.task === task);
      if (!s) return;
      const tr = el('tr', task === 'Overall' ? { class: 'overall' } : {});
      const cells = [task, data.runs.length === 2 ? (i === 0 ? 'A' : 'B') : '', String(s.n), String(s.correct), pct(s.accuracy), s.meanScore.toFixed(2), s.meanTurns.toFixed(2), s.meanCodeCalls.toFixed(2), pct(s.usedCodeShare), String(s.errors)];
      for (const c of cells) tr.append(el('td', {}, c));
      t.append(tr);
    });
  }
  return t;
}

function render(data: ResultsViewData): void {
  const two = data.runs.length === 2;
  byId('title').textContent = two ? 'Evaluation results: A vs. B' : 'Evaluation results';
  const overall = byId('overall');
  overall.replaceChildren();
  data.runs.forEach((run, i) => {
    const card = el('div', { class: `card run-${i}` });
    card.append(el('div', { class: 'run-label' }, `${two ? (i === 0 ? 'A: ' : 'B: ') : ''}${run.label}`));
    card.append(el('div', { class: 'big', 'data-testid': `accuracy-${i}` }, pct(run.overall.accuracy)));
    card.append(
      el(
        'div',
        { class: 'facts' },
        `${run.overall.correct}/${run.overall.n} correct · mean score ${run.overall.meanScore.toFixed(2)} · macro ${pct(run.macroAccuracy)} · ${run.overall.meanTurns.toFixed(2)} turns · ${run.overall.meanCodeCalls.toFixed(2)} code calls · ${pct(run.overall.usedCodeShare)} used code${run.overall.errors ? ` · ${run.overall.errors} errors` : ''}`,
      ),
    );
    overall.append(card);
  });
  byId('chart').replaceChildren(chart(data));
  byId('table').replaceChildren(table(data));
  byId('failures-title').textContent = `Failures (${data.failures.length})`;
  const list = el('table', { class: 'failures' });
  const head = el('tr');
  for (const c of [...(two ? ['Run'] : []), 'Question', 'Task', 'Answer', 'Expected', 'Why', '']) head.append(el('th', {}, c));
  list.append(head);
  for (const f of data.failures) {
    const tr = el('tr', f.error ? { class: 'error' } : {});
    if (two) tr.append(el('td', {}, f.run === 0 ? 'A' : 'B'));
    tr.append(el('td', { class: 'mono' }, f.id), el('td', {}, f.task), el('td', { class: 'mono' }, f.answer ?? '—'), el('td', { class: 'mono' }, f.expected ?? '—'), el('td', {}, f.reason));
    const open = el('button', { type: 'button', 'data-id': f.id, title: 'Open the full trajectory in a panel' }, 'Trajectory');
    open.addEventListener('click', () => vscode.postMessage({ type: 'show-trajectory', run: f.run, id: f.id }));
    const cell = el('td');
    cell.append(open);
    tr.append(cell);
    list.append(tr);
  }
  byId('failures').replaceChildren(data.failures.length ? list : el('p', {}, 'No failures.'));
}

byId('export-md').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'markdown' }));
byId('export-csv').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'csv' }));
byId('compare').addEventListener('click', () => vscode.postMessage({ type: 'compare' }));
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = resultsHostMessageSchema.safeParse(event.data);
  if (parsed.success) render(parsed.data.data);
});
vscode.postMessage({ type: 'ready' });
