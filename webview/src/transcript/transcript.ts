// Renders one conversation, for the panel and the chat alike: questions, reasoning as markdown
// (incrementally, see IncrementalProse), each code cell with its live status and output, and an
// answer card per question. Model text and program output are untrusted: markdown is rendered
// without HTML, and output goes in through textContent only.
import type { ProblemAction, TranscriptCommand, ViewEvent } from '../../../src/vscode/conversation/transcriptProtocol';
import type { AnswerSource } from '../../../src/trajectory/trajectory';
import { CellView } from './cellView';
import { button, el, iconButton, shown } from '../shared/dom';
import { IncrementalProse } from './incrementalProse';
import { poster } from '../shared/vscodeApi';

/** Where the answer card says its answer came from (see answerSourceSchema), after the call counts. */
const ANSWER_FROM: Record<AnswerSource, string> = {
  model: '',
  'model-boxed': ' · written as \\boxed{}',
  'code-output': ' · printed by the code',
  reasoning: ' · written in the reasoning',
  'reasoning-boxed': ' · written as \\boxed{} in the reasoning',
};

const post = poster<TranscriptCommand>();

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
 * Characters after which the reasoning's growing block is closed at the next line break. The
 * browser lays out a text node whole whenever it changes, so one text node for all the reasoning
 * would make each token cost the length of the reasoning (20,000 tokens: ~80,000 characters);
 * in blocks of about this size a token only lays out the last block (bench/render.ts).
 */
const REASONING_BLOCK_CHARS = 2048;

/**
 * A turn's reasoning: a <details> closed by default whose summary says it is streaming, and whose
 * body is plain text (no markdown: reasoning is scratch) that grows in place. The text is held in
 * blocks cut right after a line break, so the blocks show exactly what one text would.
 */
class ReasoningView {
  readonly element: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly body: HTMLElement;
  /** The growing block. */
  private text: Text;
  private length = 0;

  constructor() {
    this.element = el('details', 'reasoning');
    this.summary = el('summary', 'reasoning-summary', 'Thinking…');
    this.body = el('div', 'reasoning-text');
    this.text = this.newBlock();
    this.element.append(this.summary, this.body);
  }

  append(text: string): void {
    this.length += text.length;
    const lineEnd = this.text.length + text.length > REASONING_BLOCK_CHARS ? text.lastIndexOf('\n') : -1;
    if (lineEnd < 0) return this.text.appendData(shown(text));
    this.text.appendData(shown(text.slice(0, lineEnd + 1)));
    this.text = this.newBlock();
    this.text.appendData(shown(text.slice(lineEnd + 1)));
  }

  /** The turn's reasoning is complete. */
  settle(): void {
    this.summary.textContent = `Reasoning (${this.length.toLocaleString('en-US')} characters)`;
  }

  private newBlock(): Text {
    const block = el('div', 'reasoning-block');
    const text = document.createTextNode('');
    block.append(text);
    this.body.append(block);
    return text;
  }
}

/**
 * Top-level entries (questions, turns, banners, answer cards) per page of the transcript. The
 * browser lays out every child of a container whose content changed, so with all entries in one
 * container each streamed token would cost the length of the conversation; in pages it costs
 * about the number of pages plus one page (bench/render.ts, 1,000 cells). Pages are plain
 * <div>s without box or margins, so they change nothing on screen.
 */
const PAGE_ENTRIES = 32;

/** How close to the bottom (px) counts as "following" the stream, so new output scrolls into view. */
const FOLLOW_SLACK = 48;

