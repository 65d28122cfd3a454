// Renders one conversation: reasoning as markdown, each code cell with its live status and
// output, and the final answer. Model text and program output are untrusted: markdown is
// rendered without HTML, and output goes in through textContent only.
import type { SessionInfo, ViewEvent, ViewExecResult } from '../../src/views/messages';
import { highlightPython, renderMarkdown } from './markdown';
import { vscode } from './vscodeApi';

interface TurnView {
  readonly element: HTMLElement;
  readonly prose: HTMLElement;
  text: string;
  /** Where the turn's code block starts; prose renders up to here once the block is a cell. */
  codeOffset?: number;
  dirty: boolean;
}

interface CellView {
  readonly element: HTMLElement;
  readonly status: HTMLElement;
  readonly output: HTMLElement;
  readonly code: string;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'icon-button', label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

const STATUS_TEXT: Record<string, string> = { running: 'running…', ok: 'ok', error: 'error', 'timed-out': 'timed out', killed: 'killed', waiting: 'waiting for approval', skipped: 'not run' };

export class Transcript {
  private readonly turns = new Map<number, TurnView>();
  private readonly cells = new Map<number, CellView>();
  private frame: number | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly header: HTMLElement,
    private readonly answer: HTMLElement,
    private readonly status: HTMLElement,
    private readonly stopButton: HTMLButtonElement,
  ) {}

  showSession(session: SessionInfo): void {
    this.header.replaceChildren();
    this.header.append(el('div', 'question', session.question));
    const meta = el('div', 'meta');
    meta.append(el('span', 'model', session.model), el('span', `tier tier-${session.tier}`, session.tier === 'off' ? 'code not executed' : `sandbox: ${session.tier}`));
    meta.lastElementChild?.setAttribute('title', session.tierNote);
    this.header.append(meta);
    if (session.tier !== 'isolated') this.header.append(el('div', 'tier-note', session.tierNote));
    this.root.replaceChildren();
    this.turns.clear();
    this.cells.clear();
    this.answer.hidden = true;
    this.answer.replaceChildren();
    this.setStatus('Thinking…', true);
  }

  apply(events: readonly ViewEvent[]): void {
    for (const e of events) this.applyOne(e);
    this.scheduleRender();
  }

  private applyOne(e: ViewEvent): void {
    switch (e.type) {
      case 'turn-start': {
        const element = el('section', 'turn');
        const prose = el('div', 'prose');
        element.append(prose);
        this.root.append(element);
        this.turns.set(e.turn, { element, prose, text: '', dirty: false });
        break;
      }
      case 'token': {
        const turn = this.turns.get(e.turn);
        if (!turn) return;
        turn.text += e.text;
        turn.dirty = true;
        break;
      }
      case 'code': {
        const turn = this.turns.get(e.turn);
        if (!turn) return;
        turn.codeOffset = e.offsetInTurn;
        turn.dirty = true;
        this.addCell(turn, e.index, e.code);
        break;
      }
      case 'approval-request':
        this.askApproval(e.index);
        break;
      case 'exec-start':
        this.setCellStatus(e.index, 'running');
        this.setStatus(`Running code cell ${e.index + 1}…`, true);
        break;
      case 'exec-result':
        this.showResult(e.index, e.result);
        this.setStatus('Thinking…', true);
        break;
      case 'turn-end':
        break;
      case 'error':
        this.root.append(el('div', 'error-banner', e.message));
        break;
      case 'done':
        for (const [index, cell] of this.cells) if (cell.element.dataset.status === 'waiting') this.setCellStatus(index, 'skipped');
        this.showAnswer(e);
        break;
    }
  }

  private addCell(turn: TurnView, index: number, code: string): void {
    const element = el('div', 'cell');
    element.dataset.status = 'pending';
    element.dataset.index = String(index);
    const head = el('div', 'cell-head');
    const title = el('span', 'cell-title', `Python · cell ${index + 1}`);
    const status = el('span', 'cell-status', '');
    const actions = el('span', 'cell-actions');
    actions.append(
      button('Copy', 'Copy the code', () => vscode.postMessage({ type: 'copy', text: code })),
      button('Insert', 'Insert the code at the cursor', () => vscode.postMessage({ type: 'insert-code', code })),
    );
    head.append(title, status, actions);
    const pre = el('pre', 'cell-code');
    const codeEl = el('code', 'hljs language-python');
    codeEl.innerHTML = highlightPython(code); // highlight.js escapes the code it wraps
    pre.append(codeEl);
    const output = el('div', 'cell-output');
    element.append(head, pre, output);
    turn.element.append(element);
    this.cells.set(index, { element, status, output, code });
  }

