// Renders the math placeholders markdown.ts leaves (escaped TeX as text) with KaTeX. KaTeX's DOM
// API sets its layout styles through the CSSOM, which the webview's CSP (no inline style
// attributes) allows; trust stays off, so \href, \url and HTML extensions are refused.
import katex from 'katex';
import 'katex/dist/katex.min.css';

export function typesetMath(root: ParentNode): void {
  for (const element of root.querySelectorAll<HTMLElement>('.math[data-display]')) {
    const tex = element.textContent ?? '';
    const displayMode = element.dataset['display'] === '1';
    element.removeAttribute('data-display');
    try {
      katex.render(tex, element, { displayMode, throwOnError: false, trust: false, strict: 'ignore', maxSize: 50, maxExpand: 500, output: 'htmlAndMathml' });
    } catch {
      // Leave the TeX as text; KaTeX reports parse errors inline itself (throwOnError: false).
      element.textContent = tex;
    }
    element.title = tex;
  }
}
