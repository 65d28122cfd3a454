// One code cell: a collapsible card with its status (pending, waiting, running, ok, error, timed
// out, killed, not run), duration, the code, stdout and stderr told apart, images the code
// wrote, long outputs folded behind "Show all", and buttons to copy, insert and re-run it.
import type { TranscriptCommand, ViewExecResult } from '../../../src/vscode/conversation/transcriptProtocol';
import { button, codicon, el, formatBytes, iconButton, shown } from '../shared/dom';
import { highlightPython } from './markdown';
import { poster } from '../shared/vscodeApi';
import { codeForDisplay, escapeName, forDisplay } from '../../../src/sandbox/terminalText';

const post = poster<TranscriptCommand>();

export type CellStatus = 'pending' | 'waiting' | 'running' | 'ok' | 'error' | 'timed-out' | 'killed' | 'skipped';

const STATUS_TEXT: Record<CellStatus, string> = {
  pending: 'queued',
  waiting: 'waiting for approval',
  running: 'running…',
  ok: 'ok',
  error: 'error',
  'timed-out': 'timed out',
  killed: 'killed',
  skipped: 'not run',
};

/** The codicon shown before each status (the fonts need not have ● or ○). */
const STATUS_ICON: Record<CellStatus, string> = {
  pending: 'circle-outline',
  waiting: 'question',
  running: 'loading',
  ok: 'pass',
  error: 'error',
  'timed-out': 'watch',
  killed: 'close',
  skipped: 'circle-slash',
};

/** Outputs longer than this are folded; "Show all" reveals the rest. */
const FOLD_LINES = 24;
const FOLD_CHARS = 4000;

export class CellView {
  readonly element: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly statusIcon: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly body: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly output: HTMLElement;
  private readonly rerunButton: HTMLButtonElement;
  private approval: HTMLElement | undefined;

  constructor(
    readonly index: number,
    readonly code: string,
    /** Re-run needs a live conversation (not a finished panel whose host is gone). */
    canRerun: boolean,
  ) {
    this.element = el('div', 'cell');
    this.element.dataset['index'] = String(index);
    const bodyId = `cell-body-${index}`;
    const head = el('div', 'cell-head');
    this.toggle = button('', 'Collapse or expand this cell', () => this.setExpanded(this.toggle.getAttribute('aria-expanded') !== 'true'), 'cell-toggle');
    this.toggle.setAttribute('aria-expanded', 'true');
    this.toggle.setAttribute('aria-controls', bodyId);
    const title = el('span', 'cell-title');
    title.append(el('span', 'cell-language', 'Python · '), `cell ${index + 1}`);
    this.toggle.append(codicon('chevron-down'), title);
    // Status changes are announced (role=status is a polite live region); the icon is decoration.
    this.statusEl = el('span', 'cell-status');
    this.statusEl.setAttribute('role', 'status');
    this.statusIcon = codicon(STATUS_ICON.pending);
    this.statusText = el('span', 'cell-status-text');
    this.statusEl.append(this.statusIcon, this.statusText);
    const actions = el('span', 'cell-actions');
    actions.setAttribute('role', 'group');
    actions.setAttribute('aria-label', `Cell ${index + 1} actions`);
    this.rerunButton = iconButton('debug-rerun', 'Re-run', "Run this code again in the conversation's sandbox", () => post({ type: 'rerun', index }));
    this.rerunButton.hidden = !canRerun;
    actions.append(
      iconButton('copy', 'Copy', 'Copy the code', () => post({ type: 'copy', text: code })),
      iconButton('insert', 'Insert', 'Insert the code at the cursor in the editor', () => post({ type: 'insert-code', code })),
      this.rerunButton,
    );
    head.append(this.toggle, this.statusEl, actions);
    this.body = el('div', 'cell-body');
    this.body.id = bodyId;
    const pre = el('pre', 'cell-code');
    const codeEl = el('code', 'hljs language-python');
    // highlight.js escapes the code it wraps; the lines are Python's, controls, bidi overrides and
    // invisible characters are shown escaped, so the code you read (and approve) is the code that
    // runs ("Trojan Source"; codeForDisplay).
    codeEl.innerHTML = highlightPython(codeForDisplay(code));
    pre.append(codeEl);
    this.output = el('div', 'cell-output');
    this.body.append(pre, this.output);
    this.element.append(head, this.body);
    this.setStatus('pending');
  }

  setExpanded(expanded: boolean): void {
    this.toggle.setAttribute('aria-expanded', String(expanded));
    this.body.hidden = !expanded;
    this.element.classList.toggle('collapsed', !expanded);
    this.toggle.querySelector('.codicon')?.classList.replace(expanded ? 'codicon-chevron-right' : 'codicon-chevron-down', expanded ? 'codicon-chevron-down' : 'codicon-chevron-right');
  }

  get status(): CellStatus {
    return (this.element.dataset['status'] ?? 'pending') as CellStatus;
  }

