// Streaming render benchmark: how long the real webview bundle (dist/webview.js) takes to apply
// one streamed token when the conversation already holds 10 vs. 200 code cells. Goal: ratio ≤ 1.5
// (a new token touches only the growing block). Runs in headless Chromium on a static page with a
// stub acquireVsCodeApi; host messages are dispatched as the webview receives them.
//
// Run: node scripts/build.mjs && npm run bench -- render   (or node dist/bench/render.js [--tokens 400])
//
// Per token it measures the work the page does: dispatching the message (validation + apply)
// plus the animation-frame callbacks it scheduled, each followed by a forced layout — not the
// idle time until the next frame.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { HostMessage, ViewEvent } from '../src/views/messages';

const ROOT = resolve(__dirname, '..', '..');
const TOKENS = Number(process.argv[process.argv.indexOf('--tokens') + 1]) || 400;

/** Runs before the bundle: a stub of VS Code's webview API and an instrumented requestAnimationFrame. */
const PRELUDE = `
window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });
window.__frameWork = 0;
window.dispatchHost = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
window.countElements = (selector) => document.querySelectorAll(selector).length;
window.twoFrames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
const nativeRaf = window.requestAnimationFrame.bind(window);
window.__nativeRaf = nativeRaf;
window.requestAnimationFrame = (cb) => nativeRaf((ts) => {
  const start = performance.now();
  cb(ts);
  void document.documentElement.offsetHeight;
  window.__frameWork += performance.now() - start;
});`;

function pageHtml(): string {
  const dist = pathToFileURL(join(ROOT, 'dist')).href;
  const media = pathToFileURL(join(ROOT, 'media')).href;
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<link rel="stylesheet" href="${dist}/webview.css"><link rel="stylesheet" href="${media}/panel.css">
<script>${PRELUDE}</script></head>
<body data-view="panel"><header class="toolbar"><div id="session"></div><button id="stop" type="button">Stop</button></header>
<main id="transcript"></main><footer id="status"></footer>
<script src="${dist}/webview.js"></script></body></html>`;
}

function historyEvents(cells: number): ViewEvent[] {
  const events: ViewEvent[] = [];
  for (let i = 0; i < cells; i++) {
    const prose = `Step ${i + 1}. We know that $a_${i} = ${i}^2$ and want **the next value**.\n\nLet me check it with a short program, as in $$\\sum_{k=0}^{${i}} k^2$$ above.\n\n`;
    const code = `total = 0\nfor k in range(${i + 1}):\n    total += k * k\nprint(total)\nprint("cell ${i}")`;
    const text = `${prose}\`\`\`python\n${code}\n\`\`\`\n`;
    events.push(
      { type: 'turn-start', turn: i },
      { type: 'token', turn: i, text },
      { type: 'code', index: i, turn: i, language: 'python', code, offsetInTurn: prose.length },
      { type: 'exec-start', index: i },
      {
        type: 'exec-result',
        index: i,
        result: { stdout: `${(i * (i + 1) * (2 * i + 1)) / 6}\ncell ${i}\n`, stderr: '', exitCode: 0, durationMs: 12, timedOut: false, truncated: false, artifacts: [] },
      },
      { type: 'turn-end', turn: i, stats: { modelMs: 100 } },
    );
  }
  return events;
}

/** The streamed answer: paragraphs, math, a list and a code block, cut into 4-character tokens. */
function streamedTokens(count: number): string[] {
  const source =
    'Now I combine the partial results. The sum of squares $\\sum_{k=1}^{n} k^2$ follows the closed form, and each step above agrees with it.\n\n' +
    '- the first check passed\n- the second check passed\n- the totals match\n\n' +
    'So the remaining work is to **verify** the final value once more:\n\n$$\\frac{n(n+1)(2n+1)}{6}$$\n\n' +
    '```python\nn = 200\nprint(n * (n + 1) * (2 * n + 1) // 6)\n```\n\nThe printed value confirms the formula for every case we tried.\n\n';
  const tokens: string[] = [];
  let text = source;
  while (tokens.length < count) {
    if (text.length < 4) text += source;
    tokens.push(text.slice(0, 4));
    text = text.slice(4);
  }
  return tokens;
}

