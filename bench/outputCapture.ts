// Output capture benchmark (issue 11 item 6): what collapsing redraws and removing escape
// sequences while capturing (output-capture.ts, terminalText.ts) costs per MiB of cell output.
// Plain output (no `\r`, backspace or ESC) takes the fast path and should cost about what finding
// the end-of-cell marker costs (the baseline, measured in the same run). Goal: plain ≤ 5 ms/MiB.
//
// Run: node scripts/build.mjs && npm run bench -- outputCapture
import { StreamCapture } from '../src/sandbox/output-capture';

const MARKER = Buffer.from('\0r1ci-bench-end\0', 'latin1');
const CHUNK = 64 * 1024; // what a pipe hands over per read
const GOAL_PLAIN_MS_PER_MIB = 5;

/** `mib` MiB of output in pipe-sized chunks. */
function chunks(line: (i: number) => string, mib: number): Buffer[] {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < mib * 1024 * 1024; i++) {
    const l = line(i);
    parts.push(l);
    size += l.length;
  }
  const all = Buffer.from(parts.join(''));
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) out.push(all.subarray(at, at + CHUNK));
  return out;
}

/** Median ms per MiB of `run` over the chunks. */
function msPerMiB(data: Buffer[], run: (data: Buffer[]) => void): number {
  const bytes = data.reduce((n, b) => n + b.length, 0);
  const times: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    run(data);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return (times[3] ?? 0) / (bytes / 1024 / 1024);
}

const capture = (data: Buffer[]): void => {
  const c = new StreamCapture(MARKER, 64 * 1024, '/nonexistent/bench-spill'); // never spills: only the head is kept
  for (const chunk of data) c.push(chunk);
  c.push(MARKER);
};
// Baseline: only finding the marker, as any capture must.
const markerOnly = (data: Buffer[]): void => {
  for (const chunk of data) if (chunk.indexOf(MARKER) >= 0) throw new Error('marker in data');
};

const plain = chunks((i) => `line ${i}: ${'x'.repeat(60)}\n`, 16);
const bar = chunks((i) => `\r${String(i % 101).padStart(3)}%|${'#'.repeat((i % 101) / 5)}| ${i}/100000 [00:00<00:00, 9999.99it/s]`, 16);
const coloured = chunks((i) => `\x1b[32mok\x1b[0m line ${i}\n`, 16);

const rows = [
  ['marker search only (baseline)', msPerMiB(plain, markerOnly)],
  ['plain lines', msPerMiB(plain, capture)],
  ['progress bar (\\r redraws)', msPerMiB(bar, capture)],
  ['coloured lines (ESC sequences)', msPerMiB(coloured, capture)],
] as const;
for (const [name, ms] of rows) console.log(`${name.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms/MiB`);
const plainMs = rows[1][1];
console.log(`goal: plain ≤ ${GOAL_PLAIN_MS_PER_MIB} ms/MiB — ${plainMs <= GOAL_PLAIN_MS_PER_MIB ? 'met' : 'MISSED'}`);
if (plainMs > GOAL_PLAIN_MS_PER_MIB) process.exitCode = 1;
