// The results view's page markup, apart from the panel (no `vscode` here) so it is unit-tested on its own.
/**
 * The results view's static layout; the script (webview/src/eval/results.ts) fills it. Until the
 * first data message only a loading line shows: the sections, headings included, stay hidden, so
 * the view never shows bare headings over nothing (issue 13).
 */
export const RESULTS_BODY = `<header class="toolbar">
  <h1 id="title">Evaluation results</h1>
  <span class="spacer"></span>
  <button id="compare" type="button" title="Show another results file side by side">Compare…</button>
  <button id="export-md" type="button">Export Markdown</button>
  <button id="export-csv" type="button">Export CSV</button>
</header>
<p id="loading" role="status">Loading results…</p>
<main id="results" hidden>
  <section id="overall" aria-label="Overall"></section>
  <section aria-label="Accuracy per task"><h2>Accuracy per task</h2><div id="chart"></div></section>
  <section aria-label="Table"><h2>Per task</h2><div id="table"></div></section>
  <section id="samples" aria-label="Samples" hidden><h2>Samples: pass@k and improvement potential</h2><div id="samples-body"></div></section>
  <section aria-label="Failures"><h2 id="failures-title">Failures</h2><div id="failures"></div></section>
</main>`;
