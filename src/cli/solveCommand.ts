// `r1ci solve "question"`: the agent, headless.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackend } from '../agent/backends';
import { protocolForModel, type ProtocolMode } from '../agent/protocol';
import { runAgent } from '../agent/runAgent';
import { collectTrajectory } from '../agent/trajectory';
import { defaultSettings } from '../config/settingsSpec';
import { createCodeRunner } from '../sandbox';
import type { CodeRunner } from '../sandbox/types';
import { createPrinter } from './printer';
import { CliError, EXIT, intOption, numberOption } from './cliSupport';

export const SOLVE_USAGE = `Usage: r1ci solve "question" [options]

Options:
  --host URL              Ollama server (default: $OLLAMA_HOST or http://127.0.0.1:11434)
  --model NAME            model name (default: ${defaultSettings().model})
  --max-code-calls N      code-call budget (default: ${defaultSettings().maxCodeCalls})
  --protocol MODE         auto | r1ci | chat (default: auto)
  --temperature T         sampling temperature (default: ${defaultSettings().temperature})
  --seed N                sampling seed
  --python PATH           Python interpreter for the code (default: python3 on PATH)
  --timeout SECONDS       wall-clock limit per code cell (default: ${defaultSettings()['sandbox.timeoutSeconds']})
  --text-only             never run code (the paper's text-only baseline)
  --json                  print one JSON document with every turn instead of streaming text
  -h, --help              this help`;

export async function solveCommand(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; signal: AbortSignal }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      model: { type: 'string' },
      'max-code-calls': { type: 'string' },
      protocol: { type: 'string' },
      temperature: { type: 'string' },
      seed: { type: 'string' },
      python: { type: 'string' },
      timeout: { type: 'string' },
      'text-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(`${SOLVE_USAGE}\n`);
    return EXIT.ok;
  }
  const question = positionals.join(' ').trim();
  if (!question) throw new CliError(`No question given.\n\n${SOLVE_USAGE}`, EXIT.usage);
  const defaults = defaultSettings();
  const model = values.model ?? defaults.model;
  const protocolSetting = values.protocol ?? 'auto';
  if (!['auto', 'r1ci', 'chat'].includes(protocolSetting)) throw new CliError(`--protocol must be auto, r1ci or chat (got "${protocolSetting}").`, EXIT.usage);
  const maxCodeCalls = intOption('--max-code-calls', values['max-code-calls'], defaults.maxCodeCalls, 0);
  const temperature = numberOption('--temperature', values.temperature, defaults.temperature, 0);
  const seed = values.seed === undefined ? undefined : intOption('--seed', values.seed, 0, 0);
  const timeoutSeconds = intOption('--timeout', values.timeout, defaults['sandbox.timeoutSeconds'], 1);

  const backend = createBackend({ kind: 'ollama', ollamaHost: values.host });
  const scratch = await mkdtemp(join(tmpdir(), 'r1ci-solve-'));
  let runner: CodeRunner | null = null;
  try {
    if (!values['text-only']) {
      runner = await createCodeRunner({
        scratchDir: scratch,
        pythonPath: values.python,
        limits: { timeoutMs: timeoutSeconds * 1000 },
        signal: io.signal,
      });
    }
    const events = runAgent(question, {
      backend,
      model,
      runner,
      protocol: protocolForModel(model, protocolSetting as ProtocolMode | 'auto'),
      maxCodeCalls,
      temperature,
      seed,
      contextTokens: defaults.contextTokens,
      signal: io.signal,
    });
    const color = !values.json && 'isTTY' in io.stdout && io.stdout.isTTY === true && !process.env.NO_COLOR;
    const print = values.json ? undefined : createPrinter(io.stdout, color);
    const trajectory = await collectTrajectory(events, print);
    if (values.json) io.stdout.write(`${JSON.stringify({ ...trajectory, sandbox: runner ? { tier: runner.tier, note: runner.tierNote } : null }, null, 2)}\n`);
    if (trajectory.reason === 'cancelled') return EXIT.cancelled;
    if (trajectory.error !== undefined) {
      if (values.json) io.stderr.write(`r1ci: ${trajectory.error}\n`);
      return EXIT.failure;
    }
    if (trajectory.answer === null) {
      io.stderr.write(`r1ci: the model gave no final answer (${trajectory.reason === 'budget' ? `code-call budget of ${maxCodeCalls} used up` : 'no <<<answer>>> in its reply'}).\n`);
      return EXIT.noAnswer;
    }
    return EXIT.ok;
  } finally {
    await runner?.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}
