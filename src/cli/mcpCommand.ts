// `r1ci mcp`: serves the sandbox (run_python, reset_session, list_sessions) and our agent (solve)
// to MCP clients over stdio. stdout carries the protocol only; messages go to stderr.
import { mkdtemp } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../../package.json';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_SESSIONS, MAX_IDLE_TIMEOUT_MS, SessionError, SessionRegistry, type SessionSandbox } from '../codeTool/sessionRegistry';
import { createMcpServer } from '../mcp/server';
import { solveWithAgent } from '../mcp/solveTool';
import { StdioJsonRpcTransport } from '../mcp/stdioTransport';
import { detectIsolation, SandboxPool, type IsolationTier } from '../sandbox';
import { CliError, EXIT, intOption, parseCliArgs, usageError } from './cliSupport';
import { MODEL_OPTIONS, modelOptionsUsage, readModelOptions, resolveModelRun } from './modelOptions';
import { removeTree } from '../sandbox/scratchJanitor';
import { escapeControls } from '../sandbox/terminalText';

/** The largest --idle-seconds: a timer holds at most 2^31 - 1 ms. */
const MAX_IDLE_SECONDS = Math.floor(MAX_IDLE_TIMEOUT_MS / 1000);

export const MCP_USAGE = `Usage: r1ci mcp [options]

Serves the sandbox to MCP clients (VS Code, Claude Desktop, Cline, Continue) over stdio.
Tools: run_python, reset_session, list_sessions, solve.

Session options:
  --isolation MODE        auto: refuse to run code unless bubblewrap isolation works (default);
                          basic: accept the basic tier (code runs as you, with your files and network)
  --max-sessions N        sandboxes alive at once: sessions, one-off cells and solve calls
                          together (default: ${DEFAULT_MAX_SESSIONS})
  --idle-seconds S        a session unused this long is ended, from 1 to ${MAX_IDLE_SECONDS} (24.8 days;
                          default: ${DEFAULT_IDLE_TIMEOUT_MS / 1000})
Model options (for solve) and sandbox options (--python, --timeout, --memory-mib, … apply to
run_python too):
${modelOptionsUsage()}
  -h, --help              this help`;

export async function mcpCommand(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; signal: AbortSignal }): Promise<number> {
  const { values, positionals } = parseCliArgs('mcp', {
    args: [...argv],
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      isolation: { type: 'string' },
      'max-sessions': { type: 'string' },
      'idle-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    // On stdout, as every other command's help: asked for, it is the output (no protocol runs).
    io.stdout.write(`${MCP_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw usageError(`r1ci mcp takes no arguments (got "${positionals.join(' ')}").`, MCP_USAGE, 'mcp');
  const isolation = values.isolation ?? 'auto';
  if (isolation !== 'auto' && isolation !== 'basic') throw new CliError(`--isolation must be auto or basic (got "${isolation}").`, EXIT.usage);
  const m = readModelOptions(values);
  const maxSessions = intOption('--max-sessions', values['max-sessions'], DEFAULT_MAX_SESSIONS, 1);
  const idleTimeoutMs = intOption('--idle-seconds', values['idle-seconds'], DEFAULT_IDLE_TIMEOUT_MS / 1000, 1, MAX_IDLE_SECONDS) * 1000;

  const scratchRoot = await mkdtemp(join(tmpdir(), 'r1ci-mcp-'));
  const pool = new SandboxPool({ scratchRoot, ...m.run.sandbox, mode: 'persistent', isolation });
  let knownTier: { tier: IsolationTier; note: string } | undefined;

  const createSandbox = async (signal?: AbortSignal): Promise<SessionSandbox> => {
    const scratch = join(scratchRoot, `s-${randomBytes(6).toString('hex')}`);
    const release = () => removeTree(scratch);
    const runner = await pool.acquire(scratch, signal).catch(async (error: unknown) => {
      await release();
      throw error;
    });
    knownTier = { tier: runner.tier, note: runner.tierNote };
    if (runner.tier !== 'isolated' && isolation !== 'basic') {
      await runner.dispose();
      await release();
      throw new SessionError(
        `Code was not run: this machine only offers the basic sandbox tier (${runner.tierNote}). On it, code runs as you, with your files and network. Start the server with --isolation basic to accept that.`,
      );
    }
    return { runner, release };
  };

  const registry = new SessionRegistry({ createSandbox, idleTimeoutMs, maxSessions });
  const { server, screen } = createMcpServer({
    registry,
    version,
    solve: async (question, signal, onProgress) => solveWithAgent(question, await resolveModelRun(m, signal), registry, signal, onProgress),
    tier: async () => {
      if (knownTier) return knownTier;
      if (isolation === 'basic') return { tier: 'basic', note: 'basic tier chosen with --isolation basic' };
      const info = await detectIsolation(m.run.sandbox.pythonPath);
      return { tier: info.tier, note: info.note };
    },
  });

  pool.prewarm();
  // Malformed lines, batches and params that do not fit are answered as JSON-RPC 2.0 says (see
  // stdioTransport.ts). The transport closes by itself when the stream breaks (a line over the
  // 10 MiB read limit): it then stops reading stdin, so the client's closing of stdin would never be seen
  // and every sandbox would live on. Its close ends the server, as the end of stdin does.
  let broken: string | undefined;
  let lastError: string | undefined;
  const transportClosed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  // Errors of the stream (a line too long, a message that is not JSON-RPC, what the client was
  // answered with) go to stderr, escaped and one line each (a newline in what the client sent
  // cannot forge a log line): stdout carries the protocol only.
  server.server.onerror = (error: Error) => {
    lastError = error.message;
    io.stderr.write(`r1ci mcp: ${escapeControls(error.message.replace(/\n/g, '\\n')).slice(0, 500)}\n`);
  };
  await server.connect(new StdioJsonRpcTransport({ screen }));
  io.stderr.write(`r1ci mcp ${version}: serving run_python, reset_session, list_sessions, solve on stdio (max ${maxSessions} sessions, idle timeout ${idleTimeoutMs / 1000} s)\n`);

  // The client ends the server by closing stdin (or a signal): then every sandbox is disposed.
  let stdinEnded = false;
  await Promise.race([
    new Promise<void>((resolve) => {
      const ended = (): void => {
        stdinEnded = true;
        resolve();
      };
      process.stdin.once('end', ended);
      process.stdin.once('close', ended);
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    }),
    transportClosed.then(() => {
      if (!stdinEnded && !io.signal.aborted) broken = lastError ?? 'the stdio stream was closed';
    }),
  ]);
  await registry.dispose();
  await pool.dispose();
  await server.close().catch(() => undefined);
  await removeTree(scratchRoot);
  // Stopped by a signal (or its client's reader gone): the exit code says which (130, 143, 129, 141).
  if (io.signal.aborted) return EXIT.cancelled;
  if (broken !== undefined) {
    io.stderr.write(`r1ci mcp: stopped, the protocol stream broke (${escapeControls(broken).slice(0, 500)}); every sandbox was ended.\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
