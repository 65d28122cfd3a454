// Renders one conversation, for the panel and the chat alike: questions, reasoning as markdown
// (incrementally, see IncrementalProse), each code cell with its live status and output, and an
// answer card per question. Model text and program output are untrusted: markdown is rendered
// without HTML, and output goes in through textContent only.
import type { ViewEvent } from '../../src/views/messages';
import { CellView } from './cellView';
import { button, el } from './dom';
import { IncrementalProse } from './incrementalProse';
import { vscode } from './vscodeApi';

export interface TranscriptOptions {
  /** The chat shows each question in the transcript; the panel shows its one question in a header. */
  readonly showQuestions: boolean;
  readonly onStatus: (text: string, busy: boolean) => void;
  readonly onDone?: (event: Extract<ViewEvent, { type: 'done' }>) => void;
}

interface TurnView {
  readonly element: HTMLElement;
  readonly prose: IncrementalProse;
  /** The folded reasoning, created on the turn's first reasoning text. */
  reasoning?: ReasoningView;
}

/**
 * A turn's reasoning: a <details> closed by default whose summary says it is streaming, and whose
 * body is one text node that grows in place (O(1) per token, no markdown: reasoning is scratch).
 */
class ReasoningView {
  readonly element: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly text: Text;

  constructor() {
    this.element = el('details', 'reasoning');
    this.summary = el('summary', 'reasoning-summary', 'Thinking…');
    const body = el('div', 'reasoning-text');
    this.text = document.createTextNode('');
    body.append(this.text);
    this.element.append(this.summary, body);
  }

  append(text: string): void {
    this.text.appendData(text);
  }

  /** The turn's reasoning is complete. */
  settle(): void {
    this.summary.textContent = `Reasoning (${this.text.length.toLocaleString('en-US')} characters)`;
  }
}

/** How close to the bottom (px) counts as "following" the stream, so new output scrolls into view. */
const FOLLOW_SLACK = 48;

