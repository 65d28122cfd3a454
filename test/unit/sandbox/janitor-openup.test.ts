// The janitor's second pass (openUp): when rm fails on folders the sandbox made mode 000 (as a
// non-root user; CI runs as root, where rm needs no help, so the failure is simulated here by
// an rm whose first run fails), every folder is given rwx again and rm runs once more. A
// sandbox can plant millions of names in one folder: openUp reads each folder a batch at a
// time (never listed whole) and visits a bounded number of entries in all, then stops with an
// error that says so.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openUp, OpenUpBoundError, removeTree } from '../../../src/sandbox/scratchJanitor';
import { removeDir, tempDir } from './helpers';

/** The most names one readdir of a folder under `watched` handed to its caller; rm runs left to fail. */
const state = vi.hoisted(() => ({ watched: '', most: 0, rmFailures: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readdir: async (...args: Parameters<typeof actual.readdir>) => {
      const names = await actual.readdir(...args);
      if (state.watched !== '' && String(args[0]).startsWith(state.watched)) state.most = Math.max(state.most, names.length);
      return names;
    },
  };
});

// rm(1) as a non-root user meets a mode-000 folder: it fails, and the folder is still there.
vi.mock('execa', async (importOriginal) => {
  const actual = await importOriginal<typeof import('execa')>();
  return {
    ...actual,
    execa: (...args: Parameters<typeof actual.execa>) => {
      if (args[0] === 'rm' && state.rmFailures > 0) {
        state.rmFailures--;
        return Promise.resolve({ exitCode: 1, stderr: 'rm: cannot remove: Permission denied', stdout: '' });
      }
      return actual.execa(...args);
    },
  };
});

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) {
    // Whatever a failing test left closed, opened for the clean-up.
    await openUp(root, Number.MAX_SAFE_INTEGER).catch(() => undefined);
    removeDir(root);
  }
});

const NAMES = 5_000;
const LOCKED = ['a', 'a/b', 'a/b/c', 'z'];

/** A scratch folder of NAMES files beside mode-000 folders (nested, each holding a file). */
function plantedTree(): string {
  const root = tempDir('janitor-openup');
  roots.push(root);
  const dir = join(root, 'scratch');
  mkdirSync(dir);
  for (let i = 0; i < NAMES; i++) writeFileSync(join(dir, `f${i}`), '');
  for (const folder of LOCKED) {
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, folder, 'inside'), 'x');
  }
  for (const folder of [...LOCKED].reverse()) chmodSync(join(dir, folder), 0o000);
  return dir;
}

describe('the janitor opens up mode-000 folders in bounded work', () => {
  it('gives every folder rwx again, reading no folder whole', async () => {
    const dir = plantedTree();
    state.watched = dir;
    state.most = 0;
    try {
      await openUp(dir);
    } finally {
      state.watched = '';
    }
    for (const folder of LOCKED) expect(statSync(join(dir, folder)).mode & 0o777, folder).toBe(0o700);
    expect(state.most).toBeLessThanOrEqual(256);
  });

  it('stops past its bound of entries with an error naming the folder and the bound', async () => {
    const dir = plantedTree();
    const error = await openUp(dir, 1_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenUpBoundError);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain('1000 entries');
  });

  it('removeTree, when rm fails on them (as a non-root user), opens them up and removes the tree', async () => {
    const dir = plantedTree();
    state.rmFailures = 1;
    await removeTree(dir);
    expect(state.rmFailures).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});
