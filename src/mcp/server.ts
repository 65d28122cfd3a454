// `r1ci mcp`: the sandbox (and our agent) as an MCP server, built on the official TypeScript SDK
// (@modelcontextprotocol/sdk). Tools: run_python, reset_session, list_sessions, solve.
// Every result names the sandbox tier. No `vscode` import: the CLI runs this over stdio.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, InitializeRequestSchema, ListToolsRequestSchema, PingRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { cellFailed, formatCellReport } from '../codeTool/cellReport';
import { RUN_PYTHON_DESCRIPTION, runPythonShape } from '../codeTool/runPythonInput';
import { SESSION_ID_PATTERN, SessionError, type SessionRegistry } from '../codeTool/sessionRegistry';
import type { IsolationTier } from '../sandbox';
import { formatSolveReport, type SolveOutcome } from './solveTool';
import type { RequestScreen } from './stdioTransport';

export interface McpServerDeps {
  readonly registry: SessionRegistry;
  /** Runs our agent on a question (the `solve` tool). */
  readonly solve: (question: string, signal: AbortSignal, onProgress?: (message: string) => void) => Promise<SolveOutcome>;
  /** The tier sessions get on this machine, for results that ran no code (list_sessions, reset_session). */
  readonly tier: () => Promise<{ tier: IsolationTier; note: string }>;
  readonly version: string;
}

export interface R1ciMcpServer {
  readonly server: McpServer;
  /** Answers what the SDK would get wrong before it sees it (give it to StdioJsonRpcTransport); see screenRequests. */
  readonly screen: RequestScreen;
}

/** An MCP server with the four tools registered, and its request screen; connect it to a transport. */
export function createMcpServer(deps: McpServerDeps): R1ciMcpServer {
  const server = new McpServer({ name: 'r1ci', title: 'R1 Code Interpreter sandbox', version: deps.version });
  const { registry } = deps;

  const runPython = server.registerTool(
    'run_python',
    { title: 'Run Python in the isolated sandbox', description: RUN_PYTHON_DESCRIPTION, inputSchema: runPythonShape, annotations: { openWorldHint: false } },
    async ({ code, session_id }, extra) =>
      guard(async () => {
        // A cell may run as long as its time limit (60 s by default), the time an SDK client waits
        // by default: a client that sent a progressToken hears that the cell still runs every
        // CELL_PROGRESS_MS, and can keep its request alive on it (resetTimeoutOnProgress).
        const report = progressReporter(extra);
        const started = Date.now();
        const beat = report === undefined ? undefined : setInterval(() => report(`cell running, ${Math.round((Date.now() - started) / 1000)} s`), CELL_PROGRESS_MS);
        try {
          const run = await registry.run(code, { sessionId: session_id, signal: extra.signal, withImages: true });
          const content: CallToolResult['content'] = [{ type: 'text', text: formatCellReport(run) }];
          for (const image of run.images) content.push({ type: 'image', data: image.data.toString('base64'), mimeType: image.mimeType });
          return { content, isError: cellFailed(run.result) };
        } finally {
          clearInterval(beat);
        }
      }),
  );

  const resetSession = server.registerTool(
    'reset_session',
    {
      title: 'Reset a sandbox session',
      description: 'End a run_python session: its interpreter, variables and files are discarded. The next call with that session_id starts fresh.',
      inputSchema: { session_id: z.string().regex(SESSION_ID_PATTERN).describe('The session to end.') },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ session_id }) =>
      guard(async () => {
        const ended = await registry.reset(session_id);
        const { tier } = await deps.tier();
        return text(`${ended ? `session ${session_id} ended; its interpreter is gone` : `no session ${session_id} (nothing to reset)`}\ntier: ${tier}`);
      }),
  );

  const listSessions = server.registerTool(
    'list_sessions',
    { title: 'List sandbox sessions', description: 'The live run_python sessions: id, cells run, whether busy, and when an idle one ends.', annotations: { readOnlyHint: true, openWorldHint: false } },
    async () =>
      guard(async () => {
        const { tier, note } = await deps.tier();
        const { idleTimeoutMs, maxSessions } = registry.limits;
        const now = Date.now();
        const rows = registry.list().map((s) => `- ${s.id}: ${s.cells} cell(s), ${s.busy ? 'running a cell' : `idle, ends in ${Math.max(0, Math.round(((s.expiresAt ?? now) - now) / 1000))} s`}, tier ${s.tier}`);
        return text([`tier: ${tier} (${note})`, `sessions: ${rows.length} of at most ${maxSessions} (idle ones end after ${Math.round(idleTimeoutMs / 1000)} s)`, ...rows].join('\n'));
      }),
  );

  const solve = server.registerTool(
    'solve',
    {
      title: 'Solve a question with R1 Code Interpreter',
      description: "Let R1 Code Interpreter's own agent (the configured local model, reasoning with Python in a fresh sandbox) answer a question. Returns its final answer and the code it ran.",
      inputSchema: { question: z.string().min(1).max(100_000).describe('The question, with everything needed to answer it.') },
      annotations: { openWorldHint: true },
    },
    async ({ question }, extra) =>
      guard(async () => {
        // A client that sent a progressToken hears each model turn and code cell: a solve
        // outlasts the 60 s an SDK client waits by default.
        const outcome = await deps.solve(question, extra.signal, progressReporter(extra));
        return { content: [{ type: 'text', text: formatSolveReport(outcome) }], isError: outcome.trajectory.answer === null };
      }),
  );

  const tools = new Map([
    ['run_python', runPython],
    ['reset_session', resetSession],
    ['list_sessions', listSessions],
    ['solve', solve],
  ]);
  return { server, screen: screenRequests((name) => tools.get(name)?.enabled === true) };
}