export class Transcript {
  private readonly turns = new Map<number, TurnView>();
  private readonly cells = new Map<number, CellView>();
  private readonly dirty = new Set<TurnView>();
  private frame: number | undefined;
  private runs = 0;
  private live = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: TranscriptOptions,
  ) {}

  reset(): void {
    this.root.replaceChildren();
    this.turns.clear();
    this.cells.clear();
    this.dirty.clear();
    this.runs = 0;
  }

  get isEmpty(): boolean {
    return this.root.childElementCount === 0;
  }

  /** Whether cells can still be re-run (the host keeps the conversation's sandbox). */
  setLive(live: boolean): void {
    this.live = live;
  }

  apply(events: readonly ViewEvent[]): void {
    const follow = this.isFollowing();
    for (const e of events) this.applyOne(e);
    this.scheduleRender(follow);
  }

  private applyOne(e: ViewEvent): void {
    switch (e.type) {
      case 'question': {
        if (!this.options.showQuestions) break;
        const bubble = el('section', 'question-bubble');
        bubble.setAttribute('aria-label', 'Question');
        bubble.append(el('div', 'question-text', e.text), el('div', 'question-meta', e.model));
        this.root.append(bubble);
        break;
      }
      case 'turn-start': {
        const element = el('section', 'turn');
        const proseEl = el('div', 'prose');
        element.append(proseEl);
        this.root.append(element);
        this.turns.set(e.turn, { element, prose: new IncrementalProse(proseEl) });
        this.options.onStatus('Thinking…', true);
        break;
      }
      case 'reasoning': {
        const turn = this.turns.get(e.turn);
        if (!turn) return;
        if (!turn.reasoning) {
          turn.reasoning = new ReasoningView();
          turn.element.prepend(turn.reasoning.element);
        }
        turn.reasoning.append(e.text);
        break;
      }
      case 'token': {
        const turn = this.turns.get(e.turn);
        if (!turn) return;
        turn.reasoning?.settle();
        turn.prose.append(e.text);
        this.dirty.add(turn);
        break;
      }
      case 'code': {
        const turn = this.turns.get(e.turn);
        if (!turn) return;
        turn.prose.cutAt(e.offsetInTurn);
        this.dirty.add(turn);
        turn.reasoning?.settle();
        const cell = new CellView(e.index, e.code, this.live);
        if (e.source === 'reasoning' || e.source === 'tool-call') cell.element.dataset.source = e.source;
        this.cells.get(e.index)?.element.remove();
        this.cells.set(e.index, cell);
        turn.element.append(cell.element);
        break;
      }
      case 'approval-request':
        this.cells.get(e.index)?.askApproval(true);
        this.options.onStatus(`Cell ${e.index + 1} waits for your approval`, true);
        break;
      case 'exec-start':
        this.cells.get(e.index)?.setStatus('running');
        this.options.onStatus(`Running code cell ${e.index + 1}…`, true);
        break;
      case 'exec-result':
        this.cells.get(e.index)?.showResult(e.result);
        this.options.onStatus('Thinking…', true);
        break;
      case 'turn-end':
        this.turns.get(e.turn)?.reasoning?.settle();
        break;
      case 'notice':
        this.root.append(el('div', 'notice-banner', e.message));
        break;
      case 'error':
        this.root.append(el('div', 'error-banner', e.message));
        break;
      case 'warning':
        this.root.append(el('div', 'warning-banner', e.message));
        break;
      case 'done':
        for (const cell of this.cells.values()) cell.settleUnanswered();
        this.root.append(this.answerCard(e, this.runs++));
        this.options.onDone?.(e);
        break;
    }
  }

  private answerCard(e: Extract<ViewEvent, { type: 'done' }>, run: number): HTMLElement {
    const card = el('section', e.answer !== null ? 'answer-card' : 'answer-card no-answer');
    card.setAttribute('aria-label', e.answer !== null ? 'Final answer' : 'No final answer');
    const summary = `${e.codeCalls} code call${e.codeCalls === 1 ? '' : 's'} · ${e.turns} turn${e.turns === 1 ? '' : 's'}`;
    const actions = el('div', 'answer-actions');
    if (e.answer !== null) {
      const answer = e.answer;
      const from = e.answerSource === 'code-output' ? ' · printed by the code' : e.answerSource === 'model-boxed' ? ' · written as \\boxed{}' : '';
      card.append(el('div', 'answer-label', 'Final answer'), el('div', 'answer-text', answer), el('div', 'answer-meta', summary + from));
      actions.append(button('Copy answer', 'Copy the final answer', () => vscode.postMessage({ type: 'copy', text: answer })));
      this.options.onStatus(`Done · ${summary}`, false);
    } else {
      const why = e.reason === 'cancelled' ? 'Stopped.' : e.reason === 'budget' ? (e.message ?? 'The code-call budget is used up.') : e.reason === 'error' ? (e.message ?? 'Failed.') : 'The model gave no <<<answer>>>.';
      card.append(el('div', 'answer-label', 'No final answer'), el('div', 'answer-text', why), el('div', 'answer-meta', summary));
      this.options.onStatus(e.reason === 'cancelled' ? 'Stopped' : 'Finished without an answer', false);
    }
    if (e.codeCalls > 0 || e.answer !== null) actions.append(button('Open in notebook', 'Open this solution as a Jupyter notebook', () => vscode.postMessage({ type: 'open-notebook', run })));
    if (actions.childElementCount > 0) card.append(actions);
    return card;
  }

  private isFollowing(): boolean {
    const scroller = document.scrollingElement ?? document.documentElement;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK;
  }

  /** Markdown is rendered at most once per animation frame, and only for turns that changed. */
  private scheduleRender(follow: boolean): void {
    if (follow) this.follow = true;
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      for (const turn of this.dirty) turn.prose.render();
      this.dirty.clear();
      if (this.follow) {
        this.follow = false;
        const scroller = document.scrollingElement ?? document.documentElement;
        scroller.scrollTop = scroller.scrollHeight;
      }
    });
  }
  private follow = false;
}
