// `r1ci chat`: a conversation in the terminal. Each line is a question; follow-ups continue the
// conversation and its sandbox (variables of earlier cells are still there). The conversation
// itself is the core's (conversation/conversation.ts); this file is its terminal host: flags
// become model settings and a gated sandbox, events go through solve's printer (every control
// character escaped), and Ctrl-C cancels the running question (at the prompt it exits); SIGTERM
// and SIGHUP leave as Ctrl-C at the prompt does, cleaning up.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { AgentEvent } from '../agent/events';
import { Conversation, type ConversationHost } from '../conversation/conversation';
import type { ConversationEvent } from '../conversation/events';
import { removeTree } from '../sandbox/scratchJanitor';
import { escapeControls, jsonForTerminal } from '../sandbox/terminalText';
import { CliError, EXIT } from './cliSupport';
import { gatedCodeRunner } from './cliRunner';
import { ISOLATION_USAGE, readIsolation, type GateIo } from './isolationGate';
import { modelOptionsUsage, readModelOptions, resolveModelRun } from './modelOptions';
import { createPrinter } from './printer';
import { SOLVE_OPTIONS } from './solveCommand';

export const CHAT_USAGE = `Usage: r1ci chat [options]

A conversation in the terminal: type a question, then follow-ups. The sandbox is kept across
follow-ups, so code sees the variables of earlier cells. Ctrl-C stops the running question;
Ctrl-C at the prompt, Ctrl-D (end of input) or /exit leaves. /reset starts over with a fresh
sandbox and no history.

Options (as for solve):
${modelOptionsUsage()}
${ISOLATION_USAGE}
  --text-only             never run code
  --json                  print each question's trajectory as one JSON line instead of streaming text
  -h, --help              this help`;

/** Agent events (what solve's printer shows), as opposed to what only a conversation emits. */
function isAgentEvent(e: ConversationEvent): e is AgentEvent {
  return e.type !== 'question' && e.type !== 'sandbox' && e.type !== 'notice' && e.type !== 'approval-request';
}

/**
 * Runs `r1ci chat` until /exit, end of input, Ctrl-C at the prompt, SIGTERM or SIGHUP; returns
 * the exit code (EXIT.ok, EXIT.cancelled when left with Ctrl-C, 143 on SIGTERM, 129 on SIGHUP).
 * The sandbox is disposed and its scratch folders removed on the way out. `io.signal` is not
 * used: the command handles SIGINT, SIGTERM and SIGHUP itself.
 */
export async function chatCommand(argv: readonly string[], io: Omit<GateIo, 'signal'> & { stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } }): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: SOLVE_OPTIONS });
  if (values.help) {
    io.stdout.write(`${CHAT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new CliError(`chat takes no question on the command line: type it at the prompt.\n\n${CHAT_USAGE}`, EXIT.usage);
  const isolation = readIsolation(values.isolation);
  const startup = new AbortController();
  const onStartupSigint = (): void => startup.abort();
  process.once('SIGINT', onStartupSigint);
  const gateIo: GateIo = { ...io, signal: startup.signal };
  const m = readModelOptions(values);
  const modelRun = await resolveModelRun(m, startup.signal);
  const scratches: string[] = [];
  let decided: boolean | undefined;
  const host: ConversationHost = {
    modelSettings: () => Promise.resolve(modelRun),
    createRunner: async () => {
      if (values['text-only']) return { runner: null, note: 'code is not run (--text-only)' };
      const scratchDir = await mkdtemp(join(tmpdir(), 'r1ci-chat-'));
      scratches.push(scratchDir);
      const made = await gatedCodeRunner({ scratchDir, sandbox: m.run.sandbox, isolation, allowUnisolated: values['allow-unisolated'], decided }, gateIo);
      decided = made.allowed;
      return { runner: made.runner };
    },
  };
  const conversation = new Conversation(host);
  const removeScratches = async (): Promise<void> => {
    for (const dir of scratches.splice(0)) {
      await removeTree(dir).catch((error: unknown) => io.stderr.write(`r1ci: warning: ${escapeControls(error instanceof Error ? error.message : String(error))}\n`));
    }
  };
  try {
    // The sandbox starts (and the isolation gate asks, at a terminal) before the prompt owns stdin.
    await conversation.startSandbox(startup.signal);
  } catch (error) {
    await conversation.dispose();
    await removeScratches();
    if (startup.signal.aborted) return EXIT.cancelled;
    throw error;
  } finally {
    process.removeListener('SIGINT', onStartupSigint);
  }

  const color = !values.json && 'isTTY' in io.stdout && io.stdout.isTTY === true && !process.env.NO_COLOR;
  let print: ((e: AgentEvent) => void) | undefined;
  conversation.onEvent((e) => {
    if (values.json) return;
    if (e.type === 'question') print = createPrinter(io.stdout, color);
    else if (e.type === 'notice') io.stdout.write(`${escapeControls(e.message)}\n`);
    else if (isAgentEvent(e)) print?.(e);
  });

  const terminal = io.stdin.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal, prompt: '› ' });
  let exitCode: number = EXIT.ok;
  let leaving = false;
  let cancelRequested = false;
  /** Stops the running question and closes the prompt; the `finally` below ends the sandbox and removes its folders. */
  const leave = (code: number): void => {
    leaving = true;
    exitCode = code;
    conversation.cancel();
    rl.close();
  };
  // First Ctrl-C stops the running question; a second one, or one at the prompt, leaves.
  const interrupt = (): void => {
    if (conversation.busy && !cancelRequested) {
      cancelRequested = true;
      conversation.cancel();
      return;
    }
    leave(EXIT.cancelled);
  };
  // SIGTERM, and SIGHUP when the terminal closes, would end Node at once, leaving the sandbox's
  // scratch, home and host folders behind: they leave like Ctrl-C (exit 128 + signal number).
  const onTerm = (): void => leave(143);
  const onHangUp = (): void => leave(129);
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHangUp);
  rl.on('SIGINT', interrupt);
  try {
    io.stdout.write(`r1ci chat · model ${escapeControls(m.run.model)} · sandbox ${conversation.sandbox?.tier ?? 'off'} · /reset starts over, /exit leaves\n`);
    if (terminal) rl.prompt();
    for await (const raw of rl) {
      if (leaving) break;
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/reset') {
        await conversation.reset();
        await removeScratches();
        await conversation.startSandbox();
        io.stdout.write('Started over: a fresh sandbox, no history.\n');
      } else if (line !== '') {
        cancelRequested = false;
        const t = await conversation.ask(line);
        if (values.json) io.stdout.write(`${jsonForTerminal(t)}\n`);
      }
      if (leaving) break;
      if (terminal) rl.prompt();
    }
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGHUP', onHangUp);
    rl.close();
    await conversation.dispose();
    await removeScratches();
  }
  return exitCode;
}
