// HTML escaping for text the extension writes into HTML it builds (webview shells, notebook
// outputs): one function, so every such place escapes the same five characters.

/** `text` safe as HTML text and as a double- or single-quoted attribute value: `& < > " '` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
