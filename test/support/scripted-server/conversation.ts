// What the server reads out of a chat request: the question, how many code results were sent
// back, and the latest one. Works for both protocol modes of the agent: results appended to
// the assistant message the model continues (R1-CI mode) or sent as a new user message (chat mode).

export const RESULT_MARKER = 'Code Execution Results:';

export interface PlainMessage {
  readonly role: string;
  readonly content: string;
}

export interface ConversationFacts {
  /**
   * The question being answered: the first user message (the agent's instruction prompt plus
   * the question), or in a conversation with follow-ups the latest user message that is not a
   * code result (a follow-up is sent as a plain user message after the earlier exchange).
   */
  readonly question: string;
  /** How many times the result marker appears after that question (a run of tool messages counts once). */
  readonly resultCount: number;
  /** Text after the latest marker up to the end of its message, trimmed; null when none was sent. */
  readonly latestResult: string | null;
}

export function readConversation(messages: readonly PlainMessage[]): ConversationFacts {
  const firstUser = messages.findIndex((m) => m.role === 'user');
  // Only messages after the question count: an instruction prompt (system message or the
  // prefix of the question) may itself mention the marker when it explains the protocol.
  const later = firstUser === -1 ? [] : messages.slice(firstUser + 1);
  let question = firstUser === -1 ? '' : (messages[firstUser]?.content ?? '');
  let resultCount = 0;
  let latestResult: string | null = null;
  let previousRole = '';
  for (const message of later) {
    // Native tool results (the tools protocol): the tool messages answering one reply's calls
    // are one round trip, whatever their text; the latest is the last of them.
    if (message.role === 'tool') {
      if (previousRole !== 'tool') resultCount++;
      latestResult = message.content.trim();
      previousRole = message.role;
      continue;
    }
    previousRole = message.role;
    const parts = message.content.split(RESULT_MARKER);
    if (message.role === 'user' && parts.length === 1) {
      // A follow-up question: its turns are counted from here.
      question = message.content;
      resultCount = 0;
      continue;
    }
    resultCount += parts.length - 1;
    const tail = parts.length > 1 ? parts[parts.length - 1] : undefined;
    if (tail !== undefined) latestResult = tail.trim();
  }
  return { question, resultCount, latestResult };
}

/** A deterministic prompt size estimate: about four characters per token, plus a little per message. */
export function estimatePromptTokens(messages: readonly PlainMessage[]): number {
  let tokens = 0;
  for (const m of messages) tokens += 4 + Math.ceil(m.content.length / 4);
  return tokens;
}