/** What PRELUDE adds to the page's window (this file is typed for Node, without the DOM). */
interface BenchWindow {
  __frameWork: number;
  __nativeRaf(cb: () => void): void;
  dispatchHost(message: unknown): void;
  countElements(selector: string): number;
  twoFrames(): Promise<void>;
}

async function dispatch(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as BenchWindow).dispatchHost(m), message);
}

/** Applies one token and returns the page's work for it (ms). */
async function timeToken(page: Page, message: HostMessage): Promise<number> {
  return page.evaluate(async (m) => {
    const w = (globalThis as unknown as BenchWindow);
    w.__frameWork = 0;
    const start = performance.now();
    w.dispatchHost(m);
    const dispatchMs = performance.now() - start;
    await new Promise<void>((done) => w.__nativeRaf(() => w.__nativeRaf(done)));
    return dispatchMs + w.__frameWork;
  }, message);
}

interface Result {
  readonly cells: number;
  readonly samples: number[];
  readonly domNodes: number;
}

async function measure(page: Page, cells: number): Promise<Result> {
  await page.goto(pathToFileURL(join(workDir, 'page.html')).href);
  await dispatch(page, { type: 'session', session: { question: 'Benchmark', model: 'bench', maxCodeCalls: 500, tier: 'isolated', tierNote: '' } });
  await dispatch(page, { type: 'events', events: historyEvents(cells) });
  const turn = cells;
  await dispatch(page, { type: 'events', events: [{ type: 'turn-start', turn }] });
  await page.evaluate(() => (globalThis as unknown as BenchWindow).twoFrames());
  const samples: number[] = [];
  const tokens = streamedTokens(TOKENS);
  for (const [i, text] of tokens.entries()) {
    const ms = await timeToken(page, { type: 'events', events: [{ type: 'token', turn, text }] });
    if (i >= 20) samples.push(ms); // the first tokens warm up the JIT
  }
  const domNodes = await page.evaluate(() => (globalThis as unknown as BenchWindow).countElements('*'));
  const cellCount = await page.evaluate(() => (globalThis as unknown as BenchWindow).countElements('.cell'));
  if (cellCount !== cells) throw new Error(`expected ${cells} cells on the page, found ${cellCount}`);
  return { cells, samples, domNodes };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function summary(samples: readonly number[]): { median: number; p90: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const workDir = mkdtempSync(join(tmpdir(), 'r1ci-bench-render-'));

async function main(): Promise<void> {
  writeFileSync(join(workDir, 'page.html'), pageHtml());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--headless', '--allow-file-access-from-files'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    // Alternate the sizes so drift on a shared machine affects both alike.
    const runs: Result[] = [];
    for (const cells of [10, 200, 10, 200]) runs.push(await measure(page, cells));
    const merged = (cells: number): Result => {
      const mine = runs.filter((r) => r.cells === cells);
      return { cells, samples: mine.flatMap((r) => r.samples), domNodes: mine[0]?.domNodes ?? 0 };
    };
    const small = merged(10);
    const large = merged(200);
    const s = summary(small.samples);
    const l = summary(large.samples);
    const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
    console.log(`Apply one streamed token (dispatch + validation + frame render + layout), ${small.samples.length} tokens per size`);
    console.log('| cells | DOM nodes | median | p90 | mean |');
    console.log('|---:|---:|---:|---:|---:|');
    for (const [r, st] of [[small, s], [large, l]] as const) console.log(`| ${r.cells} | ${r.domNodes} | ${fmt(st.median)} | ${fmt(st.p90)} | ${fmt(st.mean)} |`);
    const ratio = l.median / s.median;
    console.log(`\nratio 200 / 10 cells (median): ${ratio.toFixed(2)} (goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'}); mean ratio ${(l.mean / s.mean).toFixed(2)}`);
  } finally {
    await browser.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
