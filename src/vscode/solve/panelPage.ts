// The solve panel's page; webview/src/solve/panelApp.ts finds its elements by these ids (the
// Stop button is #stop).

/** The solve panel's static layout; everything inside it is filled by the webview script. */
export const SOLVE_PANEL_BODY = `<header class="toolbar"><div id="session"></div><button id="stop" type="button" title="Stop: cancel the model and any running code" hidden><span class="codicon codicon-debug-stop" aria-hidden="true"></span> Stop</button></header>
<main id="transcript" aria-label="Solution"></main>
<footer id="status" role="status" aria-live="polite"></footer>`;
