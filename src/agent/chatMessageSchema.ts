// The zod schema of a conversation message (ChatMessage), for every place that reads stored
// messages back: chat history, evaluation results, SFT exports.
import { z } from 'zod';
import type { ChatMessage } from './backends/types';

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  reasoning: z.string().optional(),
  toolCalls: z.array(toolCallSchema).readonly().optional(),
  toolCallId: z.string().optional(),
  toolName: z.string().optional(),
}) satisfies z.ZodType<ChatMessage>;
