// The math rules scan ahead for a closing delimiter. A reply full of openers without closers
// ("$a $a $a …", a run of "\(") made every opener scan to the end of the paragraph: quadratic,
// seconds of a frozen view for 90 KB. The work must stay linear: counted here as the
// characters String.prototype.indexOf is asked to search (timing goals live in bench/).
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../webview/src/transcript/markdown';
import { charactersSearched } from '../../support/searchWork';

describe('math delimiters without a closer', () => {
  it.each([
    ['single dollars', '$a '],
    ['\\( openers', '\\( '],
    ['\\[ openers', '\\[ '],
    ['$$ openers', '$$a '],
  ])('%s: work grows linearly with the text', (_name, unit) => {
    const small = charactersSearched(() => renderMarkdown(unit.repeat(2_000)));
    const large = charactersSearched(() => renderMarkdown(unit.repeat(8_000)));
    // Four times the text: about four times the work (quadratic would be sixteen).
    expect(large).toBeLessThan(small * 6);
  });

  it.each([
    ['\\[ lines', '\\[\n'],
    ['$$ lines with text', '$$ x\n\n'],
  ])('block %s: work grows linearly with the lines', (_name, unit) => {
    const small = charactersSearched(() => renderMarkdown(unit.repeat(1_000)));
    const large = charactersSearched(() => renderMarkdown(unit.repeat(4_000)));
    expect(large).toBeLessThan(small * 6);
  });

  it('still pairs the delimiters it did', () => {
    expect(renderMarkdown('$a $b$ and $x$, \\(p\\) \\(q\\)')).toBe(
      '<p><span class="math" data-display="0">a $b</span> and <span class="math" data-display="0">x</span>, <span class="math" data-display="0">p</span> <span class="math" data-display="0">q</span></p>\n',
    );
    expect(renderMarkdown('\\[\nx\n\\]\n\n\\[\ny\n\\]')).toBe('<div class="math math-display" data-display="1">x</div>\n<div class="math math-display" data-display="1">y</div>\n');
  });
});
