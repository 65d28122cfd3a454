// One message of the model's side of a conversation (what is sent to the server and kept for a
// follow-up), declared once as a zod schema: chat history, evaluation results and SFT exports
// read stored messages back through it.
import { z } from 'zod';

/** A native tool call, with its arguments as JSON text exactly as assembled from the stream (may be malformed). */
export const toolCallSchema = z.object({
  /** OpenAI's `id`; Ollama sends none, so the backend makes one up (call_0, ...). */
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
/** See `toolCallSchema`. */
export type ToolCall = Readonly<z.infer<typeof toolCallSchema>>;

export const chatMessageSchema = z.object({
  /** 'tool' carries the result of a native tool call (the `tools` protocol). */
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  /** Assistant: the model's reasoning of that turn (sent back to Ollama as `thinking`; not to OpenAI-compatible servers). */
  reasoning: z.string().optional(),
  /** Assistant: the native tool calls it made. */
  toolCalls: z.array(toolCallSchema).readonly().optional(),
  /** Tool: the call this message answers (OpenAI `tool_call_id`; Ollama uses `tool_name`). */
  toolCallId: z.string().optional(),
  toolName: z.string().optional(),
});
/** See `chatMessageSchema`. */
export type ChatMessage = Readonly<z.infer<typeof chatMessageSchema>>;