  private askApproval(index: number): void {
    const cell = this.cells.get(index);
    if (!cell) return;
    this.setCellStatus(index, 'waiting');
    const bar = el('div', 'approval');
    bar.append(el('span', undefined, 'Run this code?'));
    const run = button('Run', 'Run this code in the sandbox', () => {
      bar.remove();
      vscode.postMessage({ type: 'approve', index, run: true });
    });
    const skip = button('Skip', 'Do not run it; the model is told it was declined', () => {
      bar.remove();
      this.setCellStatus(index, 'skipped');
      vscode.postMessage({ type: 'approve', index, run: false });
    });
    run.classList.add('primary');
    bar.append(run, skip);
    cell.element.append(bar);
    run.focus();
  }

  private setCellStatus(index: number, status: string, detail?: string): void {
    const cell = this.cells.get(index);
    if (!cell) return;
    cell.element.dataset.status = status;
    cell.status.textContent = detail ? `${STATUS_TEXT[status] ?? status} · ${detail}` : (STATUS_TEXT[status] ?? status);
  }

  private showResult(index: number, result: ViewExecResult): void {
    const cell = this.cells.get(index);
    if (!cell) return;
    const status = result.timedOut ? 'timed-out' : result.killed ? 'killed' : result.exitCode === 0 ? 'ok' : 'error';
    this.setCellStatus(index, status, `${(result.durationMs / 1000).toFixed(2)} s`);
    cell.output.replaceChildren();
    cell.output.append(el('div', 'output-label', 'Code Execution Results'));
    if (result.notice) cell.output.append(el('div', 'notice', result.notice));
    if (result.stdout) cell.output.append(el('pre', 'stdout', result.stdout));
    if (result.stderr) cell.output.append(el('pre', 'stderr', result.stderr));
    if (result.killMessage) cell.output.append(el('div', 'kill-message', result.killMessage));
    if (!result.stdout && !result.stderr && !result.killMessage) cell.output.append(el('div', 'no-output', result.exitCode === 0 ? 'no output' : `exited with status ${String(result.exitCode)}`));
    if (result.truncated) cell.output.append(el('div', 'truncated', 'Output truncated for the model; the full output is kept in the scratch folder.'));
    for (const a of result.artifacts) {
      const item = el('figure', 'artifact');
      if (a.src && a.mimeType.startsWith('image/')) {
        const img = el('img');
        img.src = a.src;
        img.alt = a.name;
        item.append(img);
      }
      item.append(el('figcaption', undefined, `${a.name} · ${formatBytes(a.sizeBytes)}`));
      cell.output.append(item);
    }
  }

  private showAnswer(e: Extract<ViewEvent, { type: 'done' }>): void {
    this.stopButton.disabled = true;
    this.answer.hidden = false;
    this.answer.replaceChildren();
    const summary = `${e.codeCalls} code call${e.codeCalls === 1 ? '' : 's'} · ${e.turns} turn${e.turns === 1 ? '' : 's'}`;
    if (e.answer !== null) {
      this.answer.className = 'answer-card';
      this.answer.append(el('div', 'answer-label', 'Final answer'), el('div', 'answer-text', e.answer), el('div', 'answer-meta', summary));
      this.setStatus(`Done · ${summary}`, false);
    } else {
      this.answer.className = 'answer-card no-answer';
      const why = e.reason === 'cancelled' ? 'Stopped.' : e.reason === 'budget' ? (e.message ?? 'The code-call budget is used up.') : e.reason === 'error' ? (e.message ?? 'Failed.') : 'The model gave no <<<answer>>>.';
      this.answer.append(el('div', 'answer-label', 'No final answer'), el('div', 'answer-text', why), el('div', 'answer-meta', summary));
      this.setStatus(e.reason === 'cancelled' ? 'Stopped' : 'Finished without an answer', false);
    }
  }

  private setStatus(text: string, busy: boolean): void {
    this.status.textContent = text;
    this.status.dataset.busy = String(busy);
  }

  /** Markdown is re-rendered at most once per animation frame, and only for turns that changed. */
  private scheduleRender(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      for (const turn of this.turns.values()) {
        if (!turn.dirty) continue;
        turn.dirty = false;
        turn.prose.innerHTML = renderMarkdown(turn.codeOffset !== undefined ? turn.text.slice(0, turn.codeOffset) : turn.text);
      }
      window.scrollTo({ top: document.body.scrollHeight });
    });
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
