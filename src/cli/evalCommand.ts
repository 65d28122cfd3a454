// `r1ci eval <file-or-folder>`: the benchmark harness on the command line. Results are appended
// to a JSONL file as questions finish, so an interrupted run resumes where it stopped; the exit
// code says whether the run worked (not how well the model did).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { modelRunSettings } from '../agent/modelRunSettings';
import { defaultSettings } from '../config/settingsSpec';
import { autoConcurrency, evaluate } from '../eval/evaluate';
import { describeUnsupported, loadTasks } from '../eval/load';
import { defaultResultsFile } from '../eval/resultsLocation';
import { readResults, sftTranscripts, toMarkdown, compareRuns, comparisonToMarkdown, summarize } from '../eval/results';
import type { EvalEvent } from '../eval/runner';
import { SandboxPool } from '../sandbox';
import { CliError, EXIT, intOption } from './cliSupport';
import { ISOLATION_OPTIONS, ISOLATION_USAGE, mayRunModelCode, readIsolation, refusingRunner, type GateIo } from './isolationGate';
import { MODEL_OPTIONS, modelOptionsUsage, readModelOptions, resolveModelProtocol } from './modelOptions';
import { createProgressReporter } from './evalProgress';
import { checkServerAndModel } from './preflight';

export const EVAL_USAGE = `Usage: r1ci eval <file-or-folder> [options]

Runs every question of a task file or folder (our JSONL/JSON task files, SymBench, Blocksworld,
Big-Bench-Hard, game24), scores the answers and appends one JSON line per question to the results
file. Running again with the same results file resumes: questions already done are skipped.
The server and the model are checked first; when either is missing nothing is run or written.

Options:
  --concurrency N         questions at once (default: 1 for ollama, 4 for openai)
  --question-timeout S    wall-clock limit per question in seconds, 0 = none (default: ${defaultSettings()['eval.timeoutSeconds']})
  --text-only             never run code (the paper's text-only baseline)
  --out FILE              results file (default: .r1ci/results/<tasks>.<model>[.text-only].results.jsonl
                          in the folder that holds the task file or folder)
  --fresh                 do not resume: the results file must not exist yet
  --sft FILE              also write the correct multi-turn trajectories as chat JSONL
${modelOptionsUsage()}
${ISOLATION_USAGE}
  -h, --help              this help

Exit status: 0 when every question ran (whatever the accuracy), 1 when task files had problems or
questions failed with errors (server, sandbox), 130 when cancelled (Ctrl-C; run again to resume).`;

export const EXPORT_SFT_USAGE = `Usage: r1ci export-sft <results.jsonl> [--out sft.jsonl]

Writes the correct trajectories with at least one code round trip as {"messages": [...]} lines
(the paper's SFT recipe). Without --out they go to standard output.`;

export const COMPARE_USAGE = `Usage: r1ci compare <a.jsonl> <b.jsonl>

Per-task accuracy of two results files side by side, with the difference B − A.`;

