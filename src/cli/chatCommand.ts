// `r1ci chat`: a conversation in the terminal. Each line is a question; follow-ups continue the
// conversation and its sandbox (variables of earlier cells are still there). The conversation
// itself is the core's (conversation/conversation.ts); this file is its terminal host: flags
// become model settings and a gated sandbox, events go through solve's printer (every control
// character escaped), and Ctrl-C cancels the running question (at the prompt it exits); SIGTERM
// and SIGHUP leave as Ctrl-C at the prompt does, cleaning up. Lines that are a /word alone are
// the chat's own commands, answered here and never sent.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { AgentEvent } from '../agent/events';
import { Conversation, type ConversationHost } from '../conversation/conversation';
import type { ConversationEvent } from '../conversation/events';
import { removeTree } from '../sandbox/scratchJanitor';
import { escapeControls, jsonForTerminal } from '../sandbox/terminalText';
import { EXIT, onStdoutGone, parseCliArgs, refuseConflictingFlags, signalExitCode, STOP_SIGNALS, type StopCause, usageError } from './cliSupport';
import { stopStartupProbes } from '../sandbox/startupProbe';
import { gatedCodeRunner } from './cliRunner';
import { ISOLATION_USAGE, readIsolation, type GateIo } from './isolationGate';
import { modelOptionsUsage, readModelOptions, resolveModelRun } from './modelOptions';
import { checkServerAndModel } from './preflight';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { artifactKeeper } from './keepArtifacts';
import { createPrinter } from './printer';
import { SOLVE_CONFLICTS, SOLVE_OPTIONS } from './solveCommand';

/** The chat's own commands, answered locally and never sent to the model. */
const CHAT_COMMANDS = `  /reset                  start over: a fresh sandbox and no history
  /exit                   leave (also /quit)
  /help                   list these commands`;

/** A line that is a chat command: one /word alone (a path or a question after it makes it a question). */
const COMMAND_LINE = /^\/[A-Za-z][\w-]*$/;

export const CHAT_USAGE = `Usage: r1ci chat [options]

A conversation in the terminal: type a question, then follow-ups. The sandbox is kept across
follow-ups, so code sees the variables of earlier cells. Ctrl-C stops the running question;
Ctrl-C at the prompt, Ctrl-D (end of input) or /exit leaves.

Commands (a /word alone on its line; anything else, "/tmp/data.csv: what is in it?" included,
is a question for the model):
${CHAT_COMMANDS}

Options (as for solve):
${modelOptionsUsage()}
${ISOLATION_USAGE}
  --text-only             never run code
  --json                  print each question's trajectory as one JSON line instead of streaming text
                          (stdout then holds only those lines; the rest goes to stderr)
  --keep-artifacts DIR    copy the files each cell wrote (figures, CSVs) into DIR as cell<N>-<name>
                          (DIR is made before the first question)
  -h, --help              this help`;

/** Agent events (what solve's printer shows), as opposed to what only a conversation emits. */
function isAgentEvent(e: ConversationEvent): e is AgentEvent {
  return e.type !== 'question' && e.type !== 'sandbox' && e.type !== 'notice' && e.type !== 'approval-request';
}

/**
 * Runs `r1ci chat` until /exit, end of input, Ctrl-C at the prompt, SIGTERM or SIGHUP; returns
 * the exit code (EXIT.ok, or 128 + the signal: 130 for Ctrl-C, 143 SIGTERM, 129 SIGHUP). The
 * sandbox is disposed and its scratch folders removed on the way out. `io.signal` is not used:
 * the command handles those signals itself.
 */
