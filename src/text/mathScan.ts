// Forward searches for math delimiters, shared by the webview's Markdown rules (mathSyntax.ts)
// and the notebook Markdown of a solution (notebookMarkdown.ts). Model text that loops ("$a $a
// …", a run of "\(" without "\)") would make every opener scan to the end of the text: quadratic,
// seconds of a frozen view or extension host for a 100 KB reply. These keep it linear.

/** The first match at or after `from` (an index into the text searched), or −1. */
export type Search = (from: number) => number;

/**
 * A search function that remembers, per `kind`, its last search in a text: nothing it looks for
 * lies in [from, found) (found −1: nowhere after from). Callers search at increasing positions,
 * so a run of openers without a closer reuses one scan. `kind` names what is searched for (one
 * delimiter, one search function); the same `kind` must always mean the same search.
 */
export function forwardSearch(): (kind: string, text: string, from: number, search: Search) => number {
  const last = new Map<string, { readonly text: string; readonly from: number; readonly found: number }>();
  return (kind, text, from, search) => {
    const hit = last.get(kind);
    if (hit && hit.text === text && from >= hit.from && (hit.found < 0 || from <= hit.found)) return hit.found;
    const found = search(from);
    last.set(kind, { text, from, found });
    return found;
  };
}

/**
 * Where a single `$` closes math, at or after `from`: not escaped, after a non-space, with no
 * digit after it ("$x$" is math, "$5 and $6" is money, as VS Code's notebook Markdown reads it). −1: nowhere.
 */
export function closingDollar(text: string, from: number): number {
  for (let end = from; ; end++) {
    end = text.indexOf('$', end);
    if (end < 0) return -1;
    if (text[end - 1] !== '\\' && !/\s/.test(text[end - 1] ?? ' ') && !/\d/.test(text[end + 1] ?? '')) return end;
  }
}
