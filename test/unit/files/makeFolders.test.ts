// makeFolders: `mkdir -p` in bounded steps. Node's recursive mkdir never returns for a path
// under procfs (mkdir "/proc/x" is ENOENT while "/proc" exists): these tests would hang there.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFolders, makeFoldersSync } from '../../../src/files/makeFolders';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'r1ci-makefolders-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const forms = [
  ['makeFolders', (p: string, mode?: number) => makeFolders(p, mode)],
  ['makeFoldersSync', (p: string, mode?: number) => Promise.resolve().then(() => makeFoldersSync(p, mode))],
] as const;

describe.each(forms)('%s', (_name, make) => {
  it('ends with mkdir’s ENOENT for a folder under procfs, where a parent exists but cannot hold folders', async () => {
    await expect(make('/proc/r1ci-no-such-folder')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir', path: '/proc/r1ci-no-such-folder' });
    await expect(make('/proc/r1ci-no-such-folder/deeper/still')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir' });
    await expect(make('/proc/self/r1ci-no-such-folder')).rejects.toMatchObject({ code: 'ENOENT', syscall: 'mkdir' });
  });

  it('reads ".." after a link as the system does (the link’s target’s parent), as mkdir -p and later writes to the same path do', async () => {
    mkdirSync(join(root, 'elsewhere', 'deep'), { recursive: true });
    symlinkSync(join(root, 'elsewhere', 'deep'), join(root, 'link'));
    // Written by hand: join() and resolve() would drop "link/.." without looking at the link.
    await make(`${root}/link/../results/inner`);
    expect(statSync(join(root, 'elsewhere', 'results', 'inner')).isDirectory()).toBe(true);
    expect(existsSync(join(root, 'results'))).toBe(false);
  });

  it('creates every missing folder of a path, with the mode given, and does nothing for an existing folder', async () => {
    const deep = join(root, 'a', 'b', 'c');
    await make(deep, 0o700);
    for (const p of [join(root, 'a'), join(root, 'a', 'b'), deep]) {
      expect(statSync(p).isDirectory()).toBe(true);
      expect(statSync(p).mode & 0o777).toBe(0o700);
    }
    await make(deep);
    await make(root);
    await make('/');
  });

  it('follows a link to a folder, as mkdir -p does, and makes the rest below it', async () => {
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'link'));
    await make(join(root, 'link', 'x', 'y'));
    expect(existsSync(join(root, 'real', 'x', 'y'))).toBe(true);
  });

  it('names what is in the way: a dangling link, a file above the folder, a file at its name', async () => {
    symlinkSync(join(root, 'missing-target'), join(root, 'dangling'));
    await expect(make(join(root, 'dangling', 'x'))).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: join(root, 'dangling') });
    writeFileSync(join(root, 'file'), 'x');
    await expect(make(join(root, 'file', 'x', 'y'))).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: join(root, 'file') });
    await expect(make(join(root, 'file'))).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir', path: join(root, 'file') });
    expect(existsSync(join(root, 'missing-target'))).toBe(false);
  });

  it('reports a parent it may not write in as EACCES, unless running as root', async () => {
    mkdirSync(join(root, 'locked'));
    chmodSync(join(root, 'locked'), 0o500);
    const attempt = make(join(root, 'locked', 'x'));
    if (process.getuid?.() === 0) await attempt;
    else await expect(attempt).rejects.toMatchObject({ code: 'EACCES', syscall: 'mkdir' });
    chmodSync(join(root, 'locked'), 0o700);
  });
});

it('makeFolders: many callers making the same path at once all succeed', async () => {
  const target = join(root, 'p', 'q', 'r');
  await Promise.all(Array.from({ length: 16 }, () => makeFolders(target)));
  expect(statSync(target).isDirectory()).toBe(true);
});
