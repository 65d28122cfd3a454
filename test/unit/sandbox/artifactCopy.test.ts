// readArtifactCopy with the private root: a trajectory handed to "Insert into Notebook" (by any
// extension or a `command:` link) names its artifacts' copies by path, so only files inside the
// host-private root are ever read, however the path is spelled or what lies on the way.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifactCopy } from '../../../src/sandbox/artifacts';
import { removeDir, tempDir } from './helpers';

const base = tempDir('artifact-copy');
const privateRoot = join(base, 'private');
const runner = join(privateRoot, 'runner-1');
const outside = join(base, 'home');
mkdirSync(runner, { recursive: true });
mkdirSync(outside);
writeFileSync(join(runner, 'plot.png'), 'PNG-copy');
writeFileSync(join(outside, 'id_rsa'), 'host-secret');
writeFileSync(join(base, 'private-sibling'), 'host-secret');
symlinkSync(outside, join(runner, 'linked-folder'));

afterAll(() => removeDir(base));

describe('readArtifactCopy inside the private root', () => {
  it('reads a copy inside the private root', async () => {
    expect((await readArtifactCopy(join(runner, 'plot.png'), 1024, privateRoot))?.toString()).toBe('PNG-copy');
  });

  it.each([
    ['a host file named directly', () => join(outside, 'id_rsa')],
    ['a path that climbs out with ..', () => join(runner, '..', '..', 'home', 'id_rsa')],
    ['a name that only starts like the root', () => join(base, 'private-sibling')],
    ['a folder link inside the root that leads out', () => join(runner, 'linked-folder', 'id_rsa')],
  ])('never reads %s', async (_name, path) => {
    expect(await readArtifactCopy(path(), 1024, privateRoot)).toBeUndefined();
  });
});
