// Streaming render benchmark: how long the real webview bundle (dist/webview.js) takes to apply
// one streamed token. Runs in headless Chromium on a static page with a stub acquireVsCodeApi;
// host messages are dispatched as the webview receives them. Two parts (issue 11, item 9):
//
// 1. Transcript size: one answer token when the conversation already holds 10, 200 or 1,000 code
//    cells. Goal: ratio against 10 cells ≤ 1.2 (a new token touches only the growing block).
// 2. Long reasoning: a 20,000-token reasoning stream (then the answer) in one turn, folded as
//    shown by default and unfolded by the reader. Goal: ≤ 1 ms per token (p90), and the last
//    1,000 tokens no dearer than tokens 1k–2k (≤ 1.2×, or two 5 µs timer ticks): the cost must
//    not grow with the stream. Here the bench runs the animation frames itself, right after each
//    token, so 20,000 tokens take seconds instead of 20,000 display frames; the work is the same.
//
// The streaming turn is scrolled into view first, and the bench fails if it is off screen:
// content-visibility would skip its layout and the figures would mean nothing.
//
// Run: node scripts/build.mjs && npm run bench -- render
//      (or node dist/bench/render.js [--tokens 400] [--reasoning-tokens 20000] [--only sizes|reasoning])
//
// Per token it measures the work the page does: dispatching the message (validation + apply)
// plus the animation-frame callbacks it scheduled, each followed by a forced layout — not the
// idle time until the next frame, nor paint.
import { readFileSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { PanelNotification } from '../src/vscode/solve/protocol';
import type { ViewEvent } from '../src/vscode/conversation/transcriptProtocol';

const ROOT = resolve(__dirname, '..', '..');
/** The number after `flag` on the command line, or `fallback`. */
function numberArg(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at < 0 ? fallback : Number(process.argv[at + 1]) || fallback;
}
const TOKENS = numberArg('--tokens', 400);
const REASONING_TOKENS = numberArg('--reasoning-tokens', 20_000);
/** Goals of issue 11, item 9. */
const GOAL_SIZE_RATIO = 1.2;
const GOAL_TOKEN_MS = 1;
const GOAL_GROWTH_RATIO = 1.2;
/** performance.now() resolution on a cross-origin isolated page (ms). */
const TIMER_TICK_MS = 0.005;

/** Runs before the bundle: a stub of VS Code's webview API and an instrumented requestAnimationFrame. */
const PRELUDE = `
window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });
window.__frameWork = 0;
window.dispatchHost = (m) => window.dispatchEvent(new MessageEvent('message', { data: m }));
window.countElements = (selector) => document.querySelectorAll(selector).length;
window.openReasoning = () => document.querySelectorAll('details.reasoning').forEach((d) => { d.open = true; });
// For each reasoning block: unfolded?, its text, its number of text blocks, and whether it lays out
// exactly as the same text in one text node would (same height in the same box).
window.reasoningShown = () => [...document.querySelectorAll('details.reasoning')].map((d) => {
  const body = d.querySelector('.reasoning-text');
  const whole = body.cloneNode(false);
  whole.textContent = body.textContent;
  body.after(whole);
  const sameLayout = whole.scrollHeight === body.scrollHeight && whole.scrollWidth === body.scrollWidth;
  whole.remove();
  return [d.open, body.textContent, body.childElementCount, sameLayout];
});
window.twoFrames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
// Scrolls to the end until the page stops growing: off-screen turns start at their placeholder
// size (content-visibility: auto) and take their real size once seen.
window.settleAtBottom = async () => {
  const scroller = document.scrollingElement;
  for (let i = 0; i < 100; i++) {
    const height = scroller.scrollHeight;
    scroller.scrollTop = height;
    await window.twoFrames();
    if (scroller.scrollHeight === height) return;
  }
};
/** Whether the turn being streamed is on screen (a reader watching it; else its layout is skipped). */
window.streamingTurnInView = () => {
  const turns = document.querySelectorAll('.turn');
  const rect = turns[turns.length - 1].getBoundingClientRect();
  return rect.top < window.innerHeight && rect.bottom > 0;
};
const nativeRaf = window.requestAnimationFrame.bind(window);
window.__nativeRaf = nativeRaf;
const timedFrame = (cb, ts) => {
  const start = performance.now();
  cb(ts);
  void document.documentElement.offsetHeight;
  window.__frameWork += performance.now() - start;
};
// In manual mode frame callbacks wait in a queue until runFrames() (the bench) runs them.
window.__manualFrames = false;
let queued = [];
let nextId = 1;
window.requestAnimationFrame = (cb) => {
  if (!window.__manualFrames) return nativeRaf((ts) => timedFrame(cb, ts));
  queued.push(cb);
  return nextId++;
};
window.runFrames = () => {
  for (let round = 0; round < 10 && queued.length > 0; round++) {
    const now = queued;
    queued = [];
    for (const cb of now) timedFrame(cb, performance.now());
  }
};
/** Streams tokens as messages of one token each; returns each token's work (ms). */
window.streamTimed = (turn, type, tokens) => {
  const samples = [];
  for (const text of tokens) {
    window.__frameWork = 0;
    const start = performance.now();
    window.dispatchHost({ type: 'events', events: [{ type, turn, text }] });
    const dispatchMs = performance.now() - start;
    window.runFrames();
    samples.push(dispatchMs + window.__frameWork);
  }
  return samples;
};`;

/**
 * The page is served through Playwright's request routing with the cross-origin isolation headers,
 * so performance.now() has 5 µs resolution instead of the 100 µs of a file:// page.
 */
const ORIGIN = 'https://r1ci-bench.invalid';
const PAGE_URL = `${ORIGIN}/page.html`;
const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.svg': 'image/svg+xml' };

async function servePage(page: Page): Promise<void> {
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (path === '/page.html') return route.fulfill({ status: 200, contentType: 'text/html', headers, body: pageHtml() });
    const file = resolve(ROOT, `.${path}`);
    const served = [join(ROOT, 'dist') + sep, join(ROOT, 'media') + sep].some((dir) => file.startsWith(dir));
    if (!served) return route.fulfill({ status: 404, headers, body: '' });
    return route.fulfill({ status: 200, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', headers, body: readFileSync(file) });
  });
}

function pageHtml(): string {
  const dist = `${ORIGIN}/dist`;
  const media = `${ORIGIN}/media`;
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
  __manualFrames: boolean;
  streamTimed(turn: number, type: 'token' | 'reasoning', tokens: readonly string[]): number[];
  /** Unfolds every reasoning block, as a reader clicking its summary. */
  openReasoning(): void;
  /** Each reasoning on the page: unfolded?, its text, its blocks, laid out as one text would be? */
  reasoningShown(): [boolean, string, number, boolean][];
  __nativeRaf(cb: () => void): void;
  dispatchHost(message: unknown): void;
  countElements(selector: string): number;
  twoFrames(): Promise<void>;
  settleAtBottom(): Promise<void>;
  streamingTurnInView(): boolean;
}

async function dispatch(page: Page, message: PanelNotification): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as BenchWindow).dispatchHost(m), message);
}