export async function chatCommand(argv: readonly string[], io: Omit<GateIo, 'signal'> & { stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } }): Promise<number> {
  const { values, positionals } = parseCliArgs('chat', { args: [...argv], allowPositionals: true, options: SOLVE_OPTIONS });
  if (values.help) {
    io.stdout.write(`${CHAT_USAGE}\n`);
    return EXIT.ok;
  }
  refuseConflictingFlags('chat', values, SOLVE_CONFLICTS);
  if (positionals.length > 0) throw usageError('chat takes no question on the command line: type it at the prompt.', CHAT_USAGE, 'chat');
  const isolation = readIsolation(values.isolation);
  // Every flag is checked before anything is made or asked: a bad --host is not found after --keep-artifacts made its DIR.
  const m = readModelOptions(values);
  const keeper = values['keep-artifacts'] === undefined ? undefined : await artifactKeeper(resolve(values['keep-artifacts']), io.stderr);
  const startup = new AbortController();
  // Leaving at start-up: the sandbox's start-up checks must not hold the chat until their time limit.
  startup.signal.addEventListener('abort', stopStartupProbes);
  let stoppedBy: StopCause = 'SIGINT';
  const onStartupSignal = (signal: StopCause): void => {
    stoppedBy = signal;
    startup.abort();
  };
  for (const signal of STOP_SIGNALS) process.once(signal, onStartupSignal);
  // Its stdout's reader went away (`| head`): nothing more can be shown, so stop (or leave) as a signal would.
  let onStdoutClosed = (cause: StopCause): void => onStartupSignal(cause);
  onStdoutGone(io.stdout, (cause) => onStdoutClosed(cause));
  const gateIo: GateIo = { ...io, signal: startup.signal };
  let modelRun: ModelRunSettings;
  try {
    // The server and the model are checked before the sandbox starts: a wrong --host or --model
    // is said alone, not after the sandbox tier line and the banner.
    await checkServerAndModel(m.backend, m.run.model, startup.signal, { onSlow: (line) => io.stderr.write(`r1ci: ${escapeControls(line)}\n`) });
    modelRun = await resolveModelRun(m, startup.signal);
  } catch (error) {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onStartupSignal);
    if (startup.signal.aborted) return signalExitCode(stoppedBy);
    throw error;
  }
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
    if (startup.signal.aborted) return signalExitCode(stoppedBy);
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onStartupSignal);
  }

  // Under --json stdout carries the JSON lines only: the banner, notices and the prompt go to stderr.
  const human = values.json ? io.stderr : io.stdout;
  const color = !values.json && 'isTTY' in io.stdout && io.stdout.isTTY === true && !process.env.NO_COLOR;
  let print: ((e: AgentEvent) => void) | undefined;
  conversation.onEvent((e) => {
    if (keeper && isAgentEvent(e)) keeper.onEvent(e);
    if (e.type === 'notice') human.write(`${escapeControls(e.message)}\n`);
    if (values.json) return;
    if (e.type === 'question') print = createPrinter(io.stdout, color, decided !== false);
    else if (isAgentEvent(e)) print?.(e);
  });

  const terminal = io.stdin.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: human, terminal, prompt: '› ' });
  // End of input (Ctrl-D, a pipe's end) closes the interface, perhaps while a question still
  // runs. A closed interface is never prompted again: prompt() resumes its input, and a terminal
  // left reading keeps the process alive after the chat has ended.
  let inputEnded = false;
  rl.on('close', () => (inputEnded = true));
  // The prompt waits on its line: leaving there (Ctrl-C, Ctrl-D) ends that line first, so the
  // shell's own prompt starts on a fresh one instead of after "› ".
  let atPrompt = false;
  const showPrompt = (): void => {
    atPrompt = true;
    rl.prompt();
  };
  rl.on('line', () => (atPrompt = false));
  let exitCode: number = EXIT.ok;
  let leaving = false;
  let cancelRequested = false;
  const leave = (signal: StopCause): void => {
    // The first cause is the exit code: the terminal closing (SIGHUP) also makes the writes of
    // the cancelled question fail, which must not turn its 129 into a reader gone away (141).
    if (leaving) return;
    leaving = true;
    exitCode = signalExitCode(signal);
    conversation.cancel();
    rl.close();
  };
  // First Ctrl-C stops the running question; a second one, or one at the prompt, leaves.
  const interrupt = (): void => {
    if (conversation.busy && !cancelRequested) {
      cancelRequested = true;
      human.write('\nCancelling the question… (Ctrl-C again leaves)\n');
      conversation.cancel();
      return;
    }
    leave('SIGINT');
  };
  // SIGTERM (kill) and SIGHUP (the terminal closed) leave at once, cleaning up as Ctrl-C does.
  const onTerm = (): void => leave('SIGTERM');
  const onHup = (): void => leave('SIGHUP');
  onStdoutClosed = leave;
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  rl.on('SIGINT', interrupt);
  try {
    human.write(`r1ci chat · model ${escapeControls(m.run.model)} · sandbox ${conversation.sandbox?.tier ?? 'off'} · /reset starts over, /exit leaves, /help lists the commands\n`);
    if (terminal) showPrompt();
    for await (const raw of rl) {
      if (leaving) break;
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/help') human.write(`Commands:\n${CHAT_COMMANDS}\n`);
      else if (COMMAND_LINE.test(line) && line !== '/reset') human.write(`Unknown command ${escapeControls(line)}; it was not sent to the model. Commands:\n${CHAT_COMMANDS}\n`);
      else if (line === '/reset') {
        await conversation.reset();
        await removeScratches();
        await conversation.startSandbox();
        human.write('Started over: a fresh sandbox, no history.\n');
      } else if (line !== '') {
        cancelRequested = false;
        const t = await conversation.ask(line);
        await keeper?.flush();
        if (values.json) io.stdout.write(`${jsonForTerminal(t)}\n`);
      }
      if (leaving) break;
      if (terminal && !inputEnded) showPrompt();
    }
  } finally {
    if (atPrompt) human.write('\n');
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGHUP', onHup);
    rl.close();
    await keeper?.flush();
    await conversation.dispose();
    await removeScratches();
  }
  return exitCode;
}
