// The reasoning of one turn, rendered incrementally while it streams. Text is split at block
// boundaries (a blank line outside a code fence or display math): everything before the last
// boundary is rendered once and frozen, and only the live tail after it is re-rendered. So a
// new token costs the size of the growing block, not of the turn or the conversation.
import { renderMarkdown } from './markdown';
import { typesetMath } from './typeset';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export class IncrementalProse {
  private text = '';
  /** Prose shows the text up to here (the turn's code block becomes a cell from there on). */
  private limit = Number.POSITIVE_INFINITY;
  /** Text before this offset is rendered in frozen blocks. */
  private frozenUpTo = 0;
  /** Boundary scan state: up to where complete lines were scanned, and what they left open. */
  private scannedUpTo = 0;
  private fence: string | null = null;
  private inMath = false;
  private lastBoundary = 0;
  private readonly tail: HTMLElement;
  private renderedTail = '';

  constructor(readonly element: HTMLElement) {
    this.tail = document.createElement('div');
    this.tail.className = 'prose-block live';
    element.append(this.tail);
  }

  append(text: string): void {
    this.text += text;
  }

  /** Stops the prose at `offset` (where the code block starts). */
  cutAt(offset: number): void {
    this.limit = offset;
  }

  /** Brings the DOM up to date with the text; called at most once per animation frame. */
  render(): void {
    const visible = Math.min(this.text.length, this.limit);
    this.scan(visible);
    const boundary = Math.min(this.lastBoundary, visible);
    if (boundary > this.frozenUpTo) {
      const block = document.createElement('div');
      block.className = 'prose-block';
      block.innerHTML = renderMarkdown(this.text.slice(this.frozenUpTo, boundary));
      typesetMath(block);
      this.tail.before(block);
      this.frozenUpTo = boundary;
    }
    const tailText = this.text.slice(this.frozenUpTo, visible);
    if (tailText === this.renderedTail) return;
    this.renderedTail = tailText;
    // markdown-it escapes all text and drops raw HTML (html: false); see markdown.ts.
    this.tail.innerHTML = tailText.trim() === '' ? '' : renderMarkdown(tailText);
    typesetMath(this.tail);
  }

  /** Scans complete lines up to `end` for block boundaries, once per line. */
  private scan(end: number): void {
    for (;;) {
      const newline = this.text.indexOf('\n', this.scannedUpTo);
      if (newline < 0 || newline >= end) return;
      const line = this.text.slice(this.scannedUpTo, newline);
      this.scannedUpTo = newline + 1;
      const trimmed = line.trim();
      if (this.fence !== null) {
        if (trimmed.startsWith(this.fence) && trimmed.replace(/^[`~]+/, '').trim() === '') this.fence = null;
        continue;
      }
      const fence = FENCE.exec(line);
      if (fence?.[1]) {
        this.fence = fence[1];
        continue;
      }
      const toggles = (line.match(/\$\$/g)?.length ?? 0) + (trimmed.startsWith('\\[') ? 1 : 0) + (trimmed.endsWith('\\]') ? 1 : 0);
      if (toggles % 2 === 1) this.inMath = !this.inMath;
      if (trimmed === '' && !this.inMath) this.lastBoundary = this.scannedUpTo;
    }
  }
}