/** Applies one token and returns the page's work for it (ms). */
async function timeToken(page: Page, message: PanelNotification): Promise<number> {
  return page.evaluate(async (m) => {
    const w = globalThis as unknown as BenchWindow;
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

/** Brings the turn about to stream into view, as for a reader following the answer. */
async function watchStream(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as BenchWindow).settleAtBottom());
  await assertInView(page);
}

async function assertInView(page: Page): Promise<void> {
  if (!(await page.evaluate(() => (globalThis as unknown as BenchWindow).streamingTurnInView()))) throw new Error('the streaming turn is off screen: its rendering would not be measured');
}

async function measure(page: Page, cells: number): Promise<Result> {
  await page.goto(PAGE_URL);
  await dispatch(page, { type: 'session', session: { question: 'Benchmark', model: 'bench', maxCodeCalls: 500, tier: 'isolated', tierNote: '' } });
  await dispatch(page, { type: 'events', events: historyEvents(cells) });
  const turn = cells;
  await dispatch(page, { type: 'events', events: [{ type: 'turn-start', turn }] });
  await watchStream(page);
  const samples: number[] = [];
  const tokens = streamedTokens(TOKENS);
  for (const [i, text] of tokens.entries()) {
    const ms = await timeToken(page, { type: 'events', events: [{ type: 'token', turn, text }] });
    if (i >= 20) samples.push(ms); // the first tokens warm up the JIT
  }
  await assertInView(page);
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

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

/** Part 1: one answer token against transcripts of 10, 200 and 1,000 cells. */
async function transcriptSizes(page: Page): Promise<void> {
  // Alternate the sizes so drift on a shared machine affects all alike.
  const sizes = [10, 200, 1000];
  const runs: Result[] = [];
  for (const cells of [...sizes, ...sizes]) runs.push(await measure(page, cells));
  const merged = (cells: number): Result => {
    const mine = runs.filter((r) => r.cells === cells);
    return { cells, samples: mine.flatMap((r) => r.samples), domNodes: mine[0]?.domNodes ?? 0 };
  };
  const results = sizes.map(merged);
  const base = summary(results[0]?.samples ?? []);
  console.log(`Apply one streamed answer token (dispatch + validation + frame render + layout), ${results[0]?.samples.length ?? 0} tokens per size`);
  console.log('| cells | DOM nodes | median | p90 | mean | ratio vs. 10 cells (median) |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const ratios: number[] = [];
  for (const r of results) {
    const st = summary(r.samples);
    const ratio = st.median / base.median;
    if (r.cells !== 10) ratios.push(ratio);
    console.log(`| ${r.cells} | ${r.domNodes} | ${fmt(st.median)} | ${fmt(st.p90)} | ${fmt(st.mean)} | ${ratio.toFixed(2)} |`);
  }
  const worst = Math.max(...ratios);
  console.log(`\nworst ratio against 10 cells: ${worst.toFixed(2)} (goal ≤ ${GOAL_SIZE_RATIO}: ${verdict(worst <= GOAL_SIZE_RATIO)})`);
}

/** Reasoning as reasoning models write it: paragraphs of a few lines, cut into 4-character tokens. */
function reasoningTokens(count: number): string[] {
  const paragraphs = [
    'Okay, so I need to find how many integers between 1 and 1000 are divisible by 3 or 5 but not by 7. Let me think about inclusion-exclusion first.\n',
    'Multiples of 3: floor(1000/3) = 333. Multiples of 5: 200. Multiples of 15: 66. So 333 + 200 - 66 = 467 are divisible by 3 or 5.\nNow remove those also divisible by 7.\n\n',
    'Wait, maybe I should just check this with code instead of by hand, since it is easy to make an off-by-one mistake with the floors. Hmm, but let me first reason about 21, 35 and 105.\n\n',
    'Multiples of 21: 47. Multiples of 35: 28. Multiples of 105: 9. So 47 + 28 - 9 = 66 numbers are divisible by 7 and by 3 or 5.\nThat gives 467 - 66 = 401. Let me double-check the arithmetic once more.\n\n',
  ];
  const source = paragraphs.join('');
  const tokens: string[] = [];
  for (let at = 0; tokens.length < count; at = (at + 4) % source.length) tokens.push(source.slice(at, at + 4));
  return tokens;
}

interface StreamResult {
  readonly reasoning: number[];
  readonly answer: number[];
}

/** Part 2: a long reasoning stream and then the answer, in one turn after a 10-cell history. */
async function measureReasoning(page: Page, unfolded: boolean): Promise<StreamResult> {
  await page.goto(PAGE_URL);
  await dispatch(page, { type: 'session', session: { question: 'Benchmark', model: 'bench', maxCodeCalls: 500, tier: 'isolated', tierNote: '' } });
  await dispatch(page, { type: 'events', events: historyEvents(10) });
  const turn = 10;
  await dispatch(page, { type: 'events', events: [{ type: 'turn-start', turn }] });
  await watchStream(page);
  await page.evaluate(() => {
    (globalThis as unknown as BenchWindow).__manualFrames = true;
  });
  const tokens = reasoningTokens(REASONING_TOKENS);
  const reasoning: number[] = [];
  // The reader unfolds the reasoning after its first 20 tokens; then 2,000 tokens per page.evaluate.
  for (let at = 0; at < tokens.length; at = at === 0 ? 20 : at + 2000) {
    const chunk = tokens.slice(at, at === 0 ? 20 : at + 2000);
    reasoning.push(...(await page.evaluate(({ turn, chunk }) => (globalThis as unknown as BenchWindow).streamTimed(turn, 'reasoning', chunk), { turn, chunk })));
    if (at === 0 && unfolded) await page.evaluate(() => (globalThis as unknown as BenchWindow).openReasoning());
  }
  const answer = await page.evaluate(({ turn, chunk }) => (globalThis as unknown as BenchWindow).streamTimed(turn, 'token', chunk), { turn, chunk: streamedTokens(TOKENS) });
  await assertInView(page);
  // The page must show exactly the streamed reasoning, once, folded or unfolded as the reader left it.
  const shown = await page.evaluate(() => (globalThis as unknown as BenchWindow).reasoningShown());
  const expected = tokens.join('');
  const [open, text, blocks, sameLayout] = shown[0] ?? [];
  if (shown.length !== 1 || text !== expected || open !== unfolded)
    throw new Error(`the reasoning shown differs from the reasoning streamed (${shown.length} reasonings, ${text?.length ?? 0} of ${expected.length} characters)`);
  if (unfolded && !sameLayout) throw new Error(`the reasoning in ${blocks ?? 0} blocks is laid out differently from one text`);
  return { reasoning, answer };
}

/** Flatness: the last 1,000 tokens cost at most 20 % more than tokens 1k–2k, or two timer ticks. */
function flat(early: number, late: number): boolean {
  return late <= early * GOAL_GROWTH_RATIO + 2 * TIMER_TICK_MS;
}

async function reasoningStreams(page: Page): Promise<void> {
  console.log(`\nA ${REASONING_TOKENS.toLocaleString('en-US')}-token reasoning stream, then ${TOKENS} answer tokens, one token per message, 10-cell transcript`);
  console.log('| reasoning | median | p90 | p99 | mean | tokens 1k–2k (median) | last 1k (median) | whole stream | answer token after it (median) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  let met = true;
  for (const unfolded of [false, true]) {
    const r = await measureReasoning(page, unfolded);
    const samples = r.reasoning.slice(20);
    const all = summary(samples);
    const p99 = quantile(
      [...samples].sort((a, b) => a - b),
      0.99,
    );
    const early = summary(r.reasoning.slice(1000, 2000)).median;
    const late = summary(r.reasoning.slice(-1000)).median;
    const total = r.reasoning.reduce((a, b) => a + b, 0);
    met &&= all.p90 <= GOAL_TOKEN_MS && flat(early, late);
    console.log(
      `| ${unfolded ? 'unfolded' : 'folded'} | ${fmt(all.median)} | ${fmt(all.p90)} | ${fmt(p99)} | ${fmt(all.mean)} | ${fmt(early)} | ${fmt(late)} | ${(total / 1000).toFixed(2)} s | ${fmt(summary(r.answer.slice(20)).median)} |`,
    );
  }
  console.log(`\ngoal ≤ ${GOAL_TOKEN_MS} ms per token (p90), last 1k ≤ ${GOAL_GROWTH_RATIO} × tokens 1k–2k (or + ${2 * TIMER_TICK_MS} ms): ${verdict(met)}`);
}

async function main(): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--headless'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await servePage(page);
    await page.goto(PAGE_URL);
    if (!(await page.evaluate(() => globalThis.crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated: timings would be coarse');
    const only = process.argv[process.argv.indexOf('--only') + 1];
    if (only !== 'reasoning') await transcriptSizes(page);
    if (only !== 'sizes') await reasoningStreams(page);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