export class Transcript {
  private readonly turns = new Map<number, TurnView>();
  private readonly cells = new Map<number, CellView>();
  private readonly dirty = new Set<TurnView>();
  private frame: number | undefined;
  private runs = 0;
  private live = true;
  /** The page new entries go to (see PAGE_ENTRIES). */
  private page: HTMLElement | undefined;
  /** The error banner of the run in progress: its "done" card takes the message over. */
  private lastError: HTMLElement | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: TranscriptOptions,
  ) {}

  reset(): void {
    this.root.replaceChildren();
    this.page = undefined;
    this.turns.clear();
    this.cells.clear();
    this.dirty.clear();
    this.runs = 0;
    this.lastError = undefined;
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
        this.add(bubble);
        break;
      }
      case 'turn-start': {
        const element = el('section', 'turn');
        const proseEl = el('div', 'prose');
        element.append(proseEl);
        this.add(element);
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
        this.add(el('div', 'notice-banner', e.message));
        break;
      case 'error': {
        const banner = el('div', 'error-banner', e.message);
        banner.setAttribute('role', 'alert');
        this.add(banner);
        this.lastError = banner;
        break;
      }
      case 'warning':
        this.add(el('div', 'warning-banner', e.message));
        break;
      case 'done': {
        for (const cell of this.cells.values()) cell.settleUnanswered();
        // An error that ended the run is said once, in the card where the run ends.
        const error = this.lastError;
        this.lastError = undefined;
        let message = e.message;
        if (error && e.reason === 'error') {
          message = message ?? error.textContent ?? undefined;
          error.remove();
        }
        this.add(this.answerCard({ ...e, message }, this.runs++));
        this.options.onDone?.(e);
        break;
      }
    }
  }

  /** Appends a top-level entry to the last page, starting a new page when it is full. */
  private add(entry: HTMLElement): void {
    if (!this.page || this.page.childElementCount >= PAGE_ENTRIES) {
      this.page = el('div', 'transcript-page');
      this.root.append(this.page);
    }
    this.page.append(entry);
  }

  private answerCard(e: Extract<ViewEvent, { type: 'done' }>, run: number): HTMLElement {
    const card = el('section', e.answer !== null ? 'answer-card' : `answer-card no-answer reason-${e.reason}`);
    const summary = `${e.codeCalls} code call${e.codeCalls === 1 ? '' : 's'} · ${e.turns} turn${e.turns === 1 ? '' : 's'}`;
    const actions = el('div', 'answer-actions');
    // The card is the one place the outcome is shown; the status line only announces it to
    // screen readers (it is visually hidden once the run is over).
    if (e.answer !== null) {
      const answer = e.answer;
      const from = e.answerSource === undefined ? '' : ANSWER_FROM[e.answerSource];
      card.setAttribute('aria-label', shown(`Final answer: ${answer}. ${summary}${from}`));
      card.append(el('div', 'answer-label', 'Final answer'), el('div', 'answer-text', answer), el('div', 'answer-meta', summary + from));
      actions.append(iconButton('copy', 'Copy answer', 'Copy the final answer', () => post({ type: 'copy', text: answer })));
      this.options.onStatus(`Final answer: ${answer}`, false);
    } else {
      const why = e.reason === 'cancelled' ? 'Stopped.' : e.reason === 'budget' ? (e.message ?? 'The code-call budget is used up.') : e.reason === 'error' ? (e.message ?? 'Failed.') : 'The model gave no <<<answer>>>.';
      card.setAttribute('aria-label', shown(`No final answer: ${why} ${summary}`));
      card.append(el('div', 'answer-label', e.reason === 'error' ? 'Error' : 'No final answer'), el('div', 'answer-text', why), el('div', 'answer-meta', summary));
      this.options.onStatus(e.reason === 'cancelled' ? 'Stopped' : e.reason === 'error' ? `Error: ${why}` : 'Finished without an answer', false);
    }
    if (e.codeCalls > 0 || e.answer !== null) actions.append(iconButton('notebook', 'Open in notebook', 'Open this solution as a Jupyter notebook', () => post({ type: 'open-notebook', run })));
    if (actions.childElementCount > 0) card.append(actions);
    return card;
  }

  /**
   * The fix buttons of the run that just failed (pull the model, open settings, retry…), under
   * its error card: the error and what to do about it in one place, instead of a toast as well.
   */
  offerProblemActions(actions: readonly ProblemAction[]): void {
    const cards = this.root.querySelectorAll<HTMLElement>('.answer-card');
    const card = cards[cards.length - 1];
    if (!card || !card.classList.contains('reason-error')) return;
    let bar = card.querySelector<HTMLElement>('.answer-actions');
    if (!bar) {
      bar = el('div', 'answer-actions');
      card.append(bar);
    }
    const first = bar.firstChild;
    for (const [i, action] of actions.entries()) {
      const b = button(action.label, action.label, () => post({ type: 'problem-action', id: action.id }), i === 0 ? 'primary problem-action' : 'problem-action');
      bar.insertBefore(b, first);
    }
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
