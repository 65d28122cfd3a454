// Red team on pictures the code writes (s39): an SVG's drawing cost is bounded by nothing the host
// can check cheaply, not its size (a few KB), not a header. A 1.4 KB file of `<use>` references
// five deep, ten each (100,000 shapes), held a Chromium page without a frame for 13 s; seven
// deep (1.6 KB) crashed the renderer, which in VS Code is the whole chat view or the notebook's
// outputs. The views drew every `image/*` artifact. Now they draw only pictures whose header
// bounds their decoding (DRAWN_IMAGE_TYPES); an SVG is listed as a file. The cell really runs in
// the sandbox and the artifacts are its host copies; the view's events are what the chat posts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAWN_IMAGE_TYPES } from '../../../src/sandbox/imageSize';
import type { CodeRunner } from '../../../src/sandbox';
import { toViewResult } from '../../../src/vscode/conversation/viewEvents';
import { REQUIRED_TIERS, startRunner } from '../sandbox/helpers';

/** Writes bomb.svg (nested `<use>`, `levels` deep, ten each) and a real 2×2 plot.png. */
const CELL = `
import struct, zlib
levels = 7
defs = '<g id="l0"><rect width="1" height="1"/><path d="M0 0 L1 1"/></g>'
for i in range(1, levels + 1):
    defs += '<g id="l%d">%s</g>' % (i, ''.join('<use href="#l%d" x="%d"/>' % (i - 1, j) for j in range(10)))
with open("bomb.svg", "w") as f:
    f.write('<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><defs>%s</defs><use href="#l%d"/></svg>' % (defs, levels))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\\x00" + b"\\xff\\x00\\x00" * 2 for _ in range(2))
with open("plot.png", "wb") as f:
    f.write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
print("written")
`;

describe.each(REQUIRED_TIERS)('an SVG the code wrote is listed, never drawn (%s tier)', (tier) => {
  let runner: CodeRunner;
  beforeAll(async () => {
    runner = await startRunner(tier);
  });
  afterAll(async () => {
    await runner.dispose();
  });

  it('a 1.6 KB SVG of nested <use> gets no picture URI in the chat view; a PNG does', async () => {
    const result = await runner.runCell(CELL);
    expect(result.stdout).toContain('written');
    const bomb = result.artifacts.find((a) => a.name === 'bomb.svg');
    // The host copy exists and is small: no size cap or header check could have caught it.
    expect(bomb).toMatchObject({ mimeType: 'image/svg+xml' });
    expect(bomb?.path).toBeDefined();
    expect(bomb?.sizeBytes).toBeLessThan(4096);
    const view = toViewResult(result, (path) => `https://webview.test${path}`);
    expect(view.artifacts.find((a) => a.name === 'bomb.svg')).toEqual({ name: 'bomb.svg', sizeBytes: bomb?.sizeBytes, mimeType: 'image/svg+xml', src: undefined });
    expect(view.artifacts.find((a) => a.name === 'plot.png')?.src).toMatch(/^https:\/\/webview\.test\//);
    // The notebook embeds pictures by the same rule (execOutputs.ts).
    expect(DRAWN_IMAGE_TYPES.has('image/svg+xml')).toBe(false);
  });
});