/** How often a client that asked for progress hears that a run_python cell still runs, ms. */
export const CELL_PROGRESS_MS = 5000;

/** What a tool handler gets from the SDK that progress needs: the request's `_meta` and a way to notify. */
interface ProgressExtra {
  readonly _meta?: { readonly progressToken?: string | number };
  readonly sendNotification: (notification: { method: 'notifications/progress'; params: { progressToken: string | number; progress: number; message: string } }) => Promise<void>;
}

/**
 * Sends MCP progress notifications (numbered from 1, each with a message) for a request whose
 * client sent a progressToken (MCP spec, "Progress"); undefined when it sent none. A notification
 * that cannot be sent (the client went away) is dropped.
 */
function progressReporter(extra: ProgressExtra): ((message: string) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return (message) => {
    progress += 1;
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => undefined);
  };
}

/** The requests this server answers, by method: their params are checked against the SDK's schemas. */
const SERVED_REQUESTS = new Map<string, z.ZodType>([InitializeRequestSchema, PingRequestSchema, ListToolsRequestSchema, CallToolRequestSchema].map((schema) => [schema.shape.method.value, schema]));

/**
 * The JSON-RPC errors the SDK gets wrong, answered before it sees the request: params that do not
 * fit a served method (no params for tools/call, a name that is not a string) are -32602 Invalid
 * params, where the SDK answers -32603 Internal error; a tools/call of a tool this server does not
 * have is the protocol error -32602 the MCP spec names ("Unknown tool: …"), where the SDK returns
 * an ordinary tool result. Tool arguments stay the tool's to check: a wrong one is an error
 * result the model can read and correct, as the spec has it. Methods not served pass (the SDK
 * answers -32601).
 */
export function screenRequests(hasTool: (name: string) => boolean): RequestScreen {
  return (request) => {
    const schema = SERVED_REQUESTS.get(request.method);
    if (!schema) return undefined;
    const parsed = schema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
      return { code: ErrorCode.InvalidParams, message: `Invalid params for ${request.method}: ${issue?.message ?? 'they do not fit its schema'}${where}` };
    }
    const name = request.params?.name;
    if (request.method === 'tools/call' && typeof name === 'string' && !hasTool(name)) return { code: ErrorCode.InvalidParams, message: `Unknown tool: ${name.slice(0, 100)}` };
    return undefined;
  };
}

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

/** A refusal or failure becomes an error result the agent can read, not a protocol error. */
async function guard(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { content: [{ type: 'text', text: error instanceof SessionError ? message : `failed: ${message}` }], isError: true };
  }
}
