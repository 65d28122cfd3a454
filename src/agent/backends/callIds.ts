// Ids for tool calls that came without one of their own.
import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id for a tool call that came without one (a server that sends none, Ollama before 0.12.10,
 * a call read from the reply's text, or a second call under an id another already took). It goes
 * back to the server with the call and its result, so it keeps the strictest rule servers hold
 * ids to: Mistral's, 9 characters of [a-zA-Z0-9]. Mistral's API and vLLM's mistral tokenizer
 * mode (mistral_common's validator) refuse any other id with HTTP 400 "Tool call id was … but
 * must be a-z, A-Z, 0-9, with a length of 9." (vllm-project/vllm#12332, #9019), and the chat
 * templates of Mistral's models raise "Tool call IDs should be alphanumeric strings with length
 * 9!" wherever a server renders them (llama.cpp, LM Studio, mlx-lm: ml-explore/mlx-lm#1375).
 * `call` and 5 random characters: unique across a conversation (one in 60 million to meet
 * another), as calls answered by id must be (Ollama's renderers link results to calls by it).
 */
export function madeUpCallId(): string {
  let id = 'call';
  for (let i = 0; i < 5; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}
