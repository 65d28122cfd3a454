// Markdown for untrusted model text: no raw HTML, no images (nothing loads from the network),
// links only to web addresses and opened by the host, code highlighted, <<<answer>>> marked,
// and math ($…$, $$…$$, \(…\), \[…\]) left as escaped placeholders that typesetMath() fills.
import MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import { mathBlockRule, mathInlineRule } from './mathSyntax';
import { forwardSearch } from '../../../src/text/mathScan';
import { shown } from '../shared/dom';

hljs.registerLanguage('python', python);
hljs.registerAliases(['py', 'python3'], { languageName: 'python' });

const md: MarkdownIt = new MarkdownIt({
  html: false,
  linkify: false,
  breaks: false,
  highlight(code, language) {
    const lang = language.toLowerCase();
    if (hljs.getLanguage(lang)) return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    return '';
  },
});
md.disable('image');
md.validateLink = (url: string): boolean => /^https?:\/\//i.test(url.trim());

/** Forward searches of the final-answer rule: a run of `<<<` without a `>>>` reuses one scan (mathScan.ts). */
const searchAnswerClose = forwardSearch();

/**
 * `<<<answer>>>` inline is the model's final-answer marker: the answer card shows it, so the
 * prose does not repeat it (issue 13: each thing said once). The closing `>>>` is searched once
 * per run of openers, so a reply of `<<<<…` without a closer costs linear time.
 */
md.inline.ruler.before('emphasis', 'final_answer', (state: StateInline, silent: boolean): boolean => {
  const start = state.pos;
  if (!state.src.startsWith('<<<', start)) return false;
  const src = state.src;
  const end = searchAnswerClose('>>>', src, start + 3, (from) => src.indexOf('>>>', from));
  if (end < 0) return false;
  if (!silent) {
    const token = state.push('final_answer', 'mark', 0);
    token.content = state.src.slice(start + 3, end);
  }
  state.pos = end + 3;
  return true;
});
md.renderer.rules.final_answer = () => '';

// Math: before `escape`, which would otherwise eat the backslash of \( and \[.
md.inline.ruler.before('escape', 'math_inline', mathInlineRule);
md.block.ruler.before('fence', 'math_block', mathBlockRule, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
md.renderer.rules.math_inline = (tokens, idx, _options, env: MathBudget) => mathPlaceholder(tokens[idx]?.content ?? '', tokens[idx]?.meta === 'display', 'span', env);
md.renderer.rules.math_block = (tokens, idx, _options, env: MathBudget) => mathPlaceholder(tokens[idx]?.content ?? '', true, 'div', env);

/**
 * Characters of TeX one expression may have to be typeset, and all the expressions of one
 * rendered text together. KaTeX's output grows ~150 bytes per input character and its time
 * with it (a 200,000-character `$x+x+…$` took 33 s and 30 MB of HTML): hostile model text must
 * not hold the view. A real formula is far shorter; past either cap the TeX is shown as source.
 */
export const MAX_TEX_CHARS = 5_000;
export const MAX_TEX_CHARS_PER_TEXT = 20_000;

/** The markdown-it env of one `renderMarkdown` call: TeX characters handed to KaTeX so far. */
interface MathBudget {
  texChars?: number;
}

/**
 * The TeX stays escaped text until typesetMath() renders it through KaTeX's DOM API; past the
 * caps above it stays source (a code span or block), which typesetMath never picks up.
 */
function mathPlaceholder(tex: string, display: boolean, tag: 'span' | 'div', env: MathBudget): string {
  const used = env.texChars ?? 0;
  if (tex.length > MAX_TEX_CHARS || used + tex.length > MAX_TEX_CHARS_PER_TEXT) {
    const source = md.utils.escapeHtml(tex);
    return tag === 'div' ? `<pre class="math-source"><code>${source}</code></pre>\n` : `<code class="math-source">${source}</code>`;
  }
  env.texChars = used + tex.length;
  return `<${tag} class="math${display ? ' math-display' : ''}" data-display="${display ? '1' : '0'}">${md.utils.escapeHtml(tex)}</${tag}>${tag === 'div' ? '\n' : ''}`;
}

/**
 * Model text as HTML: controls and bidi overrides shown escaped first (`shown`), so prose and
 * its code blocks read as what they are; markdown-it then escapes whatever HTML it holds.
 */
export function renderMarkdown(text: string): string {
  const budget: MathBudget = {};
  return md.render(shown(text), budget);
}

export function highlightPython(code: string): string {
  return hljs.highlight(code, { language: 'python', ignoreIllegals: true }).value;
}
