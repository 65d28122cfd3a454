// readArtifactCopy with the private root: a trajectory handed to "Insert into Notebook" (by any
// extension or a `command:` link) names its artifacts' copies by path, so only files inside the
// host-private root are ever read, however the path is spelled or what lies on the way.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readArtifactCopy } from '../../../src/sandbox/artifacts';
import { UNREADABLE_IMAGE } from '../../../src/sandbox/imageSize';
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

// Pictures whose size the header check could not read were copied and left to the decoder: an
// AVIF, or an ICO holding a PNG, named `plot.png` (renderers sniff the content), a TIFF (which a
// model API cannot decode), and a JPEG whose frame header came after 256 KiB of metadata, however
// large it claimed to be. An OS/2 BMP (16-bit sizes) was refused as claiming a huge size.
describe.each(REQUIRED_TIERS)('pictures whose size cannot be read (%s tier)', (tier) => {
  it('are listed without a copy; a JPEG with large metadata and an OS/2 BMP are read', async () => {
    const runner = await startRunner(tier);
    try {
      const cell = [
        'import struct',
        'def png(w, h):',
        '    return b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR" + struct.pack(">II", w, h) + bytes(17)',
        'def jpeg(w, h):',
        '    metadata = b"".join(b"\\xff\\xe1\\xff\\xff" + bytes(65533) for _ in range(5))',
        '    return b"\\xff\\xd8" + metadata + b"\\xff\\xc0\\x00\\x11\\x08" + struct.pack(">HH", h, w) + bytes(12)',
        'icon = png(60000, 60000)',
        'open("icon.png", "wb").write(struct.pack("<HHHBBBBHHII", 0, 1, 1, 0, 0, 0, 0, 1, 32, len(icon), 22) + icon)',
        'open("avif.png", "wb").write(b"\\x00\\x00\\x00\\x1cftypavif" + bytes(4) + b"avifmif1miaf")',
        'open("scan.png", "wb").write(b"II*\\x00\\x08\\x00\\x00\\x00" + bytes(8))',
        'open("text.png", "w").write("not a picture")',
        'open("huge.jpg", "wb").write(jpeg(65000, 65000))',
        'open("photo.jpg", "wb").write(jpeg(640, 480))',
        'open("os2.png", "wb").write(b"BM" + bytes(12) + struct.pack("<IHHHH", 12, 640, 480, 1, 24))',
      ].join('\n');
      const result = await runner.runCell(cell);
      expect(result.stderr).toBe('');
      const byName = Object.fromEntries(result.artifacts.map((a) => [a.name, { copied: a.path !== undefined, notCopied: a.notCopied }]));
      const unreadable = { copied: false, notCopied: `a picture whose header ${UNREADABLE_IMAGE}` };
      expect(byName).toEqual({
        'avif.png': unreadable,
        'huge.jpg': { copied: false, notCopied: 'a picture whose header claims 65000×65000 pixels' },
        'icon.png': unreadable,
        'os2.png': { copied: true, notCopied: undefined },
        'photo.jpg': { copied: true, notCopied: undefined },
        'scan.png': unreadable,
        'text.png': unreadable,
      });
    } finally {
      await runner.dispose();
    }
  });
});

// A GIF's size is its screen grown to hold every frame (imageSize.ts), but only its first 256 KiB
// were read: a frame past them that claimed 65000×65000 pixels left the small screen's size and
// the picture was copied for the decoder.
describe.each(REQUIRED_TIERS)('an animated GIF (%s tier)', (tier) => {
  it('is read to its last frame: a huge frame after 256 KiB of small ones is refused', async () => {
    const runner = await startRunner(tier);
    try {
      const cell = [
        'import struct',
        'def frame(w, h, pixels):',
        '    data = b"".join(bytes([255]) + bytes(255) for _ in range(pixels))',
        '    return b"\\x2c" + struct.pack("<HHHH", 0, 0, w, h) + b"\\x00\\x02" + data + b"\\x00"',
        'def gif(last):',
        '    head = b"GIF89a" + struct.pack("<HH", 64, 64) + b"\\x80\\x00\\x00" + bytes(6)',
        '    return head + b"".join(frame(64, 64, 100) for _ in range(20)) + frame(last, last, 1) + b"\\x3b"',
        'open("huge.gif", "wb").write(gif(65000))',
        'open("small.gif", "wb").write(gif(64))',
      ].join('\n');
      const result = await runner.runCell(cell);
      expect(result.stderr).toBe('');
      const byName = Object.fromEntries(result.artifacts.map((a) => [a.name, { copied: a.path !== undefined, notCopied: a.notCopied }]));
      expect(byName).toEqual({
        'huge.gif': { copied: false, notCopied: 'a picture whose header claims 65000×65000 pixels' },
        'small.gif': { copied: true, notCopied: undefined },
      });
    } finally {
      await runner.dispose();
    }
  });
});
