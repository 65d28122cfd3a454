// Where the injected execution results sit in a stored trajectory, so a trainer can mask them
// from the loss (the paper masks them in RL: the model never learned to predict them). The
// spans are found by replaying how the agent built the messages (src/agent/protocol.ts
// `appendExecution`): each turn's text, then the results block — inside the one growing
// assistant message (R1-CI protocol) or as its own user message (chat protocol). Nothing is
// searched for in the text, so a model that writes "Code Execution Results:" itself cannot
// plant a span.
import { formatExecution, RESULTS_HEADER } from '../agent/protocol';
import type { Trajectory } from '../trajectory/trajectory';
import type { ChatMessage, ResultRecord } from './results';

export type ExecutionSpan = NonNullable<ResultRecord['executionSpans']>[number];

/**
 * The spans of the results blocks (`Code Execution Results:\n<output>\n`) in `messages`, in
 * order, as `messages[message].content` characters [start, end). Undefined when the messages do
 * not replay from the turns (a conversation not built by the agent): no spans rather than wrong ones.
 */
export function executionSpans(messages: readonly ChatMessage[], turns: Trajectory['turns']): ExecutionSpan[] | undefined {
  const spans: ExecutionSpan[] = [];
  // The first message is the prompt (head prompt + question); generated text starts after it.
  let m = messages.findIndex((x) => x.role !== 'system' && x.role !== 'user');
  if (m < 0) return turns.length === 0 ? [] : undefined;
  let off = 0;
  const content = (i: number): string | undefined => messages[i]?.content;
  for (const turn of turns) {
    // This turn's text continues the current message, or opens the next one.
    if (off === (content(m)?.length ?? -1) && !(content(m) ?? '').startsWith(turn.text, off)) {
      m++;
      off = 0;
    }
    const here = content(m);
    if (here === undefined || !here.startsWith(turn.text, off)) return turn.text === '' && here === undefined ? spans : undefined;
    const turnStart = off;
    off += turn.text.length;
    const result = turn.cell?.result;
    // The fence the agent wrote after the model's text (code from a tool call or the reasoning,
    // or a fence the stream left open): still the model's side of the conversation.
    const fence = harnessFenceLength(turn, here, off);
    const glue = here.slice(turnStart, off + fence).endsWith('\n') ? '' : '\n';
    // A cell that did not run (declined, cut by the token limit) still got a results block: the notice.
    const block = result ? `${RESULTS_HEADER}\n${formatExecution(result)}\n` : (notRunBlockAt(here, off + fence + glue.length) ?? (off + fence === here.length ? notRunBlockAt(content(m + 1) ?? '', 0) : undefined));
    if (block === undefined) continue;
    off += fence;
    if (here.startsWith(glue + block, off)) {
      spans.push({ message: m, start: off + glue.length, end: off + glue.length + block.length });
      off += glue.length + block.length;
    } else if (off === here.length && content(m + 1) === block) {
      m++;
      spans.push({ message: m, start: 0, end: block.length });
      off = block.length;
    } else return undefined;
  }
  return spans;
}

/**
 * Characters at `here[off]` that the agent added to the turn's text before the results block
 * (src/agent/runAgent.ts): the code of a tool call or of the reasoning as a python fence, or
 * the closing line of a fence the stream left open. 0 when there is none.
 */
function harnessFenceLength(turn: Trajectory['turns'][number], here: string, off: number): number {
  const cell = turn.cell;
  if (cell?.source === 'tool-call' || cell?.source === 'reasoning') {
    const fence = `${turn.text === '' || turn.text.endsWith('\n') ? '' : '\n'}\`\`\`python\n${cell.code}\n\`\`\`\n`;
    return here.startsWith(fence, off) ? fence.length : 0;
  }
  if (here.startsWith(`${RESULTS_HEADER}\n`, off) || here.startsWith(`\n${RESULTS_HEADER}\n`, off) || off === here.length) return 0;
  const closing = /\n?[ \t]*(?:`{3,}|~{3,})\n/y;
  closing.lastIndex = off;
  return closing.test(here) ? closing.lastIndex - off : 0;
}

/** The results block of a cell that was not run at `text[at]`: the header and one `[not executed: …]` line (src/agent/protocol.ts `formatNotRun`). */
function notRunBlockAt(text: string, at: number): string | undefined {
  const notRun = new RegExp(`${RESULTS_HEADER}\\n\\[not executed: [^\\n]*\\]\\n`, 'y');
  notRun.lastIndex = at;
  return notRun.exec(text)?.[0];
}
