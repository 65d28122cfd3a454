// `r1ci solve "question"`: the agent, headless.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackend, type ModelBackend } from '../agent/backends';
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
  --backend KIND          ollama | openai (default: ${defaultSettings().backend})
  --base-url URL          server URL: Ollama host (default: $OLLAMA_HOST or http://127.0.0.1:11434),
                          or the OpenAI-compatible /v1 URL (default: ${defaultSettings()['openai.baseUrl']})
  --host URL              same as --base-url (kept for Ollama users)
  --api-key KEY           bearer key for an OpenAI-compatible server (default: $R1CI_API_KEY)
  --model NAME            model name (default: ${defaultSettings().model})
  --max-code-calls N      code-call budget (default: ${defaultSettings().maxCodeCalls})
  --protocol MODE         auto | r1ci | chat (default: auto)
  --temperature T         sampling temperature (default: ${defaultSettings().temperature})
  --seed N                sampling seed
  --context-tokens N      context window requested from Ollama, num_ctx (default: ${defaultSettings().contextTokens})
  --stall-seconds S       give up on a reply after S seconds without a token (default: ${defaultSettings().stallSeconds})
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
      backend: { type: 'string' },
      'base-url': { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      'context-tokens': { type: 'string' },
      'stall-seconds': { type: 'string' },
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
  const contextTokens = intOption('--context-tokens', values['context-tokens'], defaults.contextTokens, 256);
  const stallSeconds = numberOption('--stall-seconds', values['stall-seconds'], defaults.stallSeconds, 0.1);
  const kind = values.backend ?? defaults.backend;
  if (kind !== 'ollama' && kind !== 'openai') throw new CliError(`--backend must be ollama or openai (got "${kind}").`, EXIT.usage);
  const url = values['base-url'] ?? values.host;
  const apiKey = values['api-key'] ?? process.env.R1CI_API_KEY;
  let backend: ModelBackend;
  try {
    backend = kind === 'ollama' ? createBackend({ kind, ollamaHost: url }) : createBackend({ kind, openaiBaseUrl: url ?? defaults['openai.baseUrl'], apiKey });
  } catch (error) {
    throw new CliError(`--base-url is not a valid URL (${error instanceof Error ? error.message : String(error)}).`, EXIT.usage);
  }
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
      contextTokens,
      stallSeconds,
      signal: io.signal,
    });
    const color = !values.json && 'isTTY' in io.stdout && io.stdout.isTTY === true && !process.env.NO_COLOR;
    const print = values.json ? undefined : createPrinter(io.stdout, color);
    const trajectory = await collectTrajectory(events, print);
    if (values.json)
      io.stdout.write(`${JSON.stringify({ ...trajectory, backend: { kind: backend.kind, baseUrl: backend.baseUrl }, sandbox: runner ? { tier: runner.tier, note: runner.tierNote } : null }, null, 2)}\n`);
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
