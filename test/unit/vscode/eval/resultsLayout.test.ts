// The results view before its data arrives: a loading line, and no section heading over nothing
// (issue 13). The script (webview/src/eval/results.ts) shows the sections on the first data
// message; the eval e2e suite checks that side in the workbench.
import { describe, expect, it } from 'vitest';
import { RESULTS_BODY } from '../../../../src/vscode/eval/resultsLayout';

/** The markup inside the first <main …>…</main>, with its opening tag. */
function mainElement(html: string): { open: string; inner: string } {
  const m = /(<main\b[^>]*>)([\s\S]*?)<\/main>/.exec(html);
  if (!m) throw new Error('no <main> in the results page');
  return { open: m[1] ?? '', inner: m[2] ?? '' };
}

describe('results view layout before data', () => {
  it('hides every section heading until the data arrives', () => {
    const headings = RESULTS_BODY.match(/<h2\b/g) ?? [];
    const main = mainElement(RESULTS_BODY);
    expect(headings.length).toBeGreaterThan(0);
    // All section headings live in <main>, and <main> starts hidden.
    expect(main.inner.match(/<h2\b/g) ?? []).toHaveLength(headings.length);
    expect(main.open).toMatch(/\shidden(\s|>|=)/);
    expect(main.open).toMatch(/\sid="results"/);
  });

  it('says it is loading, outside the hidden part, as a status for screen readers', () => {
    const loading = /<(\w+)\b[^>]*\bid="loading"[^>]*>([^<]*)</.exec(RESULTS_BODY);
    expect(loading?.[0]).toMatch(/role="status"/);
    expect(loading?.[2]).toMatch(/Loading results/);
    expect(mainElement(RESULTS_BODY).inner).not.toContain('id="loading"');
  });
});
