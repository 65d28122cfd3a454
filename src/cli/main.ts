#!/usr/bin/env node
// The `r1ci` command: the same agent (and evaluation) as the extension, without VS Code.
import { version } from '../../package.json';
import { stopStartupProbes } from '../sandbox/startupProbe';
import { escapeControls } from '../sandbox/terminalText';
import { fileErrorSentence } from '../text/fileErrors';
import { useFrontEnd } from '../text/frontEnd';
import { chatCommand } from './chatCommand';
import { CliError, EXIT, nearestOption, onStdoutGone, signalExitCode, STOP_SIGNALS, type StopCause, usageError } from './cliSupport';
import { consoleToStderr } from './consoleToStderr';
import { compareCommand, evalCommand } from './evalCommand';
import { exportRolloutsCommand, exportSftCommand } from './exportCommands';
import { mcpCommand } from './mcpCommand';
import { scoreCommand } from './scoreCommand';
import { solveCommand, SOLVE_USAGE } from './solveCommand';

const USAGE = `Usage: r1ci <command> [options]

Commands:
  solve "question"   let the model reason with code and print the trajectory and answer
  chat               a conversation in the terminal: follow-ups keep the sandbox (r1ci chat -h)
  eval <path>        run a task file or folder, score the answers; results go to .r1ci/results/
                     in the folder holding the tasks unless --out says otherwise (r1ci eval -h)
  score <path> --answers FILE
                     score answers made elsewhere, without a model (r1ci score -h)
  export-sft <file>  correct trajectories that ran code, as chat, alpaca or sharegpt JSONL
  export-rollouts <file>  a multi-sample run as RL rollout groups with rewards and result spans
  compare <a> <b>    per-task accuracy of two results files side by side
  mcp                serve the sandbox and the agent to MCP clients over stdio (r1ci mcp -h)
  --version          print r1ci's version

${SOLVE_USAGE}`;

/** What `main` takes as its first argument, for the near-miss hint of an unknown command (`--versio`: did you mean --version?). */
const COMMANDS = ['solve', 'chat', 'eval', 'score', 'export-sft', 'export-rollouts', 'compare', 'mcp', 'help', '--help', '--version'] as const;

/** The signal that cancelled the command, if one did: a cancelled run exits 128 + its number. */
let stoppedBy: StopCause | undefined;
/** Aborted by a stop signal (or stdout gone) in the commands that take `io.signal`. */
const controller = new AbortController();
// A cancelled command is leaving: the sandbox's start-up checks (cached, shared, so deaf to one
// command's signal) must not hold it until their time limit, nor outlive it.
controller.signal.addEventListener('abort', stopStartupProbes);

/** The exit code of `code`: a cancellation says which signal caused it (130, 143, 129). */
function exitCodeOf(code: number): number {
  return code === EXIT.cancelled && stoppedBy ? signalExitCode(stoppedBy) : code;
}

async function main(argv: string[]): Promise<number> {
  // Error advice names flags and environment variables, not VS Code settings.
  useFrontEnd('cli');
  // stdout is the command's data (JSON, JSONL, MCP messages): a library's console output goes to stderr.
  consoleToStderr();
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: controller.signal };
  // `chat` handles Ctrl-C, SIGTERM and SIGHUP itself (Ctrl-C cancels a question and keeps the conversation).
  if (command === 'chat') return chatCommand(rest, io);
  // In the commands that take `io.signal`, Ctrl-C, SIGTERM (kill) and SIGHUP (the terminal
  // closed) cancel cleanly — model request, running code, scratch folders — and the exit code
  // says which (128 + signal number); a second one exits at once. The others (exports, compare)
  // hold nothing to clean up: a signal ends them as usual.
  if (command === 'solve' || command === 'eval' || command === 'score' || command === 'mcp') {
    onStdoutGone(process.stdout, (cause) => {
      stoppedBy ??= cause;
      controller.abort();
    });
    for (const signal of STOP_SIGNALS) {
      process.once(signal, () => {
        stoppedBy ??= signal;
        controller.abort();
        process.once(signal, () => process.exit(signalExitCode(signal)));
      });
    }
  }
  switch (command) {
    case 'solve':
      return solveCommand(rest, io);
    case 'eval':
      return evalCommand(rest, io);
    case 'score':
      return scoreCommand(rest, io);
    case 'export-sft':
      return exportSftCommand(rest, io);
    case 'export-rollouts':
      return exportRolloutsCommand(rest, io);
    case 'compare':
      return compareCommand(rest, io);
    case 'mcp':
      return mcpCommand(rest, io);
    case '--version':
    case '-V':
      process.stdout.write(`r1ci ${version}\n`);
      return EXIT.ok;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default: {
      const meant = nearestOption(command, COMMANDS);
      throw usageError(`Unknown command "${command}"${meant === undefined ? '.' : `: did you mean ${meant}?`}`, USAGE, '');
    }
  }
}

/**
 * Sets the exit code; 129 (stopped by SIGHUP) at a terminal ends the process by SIGHUP itself,
 * which the shell reports as 129 too. The terminal is gone then, and Node 20's exit-time restore
 * of its mode fails on it with an assertion that aborts the process (exit 134 and a native stack
 * trace instead of 129; nodejs/node#51519, fixed by nodejs/node#58200). The clean-up is done by now.
 */
function exitWith(code: number): void {
  process.exitCode = code;
  if (code !== signalExitCode('SIGHUP') || ![process.stdin, process.stdout, process.stderr].some((s) => s.isTTY)) return;
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

main(process.argv.slice(2)).then(
  (code) => exitWith(exitCodeOf(code)),
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`r1ci: ${escapeControls(error.message)}\n`);
      exitWith(exitCodeOf(error.exitCode));
    } else if (controller.signal.aborted) {
      // An error the cancel caused (a sandbox or interpreter check stopped while it started, which
      // reads as "did not start" or "timed out"): the run was cancelled, and says so with 128 + signal.
      process.stderr.write('r1ci: cancelled.\n');
      exitWith(exitCodeOf(EXIT.cancelled));
    } else {
      // A file the command could not read or write is named in words, not as Node's "EACCES: …, open '…'".
      process.stderr.write(`r1ci: ${escapeControls(fileErrorSentence(error) ?? (error instanceof Error ? error.message : String(error)))}\n`);
      process.exitCode = EXIT.failure;
    }
  },
);
