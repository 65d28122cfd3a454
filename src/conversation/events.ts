// What a conversation tells its front end: the agent's events, numbered across the whole
// conversation (turns and cells count on over follow-ups), plus what only a conversation knows
// (a new question, a fresh sandbox, a cell waiting for approval). The record of a conversation
// is the list of these events (tokens of a turn merged) with the model's messages; its
// trajectories are folded from it by `foldConversation`, the same fold the agent's record uses.
import { z } from 'zod';
import { agentEventSchema, type AgentEvent } from '../agent/events';
import { applyEvent } from '../agent/trajectory';
import type { IsolationTier } from '../sandbox/types';
import { emptyTrajectory, type Trajectory } from '../trajectory/trajectory';

/** The sandbox of a conversation: a tier, or 'off' when code is not executed. */
export const conversationSandboxSchema = z.object({
  /** The sandbox's IsolationTier (sandbox/types.ts), or 'off'. */
  tier: z.enum(['isolated', 'basic', 'off']) satisfies z.ZodType<IsolationTier | 'off'>,
  /** A sentence about the tier (on fallback: how to get isolation), or why code is off. */
  note: z.string(),
});
/** See `conversationSandboxSchema`. */
export type ConversationSandbox = Readonly<z.infer<typeof conversationSandboxSchema>>;

/** What a conversation emits and records; see `ConversationEvent`. Front ends store and read back records with it. */
export const conversationEventSchema = z.discriminatedUnion('type', [
  /** The agent's events; `turn` and `index` are the conversation's numbers, not the question's. */
  ...agentEventSchema.options,
  /** A question begins (the run-th, 0-based). */
  z.object({ type: z.literal('question'), run: z.number().int().min(0), text: z.string(), model: z.string() }),
  /** The sandbox is known (first question, or after a reset). */
  z.object({ type: z.literal('sandbox'), sandbox: conversationSandboxSchema }),
  /** Something the user should know that is neither model text nor program output (e.g. a fresh sandbox). */
  z.object({ type: z.literal('notice'), message: z.string() }),
  /** Cell `index` waits for `Conversation.approve(index, run)`. */
  z.object({ type: z.literal('approval-request'), index: z.number(), code: z.string() }),
]);

/** One event of a conversation (see `conversationEventSchema`). */
export type ConversationEvent = Readonly<z.infer<typeof conversationEventSchema>>;

/** Shifts an agent event of one question to the conversation's numbering. */
export function renumber(event: AgentEvent, turnOffset: number, cellOffset: number): AgentEvent {
  switch (event.type) {
    case 'turn-start':
    case 'turn-end':
    case 'token':
    case 'reasoning':
    case 'warning':
      return { ...event, turn: event.turn + turnOffset };
    case 'code':
      return { ...event, turn: event.turn + turnOffset, index: event.index + cellOffset };
    case 'exec-start':
    case 'exec-result':
      return { ...event, index: event.index + cellOffset };
    default:
      return event;
  }
}

/**
 * The trajectory of each question of a recorded conversation, numbered per question as the agent
 * numbers them (a restored conversation, whose live trajectories are gone). Re-runs of a cell
 * after its question ended do not change the question's record.
 */
export function foldConversation(events: Iterable<ConversationEvent>): Trajectory[] {
  const runs: Trajectory[] = [];
  let t: Trajectory | undefined;
  let turnOffset: number | undefined;
  let cellOffset: number | undefined;
  for (const e of events) {
    if (e.type === 'question') {
      if (t) runs.push(t);
      t = { ...emptyTrajectory(), question: e.text, model: e.model };
      turnOffset = cellOffset = undefined;
      continue;
    }
    if (!t || e.type === 'sandbox' || e.type === 'notice' || e.type === 'approval-request' || e.type === 'start') continue;
    if (t.reason !== 'running') continue; // a re-run after the question's end
    if (e.type === 'turn-start') turnOffset ??= e.turn;
    if (e.type === 'code') cellOffset ??= e.index;
    t = applyEvent(t, renumber(e, -(turnOffset ?? 0), -(cellOffset ?? 0)));
  }
  if (t) runs.push(t);
  return runs;
}
