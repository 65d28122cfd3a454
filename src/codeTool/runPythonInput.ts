// The input of "run Python in the sandbox", the same for the VS Code language-model tool and the
// MCP server's run_python: one schema (zod, for the MCP SDK and for checking what an agent sent)
// and one set of descriptions (package.json's languageModelTools repeats them; a unit test keeps
// the two equal).
import { z } from 'zod';
import { SESSION_ID_PATTERN } from './sessionRegistry';

/** Largest cell accepted from an agent (characters). */
export const MAX_CODE_CHARS = 200_000;

export const RUN_PYTHON_DESCRIPTION =
  "Run Python 3 code in a sandbox and get back its stdout, stderr, status, duration and the names of the files it wrote. Every result names the sandbox tier: isolated (bubblewrap: no network, no access to the user's files) or basic; both have time, memory, output and file-size limits. " +
  'Pass the same session_id again to keep variables, imports and files between calls; without one, each call starts a fresh interpreter. Print what you want to see.';

export const CODE_DESCRIPTION = 'The Python 3 code to run, as a complete cell. Print the values you need.';
export const SESSION_ID_DESCRIPTION = 'Optional session name (1–64 of A–Z a–z 0–9 . _ -). Calls with the same session_id share one interpreter, so later code sees earlier variables.';

/** Field shapes (the MCP SDK takes a raw shape). */
export const runPythonShape = {
  code: z.string().min(1).max(MAX_CODE_CHARS).describe(CODE_DESCRIPTION),
  session_id: z.string().regex(SESSION_ID_PATTERN).optional().describe(SESSION_ID_DESCRIPTION),
};

export const runPythonInput = z.object(runPythonShape);
export type RunPythonInput = z.infer<typeof runPythonInput>;
