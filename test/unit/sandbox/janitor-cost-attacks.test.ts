// Red team on the host work the scratch janitor does for a folder the sandbox filled (issue 10:
// host memory and time a cell causes stay bounded). A cell over its entry budget may still add
// names (it must be able to delete, so only bytes are watched then), so its scratch folder can
// hold millions of names; the age sweep at a window's start listed every old folder whole to date
// it: one of a million names cost 5 s of a libuv thread (every other file operation of the
// extension host waits behind it) and ~100 MiB of host memory. Really run through the runner, on
// both tiers; the names the janitor is handed are counted at node:fs/promises.
import type { Dir } from 'node:fs';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sweepScratchRoot } from '../../../src/sandbox/scratchJanitor';
import { fillWithLinks, removeDir, REQUIRED_TIERS, startRunner, tempDir } from './helpers';

/** The most names one listing of a folder under `watched` handed to its caller. */
const listed = vi.hoisted(() => ({ watched: '', most: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const inWatched = (path: unknown): boolean => listed.watched !== '' && String(path).startsWith(listed.watched);
  return {
    ...actual,
    readdir: async (...args: Parameters<typeof actual.readdir>) => {
      const names = await actual.readdir(...args);
      if (inWatched(args[0])) listed.most = Math.max(listed.most, names.length);
      return names;
    },
    opendir: async (...args: Parameters<typeof actual.opendir>): Promise<Dir> => {
      const dir = await actual.opendir(...args);
      if (!inWatched(args[0])) return dir;
      let count = 0;
      const read = dir.read.bind(dir);
      return Object.assign(dir, {
        read: async () => {
          const entry = await read();
          if (entry !== null) listed.most = Math.max(listed.most, ++count);
          return entry;
        },
      }) as Dir;
    },
  };
});

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeDir(root);
});

describe.each(REQUIRED_TIERS)('the scratch janitor over a folder a cell filled with names (%s tier)', (tier) => {
  it('the age sweep dates a folder of 50,000 names from at most its first 1,000, and removes it', async () => {
    const root = tempDir('janitor-cost');
    roots.push(root);
    const scratch = join(root, 'conversation');
    mkdirSync(scratch);
    // A small entry budget: the first cell is stopped at once, the next one adds names freely.
    const runner = await startRunner(tier, { scratchDir: scratch, limits: { timeoutMs: 90_000, diskEntries: 1_000 } });
    try {
      expect((await runner.runCell(fillWithLinks(50_000))).killed).toBe('disk');
      expect((await runner.runCell(fillWithLinks(50_000))).stdout).toBe('made 50000\n');
      // Its names straight in the scratch folder (what the sweep dates it by), a month old.
      expect(
        (
          await runner.runCell(
            'import os, time\nold = time.time() - 30 * 86400\nfor name in os.listdir("big"): os.rename("big/" + name, name)\nfor name in os.listdir(".") + ["."]: os.utime(name, (old, old), follow_symlinks=False)\nprint(len(os.listdir(".")) > 50000)',
          )
        ).stdout,
      ).toBe('True\n');
    } finally {
      await runner.dispose();
    }
    const old = new Date(Date.now() - 30 * 86_400_000);
    utimesSync(scratch, old, old);
    listed.watched = scratch;
    try {
      expect(await sweepScratchRoot(root, { maxAgeDays: 7 })).toEqual([scratch]);
    } finally {
      listed.watched = '';
    }
    expect(existsSync(scratch)).toBe(false);
    expect(listed.most).toBeLessThanOrEqual(1_000);
  });
});
