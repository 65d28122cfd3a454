// Images are read only from the runner's host-private copies, and even a copy is read without
// following a link: whatever sits under a copy's name (a link to a host file, a hard link, a
// FIFO) is never read or sent, and an artifact without a copy (over the caps) is skipped.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifactImages } from '../../../src/codeTool/artifactImages';
import type { Artifact } from '../../../src/sandbox';

const base = mkdtempSync(join(tmpdir(), 'r1ci-images-'));
const copies = join(base, 'copies');
const hostDir = join(base, 'host');
mkdirSync(copies);
mkdirSync(hostDir);
const secret = join(hostDir, 'secret.png');
writeFileSync(secret, 'host secret');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function png(name: string): Artifact {
  return { name, path: join(copies, name), sizeBytes: 33, mimeType: 'image/png' };
}

/** The signature and IHDR chunk of a PNG of `width`×`height` (33 bytes): what the size check reads. */
function header(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(b);
  b.write('IHDR', 12);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

describe('readArtifactImages', () => {
  it('reads the copy of a regular image', async () => {
    writeFileSync(join(copies, 'plot.png'), header(640, 480));
    const images = await readArtifactImages([png('plot.png')]);
    expect(images.map((i) => [i.name, i.mimeType, i.data])).toEqual([['plot.png', 'image/png', header(640, 480)]]);
  });

  it('never reads through a link, a hard link or a FIFO, and skips an artifact without a copy', async () => {
    symlinkSync(secret, join(copies, 'link.png'));
    linkSync(secret, join(copies, 'hard.png'));
    execFileSync('mkfifo', [join(copies, 'fifo.png')]);
    const uncopied: Artifact = { name: 'big.png', sizeBytes: 11, mimeType: 'image/png' };
    const images = await readArtifactImages([png('link.png'), png('hard.png'), png('fifo.png'), uncopied]);
    // A FIFO opened for reading would block with no writer: the call returning at all shows it was not.
    expect(images).toEqual([]);
  });

  it('skips what is not an image or too big, and stops at the cap', async () => {
    writeFileSync(join(copies, 'a.png'), header(1, 1));
    writeFileSync(join(copies, 'b.png'), header(1, 1));
    writeFileSync(join(copies, 'data.csv'), 'x');
    const csv: Artifact = { name: 'data.csv', path: join(copies, 'data.csv'), sizeBytes: 1, mimeType: 'text/csv' };
    const big: Artifact = { ...png('a.png'), sizeBytes: 100 * 1024 * 1024 };
    expect(await readArtifactImages([csv, big])).toEqual([]);
    expect(await readArtifactImages([png('a.png'), png('b.png')], 1)).toHaveLength(1);
  });
});

// A header can claim any size: a 45-byte PNG claiming 60000×60000 pixels, handed back as an image,
// made the agent's model API refuse every later request of the conversation (more than 8000
// pixels a side), and a client that decodes it allocates 13 GiB. Such images are only named.
describe('readArtifactImages and the size a header claims', () => {
  it('returns a PNG of an ordinary size and skips one whose header claims 60000×60000 pixels', async () => {
    writeFileSync(join(copies, 'small.png'), header(640, 480));
    writeFileSync(join(copies, 'bomb.png'), header(60000, 60000));
    const images = await readArtifactImages([png('small.png'), png('bomb.png')]);
    expect(images.map((i) => i.name)).toEqual(['small.png']);
  });

  // An AVIF, or an ICO holding a PNG of any size, named `plot.png`: the client decodes by content
  // formats whose size is read nowhere, and a model API refuses a conversation holding an image it
  // cannot decode. Only pictures whose size was read are returned.
  // A model API refuses an image whose content is not the type it is sent as (a GIF as image/png),
  // and takes no BMP: either would break every later request of the agent.
  it('gives the type of the content, whatever the name, and skips a BMP', async () => {
    const gif = Buffer.from([...Buffer.from('GIF89a'), 1, 0, 1, 0, 0, 0, 0, 0x3b]);
    const bmp = Buffer.alloc(54);
    bmp.write('BM');
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(1, 18);
    bmp.writeInt32LE(1, 22);
    writeFileSync(join(copies, 'gif.png'), gif);
    writeFileSync(join(copies, 'bmp.png'), bmp);
    const images = await readArtifactImages([png('gif.png'), png('bmp.png')]);
    expect(images.map((i) => [i.name, i.mimeType])).toEqual([['gif.png', 'image/gif']]);
  });

  it('skips a picture whose size cannot be read', async () => {
    writeFileSync(join(copies, 'avif.png'), Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from('ftypavif\0\0\0\0avifmif1miaf')]));
    writeFileSync(join(copies, 'text.png'), 'png bytes!!');
    expect(await readArtifactImages([png('avif.png'), png('text.png')])).toEqual([]);
  });
});