interface Io extends GateIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      concurrency: { type: 'string' },
      'question-timeout': { type: 'string' },
      'text-only': { type: 'boolean', default: false },
      out: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      sft: { type: 'string' },
      ...ISOLATION_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(`${EVAL_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`Give exactly one task file or folder.\n\n${EVAL_USAGE}`, EXIT.usage);
  const target = resolve(positionals[0] ?? '');
  const defaults = defaultSettings();
  const m = await resolveModelProtocol(readModelOptions(values), io.signal);
  const isolation = readIsolation(values.isolation);
  const concurrency = autoConcurrency(intOption('--concurrency', values.concurrency, 0, 1), m.backendKind);
  const questionTimeout = intOption('--question-timeout', values['question-timeout'], defaults['eval.timeoutSeconds'], 0);
  const textOnly = values['text-only'];
  const out = values.out ? resolve(values.out) : defaultResultsFile(target, m.model, textOnly);

  const loaded = await loadTasks(target, io.signal);
  for (const p of loaded.problems) {
    const where = p.line !== undefined ? `:${p.line}` : p.index !== undefined ? ` [record ${p.index}]` : '';
    io.stderr.write(`${p.file}${where}: ${p.message}\n`);
  }
  for (const line of describeUnsupported(loaded.unsupported ?? [])) io.stderr.write(`${line}\n`);
  if (loaded.records.length === 0) throw new CliError(`No questions found in ${target}${loaded.problems.length ? ` (${loaded.problems.length} problem(s) above)` : ''}.`, EXIT.failure);
  if (values.fresh && (await readResults(out)).results.length > 0) throw new CliError(`${out} already holds results; remove it or leave out --fresh to resume.`, EXIT.usage);
  await checkServerAndModel(m.backend, m.model, io.signal);
  await mkdir(dirname(out), { recursive: true });

  const scratchRoot = await mkdtemp(join(tmpdir(), 'r1ci-eval-'));
  const pool = new SandboxPool({ scratchRoot, pythonPath: m.pythonPath, limits: { timeoutMs: m.cellTimeoutSeconds * 1000 }, mode: 'stateless', isolation });
  let runModelCode = true;
  if (!textOnly) {
    // The tier of the runners this pool hands out, known (and shown) before any model code runs.
    const probe = await pool.acquire(join(scratchRoot, 'tier-probe'), io.signal).catch(async (e: unknown) => {
      await pool.dispose();
      throw new CliError(`the sandbox could not start: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
    });
    await probe.dispose();
    runModelCode = await mayRunModelCode(probe.tier, probe.tierNote, values['allow-unisolated'], io);
  }
  const progress = createProgressReporter(io.stdout, io.stdout.isTTY === true);
  io.stdout.write(`Evaluating ${loaded.records.length} question(s) from ${target} with ${m.model}${textOnly ? ' (text only)' : ''}, ${concurrency} at a time → ${out}\n`);
  let end: Extract<EvalEvent, { type: 'end' }> | undefined;
  try {
    const events = evaluate(
      {
        records: loaded.records,
        ...modelRunSettings(m),
        textOnly,
        concurrency,
        perQuestionTimeoutMs: questionTimeout * 1000,
        resultsFile: out,
        resume: true,
        newRunner: async (slot, signal, purpose) => {
          const runner = await pool.acquire(join(scratchRoot, slot), signal);
          // Checkers are the task set's own code; only model code needs the user's consent.
          if (runModelCode || purpose === 'checker') return runner;
          await runner.dispose();
          return refusingRunner(runner);
        },
      },
      io.signal,
    );
    for await (const event of events) {
      progress(event);
      if (event.type === 'end') end = event;
    }
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), EXIT.failure);
  } finally {
    await pool.dispose();
    await rm(scratchRoot, { recursive: true, force: true });
  }
  if (!end) return EXIT.failure;
  io.stdout.write(`\n${toMarkdown(end.summary)}`);
  if (values.sft) {
    const text = sftTranscripts(end.results);
    await writeFile(resolve(values.sft), text, 'utf8');
    io.stdout.write(`SFT: ${text === '' ? 0 : text.trimEnd().split('\n').length} correct multi-turn trajectories → ${resolve(values.sft)}\n`);
  }
  if (end.cancelled) {
    io.stderr.write(`r1ci: cancelled; ${out} keeps what finished — run the same command again to resume.\n`);
    return EXIT.cancelled;
  }
  if (end.errors > 0) io.stderr.write(`r1ci: ${end.errors} question(s) failed with an error (see "error" in ${out}); they are retried when you run again.\n`);
  return end.errors > 0 || loaded.problems.length > 0 ? EXIT.failure : EXIT.ok;
}

export async function exportSftCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.stdout.write(`${EXPORT_SFT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`Give exactly one results file.\n\n${EXPORT_SFT_USAGE}`, EXIT.usage);
  const file = resolve(positionals[0] ?? '');
  const read = await readResults(file);
  for (const p of read.problems) io.stderr.write(`${file}:${p.line}: ${p.message}\n`);
  if (read.results.length === 0) throw new CliError(`${file} holds no results.`, EXIT.failure);
  const text = sftTranscripts(read.results);
  if (values.out) {
    await writeFile(resolve(values.out), text, 'utf8');
    io.stderr.write(`${text === '' ? 0 : text.trimEnd().split('\n').length} transcript(s) → ${resolve(values.out)}\n`);
  } else io.stdout.write(text);
  return read.problems.length > 0 ? EXIT.failure : EXIT.ok;
}

export async function compareCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new CliError(`Give two results files.\n\n${COMPARE_USAGE}`, EXIT.usage);
  const [a, b] = await Promise.all(positionals.map((f) => readResults(resolve(f))));
  if (!a || !b) return EXIT.usage;
  io.stdout.write(`A: ${positionals[0]}\nB: ${positionals[1]}\n\n${comparisonToMarkdown(compareRuns(summarize(a.results), summarize(b.results)))}`);
  return a.problems.length + b.problems.length > 0 ? EXIT.failure : EXIT.ok;
}
