// readArtifactCopy with the private root: a trajectory handed to "Insert into Notebook" (by any
// extension or a `command:` link) names its artifacts' copies by path, so only files inside the
// host-private root are ever read, however the path is spelled or what lies on the way.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifactCopy } from '../../../src/sandbox/artifacts';
import { REQUIRED_TIERS, removeDir, startRunner, tempDir } from './helpers';

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

// A picture's header can claim any size: a 45-byte PNG claiming 60000×60000 pixels (13 GiB
// decoded) was copied and handed by URL to the chat view's renderer, embedded in a notebook and
// returned to agents as an image. It is listed without a copy, so no view decodes it.
describe.each(REQUIRED_TIERS)('pictures whose header claims a huge size (%s tier)', (tier) => {
  it('are listed without a copy; an ordinary one is copied', async () => {
    const runner = await startRunner(tier);
    try {
      const header = (width: number, height: number): string => `b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR" + (${width}).to_bytes(4, "big") + (${height}).to_bytes(4, "big") + bytes(13)`;
      const result = await runner.runCell(`open("bomb.png", "wb").write(${header(60000, 60000)})\nopen("named.jpg", "wb").write(${header(20000, 20000)})\nopen("plot.png", "wb").write(${header(640, 480)})`);
      expect(result.exitCode).toBe(0);
      const byName = Object.fromEntries(result.artifacts.map((a) => [a.name, { copied: a.path !== undefined, notCopied: a.notCopied }]));
      expect(byName).toEqual({
        'bomb.png': { copied: false, notCopied: 'a picture whose header claims 60000×60000 pixels' },
        'named.jpg': { copied: false, notCopied: 'a picture whose header claims 20000×20000 pixels' },
        'plot.png': { copied: true, notCopied: undefined },
      });
    } finally {
      await runner.dispose();
    }
  });
});