  setStatus(status: CellStatus, detail?: string): void {
    this.element.dataset['status'] = status;
    const text = detail ? `${STATUS_TEXT[status]} · ${detail}` : STATUS_TEXT[status];
    this.statusText.textContent = shown(text);
    this.statusIcon.className = `codicon codicon-${STATUS_ICON[status]}${status === 'running' ? ' codicon-modifier-spin' : ''}`;
    this.statusEl.setAttribute('aria-label', shown(`Cell ${this.index + 1}: ${text}`));
    this.rerunButton.disabled = status === 'running' || status === 'waiting';
  }

  /**
   * Shows Run and Skip under the code. `focus`: the question takes the keyboard focus, so it is
   * announced and Tab reaches Run, unless the user is typing (a text field has the focus). Never
   * Run itself: the model decides when the question appears, and a key pressed for something else
   * at that moment (a space typed in the composer, Space scrolling the page, Enter) would click a
   * focused Run and run code the user never read.
   */
  askApproval(focus: boolean): void {
    this.setStatus('waiting');
    this.approval?.remove();
    const bar = el('div', 'approval');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', `Cell ${this.index + 1}: run this code in the sandbox?`);
    bar.tabIndex = -1;
    bar.append(el('span', undefined, 'Run this code in the sandbox?'));
    const run = button(
      'Run',
      'Run this code in the sandbox',
      () => {
        bar.remove();
        post({ type: 'approve', index: this.index, run: true });
      },
      'primary',
    );
    const skip = button('Skip', 'Do not run it; the model is told it was declined', () => {
      bar.remove();
      this.setStatus('skipped');
      post({ type: 'approve', index: this.index, run: false });
    });
    bar.append(run, skip);
    this.approval = bar;
    this.body.append(bar);
    if (focus && !typing()) bar.focus();
  }

  /** The conversation ended while this cell waited: it was never run. */
  settleUnanswered(): void {
    this.approval?.remove();
    if (this.status === 'waiting' || this.status === 'pending') this.setStatus('skipped');
  }

  showResult(result: ViewExecResult): void {
    this.approval?.remove();
    const status: CellStatus = result.timedOut ? 'timed-out' : result.killed ? 'killed' : result.exitCode === 0 ? 'ok' : 'error';
    this.setStatus(status, `${(result.durationMs / 1000).toFixed(2)} s`);
    const out = this.output;
    out.replaceChildren();
    out.append(el('div', 'output-label', 'Code Execution Results'));
    if (result.notice) out.append(el('div', 'notice', result.notice));
    if (result.stdout) out.append(stream('stdout', result.stdout));
    if (result.stderr) out.append(stream('stderr', result.stderr));
    if (result.killMessage) out.append(el('div', 'kill-message', result.killMessage));
    if (!result.stdout && !result.stderr && !result.killMessage) out.append(el('div', 'no-output', result.exitCode === 0 ? 'no output' : `exited with status ${String(result.exitCode)}`));
    if (result.truncated) out.append(el('div', 'truncated', 'Output truncated for the model; the full output is kept in a private folder outside the sandbox.'));
    for (const a of result.artifacts) {
      const item = el('figure', 'artifact');
      if (a.src && a.mimeType.startsWith('image/')) {
        const img = el('img');
        img.src = a.src;
        img.alt = `${escapeName(a.name)} (written by the code)`;
        item.append(img);
      }
      // A name as escapeName shows it: invisible characters too ("plot\u200b.png" is not "plot.png").
      item.append(el('figcaption', undefined, `${escapeName(a.name)} · ${formatBytes(a.sizeBytes)}`));
      out.append(item);
    }
  }
}

/** True while a text field (the chat's composer, any input) has the keyboard focus. */
function typing(): boolean {
  const active = document.activeElement;
  return active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement || (active instanceof HTMLElement && active.isContentEditable);
}

/**
 * stdout or stderr, labelled, folded when long. Program output goes in as text only, as a
 * terminal would leave it, with controls and bidi overrides shown escaped (terminalText.ts).
 */
function stream(kind: 'stdout' | 'stderr', raw: string): HTMLElement {
  const text = forDisplay(raw);
  const box = el('div', `stream stream-${kind}`);
  box.append(el('div', 'stream-label', kind));
  const pre = el('pre', kind);
  box.append(pre);
  const lines = text.split('\n');
  const long = lines.length > FOLD_LINES || text.length > FOLD_CHARS;
  if (!long) {
    pre.textContent = text;
    return box;
  }
  const head = lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  pre.textContent = head;
  pre.classList.add('folded');
  const more = button(
    `Show all (${lines.length} lines, ${formatBytes(text.length)})`,
    `Show the whole ${kind}`,
    () => {
      const folded = pre.classList.toggle('folded');
      pre.textContent = folded ? head : text;
      more.textContent = folded ? `Show all (${lines.length} lines, ${formatBytes(text.length)})` : 'Show less';
      more.setAttribute('aria-expanded', String(!folded));
    },
    'show-all',
  );
  more.setAttribute('aria-expanded', 'false');
  box.append(more);
  return box;
}
