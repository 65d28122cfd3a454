// The `tools` protocol: the Python runner offered as a native function tool (Ollama and
// OpenAI-compatible `tools`), and the reading of the calls the model makes.
import type { ToolCall, ToolSpec } from './backends/types';

/** The one tool: run a Python script in the sandbox; its printed output is the result. */
export const PYTHON_TOOL: ToolSpec = {
  name: 'python',
  description: 'Run a single self-contained Python 3 script in a sandbox and return what it prints (stdout and stderr). ' + 'Use print() for every value you need to see. No network access.',
  parameters: {
    type: 'object',
    properties: { code: { type: 'string', description: 'The complete Python script to run.' } },
    required: ['code'],
  },
};

/**
 * The code of a tool call, or a message the model can read when the call is unusable: arguments
 * that are not a JSON object, a missing `code` string, or another tool's name. Some models send
 * the script itself instead of `{"code": …}`; a string argument is accepted as the script.
 */
export function readPythonCall(call: ToolCall): { code: string } | { error: string } {
  if (call.name !== PYTHON_TOOL.name) return { error: `There is no tool named "${call.name}". The only tool is "python", called with {"code": "<python script>"}.` };
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch (error) {
    return {
      error: `The arguments of your python call are not valid JSON (${error instanceof Error ? error.message : String(error)}): ${call.arguments.slice(0, 200)}. Call python again with {"code": "<python script>"}.`,
    };
  }
  if (typeof args === 'string' && args.trim().length > 0) return { code: args };
  const code = typeof args === 'object' && args !== null ? (args as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || code.trim().length === 0) return { error: `Your python call has no "code" string. Call python again with {"code": "<python script>"}.` };
  return { code };
}
