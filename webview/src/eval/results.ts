// The evaluation results view (webview side): draws what the host sends — overall figures, a
// per-task accuracy bar chart (one or two runs, with the difference), the per-task table, and
// the failures, each with a button that opens its trajectory in a solve panel.
import { shown as shownText } from '../shared/dom';
import { resultsHostMessageSchema, type ResultsSampling, type ResultsViewData, type ResultsWebviewMessage } from '../../../src/vscode/eval/resultsProtocol';

interface VsCodeApi {
  postMessage(message: ResultsWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const SVG = 'http://www.w3.org/2000/svg';
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

// Ids, task names, answers and reasons come from task and results files and the model: every
// text and attribute value goes in as `shown` (shared/dom.ts) gives it (controls and bidi overrides escaped).
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, shownText(v));
  if (text !== undefined) node.textContent = shownText(text);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, shownText(String(v)));
  if (text !== undefined) node.textContent = shownText(text);
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** Below this width (px) task names go on a line of their own above their bars. */
const NARROW_CHART = 520;

/**
 * Horizontal bars: one row per task (plus overall), one bar per run, the B − A difference at the
 * end. Drawn for `available` px of width (the view's), so text keeps its size at half width.
 */
function chart(data: ResultsViewData, available: number): SVGElement {
  const tasks = [...new Set(data.runs.flatMap((r) => r.tasks.map((t) => t.task)))].sort((a, b) => a.localeCompare(b));
  const rows = [...tasks, 'Overall'];
  const accuracy = (run: number, task: string): number | null => {
    const r = data.runs[run];
    if (!r) return null;
    if (task === 'Overall') return r.overall.accuracy;
    return r.tasks.find((t) => t.task === task)?.accuracy ?? null;
  };
  const two = data.runs.length === 2;
  const narrow = available < NARROW_CHART;
  const labelW = narrow ? 0 : 230;
  const labelH = narrow ? 16 : 0;
  const deltaW = two ? 90 : 0;
  const barW = narrow ? Math.max(120, available - 70 - deltaW) : 360;
  const barH = 16;
  const rowH = (two ? barH * 2 + 14 : barH + 12) + labelH;
  const width = labelW + barW + 70 + deltaW;
  const height = rows.length * rowH + 30;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Accuracy per task', class: 'chart' });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelW + tick * barW;
    root.append(svg('line', { x1: x, x2: x, y1: 0, y2: rows.length * rowH, class: 'grid' }));
    root.append(svg('text', { x, y: rows.length * rowH + 16, class: 'tick', 'text-anchor': narrow && tick === 0 ? 'start' : 'middle' }, `${tick * 100}%`));
  }
  rows.forEach((task, i) => {
    const y = i * rowH + 6 + labelH;
    const label = narrow ? { x: 0, y: y - 4, 'text-anchor': 'start' } : { x: labelW - 8, y: y + (two ? barH + 4 : barH - 3), 'text-anchor': 'end' };
    root.append(svg('text', { ...label, class: task === 'Overall' ? 'label overall' : 'label' }, task));
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
  // The Run column (A/B) only exists when two runs are compared.
  const two = data.runs.length === 2;
  const cols = ['Task', ...(two ? ['Run'] : []), 'N', 'Correct', 'Accuracy', 'Mean score', 'Mean turns', 'Mean code calls', 'Used code', 'Errors'];
  for (const c of cols) head.append(el('th', { scope: 'col' }, c));
  t.append(head);
  const tasks = [...new Set(data.runs.flatMap((r) => r.tasks.map((x) => x.task)))].sort((a, b) => a.localeCompare(b));
  for (const task of [...tasks, 'Overall']) {
    data.runs.forEach((run, i) => {
      const s = task === 'Overall' ? run.overall : run.tasks.find((x) => x.task === task);
      if (!s) return;
      const tr = el('tr', task === 'Overall' ? { class: 'overall' } : {});
      const cells = [
        task,
        ...(two ? [i === 0 ? 'A' : 'B'] : []),
        String(s.n),
        String(s.correct),
        pct(s.accuracy),
        s.meanScore.toFixed(2),
        s.meanTurns.toFixed(2),
        s.meanCodeCalls.toFixed(2),
        pct(s.usedCodeShare),
        String(s.errors),
      ];
      for (const c of cells) tr.append(el('td', {}, c));
      t.append(tr);
    });
  }
  return t;
}

/**
 * Multi-sample figures of one run: pass@k, mean@k and mean improvement potential Π = 4p(1−p)
 * per task, the curriculum stage counts, and the questions with the most to gain.
 */
function samplingSection(sampling: ResultsSampling, label: string): HTMLElement {
  const box = el('div', { class: 'sampling', 'data-testid': 'sampling' });
  box.append(el('h3', {}, `${label}k = ${sampling.k} samples per question`));
  box.append(
    el(
      'p',
      { class: 'facts' },
      `pass@${sampling.k} ${sampling.overall.complete > 0 ? pct(sampling.overall.passAtK) : '—'} · mean@${sampling.k} ${pct(sampling.overall.meanAtK)} · mean Π ${sampling.overall.meanPotential.toFixed(2)} · stages 1: ${sampling.stages['1'] ?? 0}, 2: ${sampling.stages['2'] ?? 0}, 3: ${sampling.stages['3'] ?? 0}, 4: ${sampling.stages['4'] ?? 0}, no signal: ${sampling.stages['0'] ?? 0}${sampling.incomplete ? ` · ${sampling.incomplete} question(s) with fewer samples (not in pass@${sampling.k})` : ''}`,
    ),
  );
  const t = el('table', { class: 'tasks' });
  const head = el('tr');
  for (const c of ['Task', 'Questions', `pass@${sampling.k}`, `mean@${sampling.k}`, 'Mean Π']) head.append(el('th', {}, c));
  t.append(head);
  for (const [name, s] of [...sampling.tasks.map((x) => [x.task, x] as const), ['Overall', sampling.overall] as const]) {
    const tr = el('tr', name === 'Overall' ? { class: 'overall' } : {});
    // A row none of whose questions has k samples has no pass@k: —, never 0%.
    for (const c of [name, String(s.questions), s.complete > 0 ? pct(s.passAtK) : '—', pct(s.meanAtK), s.meanPotential.toFixed(2)]) tr.append(el('td', {}, c));
    if (name === 'Overall') tr.children[2]?.setAttribute('data-testid', 'pass-at-k');
    t.append(tr);
  }
  box.append(t);
  if (sampling.top.length > 0) {
    box.append(el('h4', {}, 'Most to gain (highest Π first)'));
    const q = el('table', { class: 'tasks' });
    const h = el('tr');
    for (const c of ['Question', 'Task', 'Right', 'p', 'Π', 'Stage']) h.append(el('th', {}, c));
    q.append(h);
    for (const x of sampling.top) {
      const tr = el('tr');
      for (const c of [x.id, x.task, `${x.correct}/${x.n}`, x.p.toFixed(2), x.potential.toFixed(2), x.stage === 0 ? '—' : String(x.stage)]) tr.append(el('td', {}, c));
      tr.firstElementChild?.setAttribute('class', 'mono');
      q.append(tr);
    }
    box.append(q);
  }
  return box;
}

/** Wide tables scroll sideways in their own keyboard-reachable region instead of widening the page. */
function scrollable(content: HTMLElement, label: string): HTMLElement {
  const region = el('div', { class: 'scroll-x', role: 'region', 'aria-label': label, tabindex: '0' });
  region.append(content);
  return region;
}

let shown: ResultsViewData | undefined;
let drawnNarrow: boolean | undefined;

function drawChart(data: ResultsViewData): void {
  const box = byId('chart');
  drawnNarrow = box.clientWidth < NARROW_CHART;
  box.replaceChildren(chart(data, box.clientWidth));
}

// Redraw when the view crosses the narrow width (e.g. the editor group is split in half).
new ResizeObserver(() => {
  if (shown && byId('chart').clientWidth < NARROW_CHART !== drawnNarrow) drawChart(shown);
}).observe(byId('chart'));

function render(data: ResultsViewData): void {
  shown = data;
  // Shown before drawing: the chart is laid out for the width of its (visible) box.
  byId('loading').hidden = true;
  byId('results').hidden = false;
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
  drawChart(data);
  byId('table').replaceChildren(scrollable(table(data), 'Accuracy per task, as a table'));
  const sampled = data.runs.flatMap((run, i) => (run.sampling ? [samplingSection(run.sampling, two ? (i === 0 ? 'A: ' : 'B: ') : '')] : []));
  const samples = byId('samples');
  samples.hidden = sampled.length === 0;
  byId('samples-body').replaceChildren(...sampled);
  byId('failures-title').textContent = `Failures (${data.failures.length})`;
  const list = el('table', { class: 'failures' });
  const head = el('tr');
  for (const c of [...(two ? ['Run'] : []), 'Question', 'Task', 'Answer', 'Expected', 'Why', 'Trajectory']) head.append(el('th', { scope: 'col' }, c));
  list.append(head);
  for (const f of data.failures) {
    const tr = el('tr', f.error ? { class: 'error' } : {});
    // data-label: a narrow view shows each failure as a stacked card, every value with its column name.
    if (two) tr.append(el('td', { 'data-label': 'Run' }, f.run === 0 ? 'A' : 'B'));
    tr.append(
      el('td', { class: 'mono', 'data-label': 'Question' }, f.sample !== undefined ? `${f.id} · sample ${f.sample}` : f.id),
      el('td', { 'data-label': 'Task' }, f.task),
      el('td', { class: 'mono', 'data-label': 'Answer' }, f.answer ?? '—'),
      el('td', { class: 'mono', 'data-label': 'Expected' }, f.expected ?? '—'),
      el('td', { 'data-label': 'Why' }, f.reason),
    );
    const open = el('button', { type: 'button', 'data-id': f.id, title: 'Open the full trajectory in a panel', 'aria-label': `Open the trajectory of ${f.id}` }, 'Trajectory');
    open.addEventListener('click', () => vscode.postMessage({ type: 'show-trajectory', run: f.run, id: f.id, ...(f.sample !== undefined ? { sample: f.sample } : {}) }));
    const cell = el('td');
    cell.append(open);
    tr.append(cell);
    list.append(tr);
  }
  byId('failures').replaceChildren(data.failures.length ? scrollable(list, 'Failures') : el('p', {}, 'No failures.'));
}

byId('export-md').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'markdown' }));
byId('export-csv').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'csv' }));
byId('compare').addEventListener('click', () => vscode.postMessage({ type: 'compare' }));
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = resultsHostMessageSchema.safeParse(event.data);
  if (parsed.success) render(parsed.data.data);
});
vscode.postMessage({ type: 'ready' });
