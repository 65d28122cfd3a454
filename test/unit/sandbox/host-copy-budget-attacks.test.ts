// Red team on the host's artifact copies (issue 10, round 3): the copies live in the runner's
// host-private folder and are held to one budget (`SandboxLimits.artifactHostBytes`) for the
// runner's whole life. A cell that writes hundreds of EMPTY files, each in folders of its own,
// costs nothing in file bytes, yet every copy is a host inode and every folder a host block:
// 200 such cells left 72,000 entries and 126 MiB on the host while the budget counted 0 bytes.
// What the copies hold on the host's disk (blocks, one at least per file and per folder) must
// stay within the budget. The same holds for the full outputs kept for "show all": 20 cells of
// 30 MiB output each left 600 MiB on the host. Really run on both tiers (as root in CI).
// The list of a cell's files itself is bounded too: 200 files with long names that JSON escapes
// six times over (not UTF-8) or three times (emoji), eight folders deep, made the supervisor's own
// "done" reply longer than the host's 1 MiB line limit; the cell was stopped as a "protocol
// violation" and lost its interpreter.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox/index';
import { FULL_OUTPUTS_HOST_BYTES } from '../../../src/sandbox/runner';
import { REQUIRED_TIERS, startRunner } from './helpers';

const MiB = 1024 ** 2;
const BUDGET = 2 * MiB;

/** Entries below `dir` and the disk they take (allocated blocks, at least 4 KiB each as the file systems here count them). */
function hostUse(dir: string): { entries: number; bytes: number } {
  let entries = 0;
  let bytes = 0;
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      const stat = lstatSync(child);
      entries++;
      bytes += Math.max(stat.blocks * 512, 4096);
      if (stat.isDirectory()) walk(child);
    }
  };
  walk(dir);
  return { entries, bytes };
}

/** 40 empty files four folders deep, each chain its own, and 160 empty files beside them. */
const EMPTY_FILES = ['import os', 'for i in range(40):', '    d = f"a{i}/b/c/d"', '    os.makedirs(d, exist_ok=True)', '    open(f"{d}/e{i}", "w").close()', 'for i in range(160):', '    open(f"z{i}", "w").close()'].join(
  '\n',
);

describe.each(REQUIRED_TIERS)("the host's artifact copies, attacked (%s tier)", (tier) => {
  let runner: CodeRunner | undefined;
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
  });

  it('empty files and their folders count against the host copy budget', async () => {
    runner = await startRunner(tier, { limits: { artifactHostBytes: BUDGET } });
    let copies: string | undefined;
    let refused = 0;
    for (let cell = 0; cell < 20; cell++) {
      const result = await runner.runCell(EMPTY_FILES);
      expect(result.killed).toBeUndefined();
      expect(result.artifacts.length).toBe(200);
      copies ??= result.artifacts.find((artifact) => artifact.path !== undefined)?.path?.split('/artifacts/')[0];
      refused += result.artifacts.filter((artifact) => artifact.notCopied === 'host copy budget used up').length;
    }
    expect(copies).toBeDefined();
    const use = hostUse(join(copies ?? '', 'artifacts'));
    // Without a charge per entry this is 7,220 entries and about 28 MiB.
    expect(use.bytes).toBeLessThanOrEqual(BUDGET);
    expect(refused).toBeGreaterThan(0);
    // Small files still come out while there is room: the first cell's were all copied.
    const fresh = await startRunner(tier, { limits: { artifactHostBytes: BUDGET } });
    try {
      const first = await fresh.runCell(EMPTY_FILES);
      expect(first.artifacts.filter((artifact) => artifact.path !== undefined).length).toBe(200);
    } finally {
      await fresh.dispose();
    }
  });

  it('full outputs kept for "show all", cell after cell, stay within a host budget; the latest is whole', async () => {
    runner = await startRunner(tier, { limits: { timeoutMs: 20_000 } });
    // 15 MiB on each stream: under the output limit (32 MiB), so every cell keeps a full output.
    const flood = 'import os\nb = b"q" * 1048576\nfor _ in range(15): os.write(1, b)\nfor _ in range(15): os.write(2, b)';
    let last: string | undefined;
    for (let cell = 0; cell < 12; cell++) {
      const result = await runner.runCell(flood);
      expect(result.killed).toBeUndefined();
      expect(result.truncated).toBe(true);
      last = result.fullOutputPath;
      expect(last).toBeDefined();
    }
    const folder = dirname(last ?? '');
    const held = readdirSync(folder).reduce((sum, name) => sum + lstatSync(join(folder, name)).blocks * 512, 0);
    // Without a budget: 12 × 30 MiB = 360 MiB.
    expect(held).toBeLessThanOrEqual(FULL_OUTPUTS_HOST_BYTES);
    expect(existsSync(last ?? '')).toBe(true);
    expect(statSync(last ?? '').size).toBeGreaterThanOrEqual(30 * MiB);
  });

  it.each([
    ['not UTF-8', 'bytes([0xff]) * 250', 'bytes([0xfe]) * 200'],
    ['emoji', '"\\U0001F600".encode() * 62', '"\\U0001F600".encode() * 50'],
  ])('200 files with long names (%s), eight folders deep: the list of them stays within the protocol, the state is kept', async (_kind, folder, file) => {
    runner = await startRunner(tier);
    const first = await runner.runCell(
      ['import os', 'kept = 1', 'p = b"."', 'for _ in range(8):', `    p += b"/" + ${folder}`, '    os.mkdir(p)', 'for i in range(200):', `    open(p + b"/%03d" % i + ${file}, "wb").close()`, 'print("made")'].join('\n'),
    );
    expect({ stdout: first.stdout, killed: first.killed, killMessage: first.killMessage }).toEqual({ stdout: 'made\n', killed: undefined, killMessage: undefined });
    const next = await runner.runCell('print(kept)');
    expect({ stdout: next.stdout, notice: next.notice }).toEqual({ stdout: '1\n', notice: undefined });
  });
});
