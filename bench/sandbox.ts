// Sandbox latency benchmark: warm round trip of a trivial cell through the real
// sandbox (each available tier) vs a fresh `python3 -I -S -c pass` spawn measured in
// the same run; cold start of a new conversation with and without the pool's warm spare.
// Run: npx esbuild bench/sandbox.ts --bundle --platform=node --format=cjs --outfile=/tmp/bench-sandbox.js && node /tmp/bench-sandbox.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCodeRunner, detectIsolation, resolvePython, SandboxPool } from '../src/sandbox/index';

interface Row {
  readonly name: string;
  readonly samples: number[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function stats(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

async function warmRoundTrip(tier: 'isolated' | 'basic', iterations: number, root: string): Promise<Row> {
  const runner = await createCodeRunner({ scratchDir: join(root, `warm-${tier}`), isolation: tier === 'basic' ? 'basic' : 'auto' });
  try {
    for (let i = 0; i < 20; i++) await runner.runCell('x=1+1');
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await runner.runCell('x=1+1');
      samples.push(performance.now() - start);
    }
    return { name: `warm round trip, ${runner.tier} tier`, samples };
  } finally {
    await runner.dispose();
  }
}

/**
 * Issue 10 (10-many-folders.py): many empty folders must cost a later cell milliseconds, not
 * seconds. 19,000: as many as the default disk budget (20,000 entries) lets a sandbox keep.
 */
async function manyFolders(iterations: number, root: string): Promise<Row> {
  const runner = await createCodeRunner({ scratchDir: join(root, 'many-folders'), limits: { timeoutMs: 300_000 } });
  try {
    await runner.runCell('import os\nfor i in range(19_000):\n    os.mkdir(f"d{i}")');
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await runner.runCell(`open("f${i}.txt", "w").write("x")`);
      samples.push(performance.now() - start);
    }
    return { name: `cell writing a file, 19,000 empty folders in scratch, ${runner.tier}`, samples };
  } finally {
    await runner.dispose();
  }
}

function freshSpawn(executable: string, iterations: number): Row {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    execFileSync(executable, ['-I', '-S', '-c', 'pass']);
    samples.push(performance.now() - start);
  }
  return { name: 'fresh spawn python3 -I -S -c pass (baseline)', samples };
}

async function coldStart(tier: 'isolated' | 'basic', usePool: boolean, iterations: number, root: string): Promise<Row> {
  const samples: number[] = [];
  const isolation = tier === 'basic' ? 'basic' : 'auto';
  const pool = new SandboxPool({ scratchRoot: join(root, `pool-${tier}-${usePool}`), isolation });
  try {
    for (let i = 0; i < iterations; i++) {
      const dir = join(root, `pool-${tier}-${usePool}`, `conv-${i}`);
      if (usePool) {
        pool.prewarm();
        // Let the spare finish starting, as between two conversations in real use.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      const start = performance.now();
      const runner = usePool ? await pool.acquire(dir) : await createCodeRunner({ scratchDir: dir, isolation });
      await runner.runCell('x=1+1');
      samples.push(performance.now() - start);
      await runner.dispose();
    }
  } finally {
    await pool.dispose();
  }
  return { name: `cold start + first cell, ${tier}, ${usePool ? 'warm spare' : 'no spare'}`, samples };
}

async function main(): Promise<void> {
  const python = await resolvePython();
  const isolation = await detectIsolation();
  const tiers: Array<'isolated' | 'basic'> = isolation.tier === 'isolated' ? ['isolated', 'basic'] : ['basic'];
  const root = mkdtempSync(join(tmpdir(), 'r1ci-bench-'));
  const rows: Row[] = [];
  try {
    const baseline = freshSpawn(python.executable, 40);
    rows.push(baseline);
    for (const tier of tiers) rows.push(await warmRoundTrip(tier, 500, root));
    rows.push(await manyFolders(30, root));
    for (const tier of tiers) {
      rows.push(await coldStart(tier, false, 10, root));
      rows.push(await coldStart(tier, true, 10, root));
    }
    const base = stats(baseline.samples).median;
    console.log(`python ${python.version} (${python.executable}); best tier: ${isolation.tier}`);
    console.log(`| case | n | median | p90 | fresh spawn ÷ case (median) |`);
    console.log(`|---|---|---|---|---|`);
    for (const row of rows) {
      const { median, p90 } = stats(row.samples);
      console.log(`| ${row.name} | ${row.samples.length} | ${fmt(median)} | ${fmt(p90)} | ${(base / median).toFixed(1)}× |`);
    }
    const warmIsolated = rows.find((row) => row.name.includes('warm round trip, isolated'));
    if (warmIsolated) {
      const median = stats(warmIsolated.samples).median;
      console.log(
        `goal: warm isolated median ≤ 0.25 ms (issue 10): ${median <= 0.25 ? 'met' : 'NOT met'} (${fmt(median)}); ≥ 10× faster than a fresh spawn: ${base / median >= 10 ? 'met' : 'NOT met'} (${(base / median).toFixed(1)}×)`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
