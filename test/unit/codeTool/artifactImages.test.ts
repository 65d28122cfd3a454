// Images are read from a folder the model's code owns: whatever it planted under an image's name
// (a link to a host file, a linked folder, a FIFO, a hard link) is never read or sent.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifactImages } from '../../../src/codeTool/artifactImages';
import type { Artifact } from '../../../src/sandbox';

const base = mkdtempSync(join(tmpdir(), 'r1ci-images-'));
const scratch = join(base, 'scratch');
const hostDir = join(base, 'host');
mkdirSync(scratch);
mkdirSync(hostDir);
const secret = join(hostDir, 'secret.png');
writeFileSync(secret, 'host secret');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function png(name: string): Artifact {
  return { name, path: join(scratch, name), sizeBytes: 11, mimeType: 'image/png' };
}

describe('readArtifactImages', () => {
  it('reads a regular image in scratch', async () => {
    writeFileSync(join(scratch, 'plot.png'), 'png bytes!!');
    const images = await readArtifactImages(scratch, [png('plot.png')]);
    expect(images.map((i) => [i.name, i.mimeType, i.data.toString()])).toEqual([['plot.png', 'image/png', 'png bytes!!']]);
  });

  it('never reads through a planted link, a linked folder, a hard link or a FIFO', async () => {
    symlinkSync(secret, join(scratch, 'link.png'));
    symlinkSync(hostDir, join(scratch, 'out'));
    linkSync(secret, join(scratch, 'hard.png'));
    execFileSync('mkfifo', [join(scratch, 'fifo.png')]);
    const started = Date.now();
    const images = await readArtifactImages(scratch, [png('link.png'), png('out/secret.png'), png('hard.png'), png('fifo.png'), png('../host/secret.png')]);
    expect(images).toEqual([]);
    // The FIFO did not block the host.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('skips what is not an image or too big, and stops at the cap', async () => {
    writeFileSync(join(scratch, 'a.png'), 'x');
    writeFileSync(join(scratch, 'b.png'), 'x');
    writeFileSync(join(scratch, 'data.csv'), 'x');
    const csv: Artifact = { name: 'data.csv', path: join(scratch, 'data.csv'), sizeBytes: 1, mimeType: 'text/csv' };
    const big: Artifact = { ...png('a.png'), sizeBytes: 100 * 1024 * 1024 };
    expect(await readArtifactImages(scratch, [csv, big])).toEqual([]);
    expect(await readArtifactImages(scratch, [png('a.png'), png('b.png')], 1)).toHaveLength(1);
  });
});
