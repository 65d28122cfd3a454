// Webviews show text from the model, its code and task files: every control character and bidi
// override reaches the page escaped, whether it goes in as plain text (the DOM helpers) or as
// prose (renderMarkdown), so "report\u202Efdp.exe" cannot read as "reportexe.pdf".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { button, el, shown } from '../../../webview/src/shared/dom';
import { renderMarkdown } from '../../../webview/src/transcript/markdown';

const HOSTILE = 'report\u202Efdp.exe\u202C \x1b]0;OWNED\x07 \x9b2J \u2066iso\u2069 \u200Fmark\r!';
const RAW_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Just enough of `document` for el(): elements are plain records of what was set. */
function fakeDocument(): void {
  vi.stubGlobal('document', {
    createElement: (tag: string) => ({ tagName: tag, className: '', textContent: null as string | null, title: '', type: '', addEventListener: () => undefined }),
  });
}
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('shown', () => {
  it('writes controls and bidi overrides escaped, keeps tab, newline and ordinary text', () => {
    expect(shown(HOSTILE)).not.toMatch(RAW_CONTROL);
    expect(shown(HOSTILE)).toContain('report\\u202efdp.exe\\u202c');
    expect(shown('a\tb\r\nc — ünïcode 你好 مرحبا')).toBe('a\tb\nc — ünïcode 你好 مرحبا');
  });
});

describe('the DOM helpers', () => {
  it('el() and button() put text in escaped', () => {
    fakeDocument();
    const figcaption = el('figcaption', undefined, `${HOSTILE} · 1.0 KiB`);
    expect(figcaption.textContent).not.toMatch(RAW_CONTROL);
    expect(figcaption.textContent).toContain('report\\u202efdp.exe');
    const b = button(HOSTILE, `title ${HOSTILE}`, () => undefined);
    expect(b.textContent).not.toMatch(RAW_CONTROL);
    expect(b.title).not.toMatch(RAW_CONTROL);
  });
});

describe('renderMarkdown', () => {
  it('shows controls and bidi overrides in prose, code spans and fenced code escaped', () => {
    const html = renderMarkdown(`Saved ${HOSTILE}\n\nRun \`x = 1 ${HOSTILE}\`\n\n\`\`\`python\nif admin:\u202E\u2066 # ok\u2069\u2066\n    pass\n\`\`\`\n`);
    expect(html).not.toMatch(RAW_CONTROL);
    expect(html).toContain('report\\u202efdp.exe');
    expect(html).toContain('\\u2066');
  });
});
