// `r1ci eval <file-or-folder>`: the benchmark harness on the command line. Results are appended
// to a JSONL file as questions finish, so an interrupted run resumes where it stopped; the exit
// code says whether the run worked (not how well the model did).
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { autoConcurrency, evaluate } from '../eval/evaluate';
import { describeLoadProblem, describeSkipped, describeUnsupported, loadTasks } from '../eval/load';
import { sftJsonl } from '../eval/export/sft';
import { defaultResultsFile, ensureResultsFolder } from '../eval/resultsLocation';
import { writeFileNoFollow } from '../eval/safeWrite';
import { readResults, sampleKey, toMarkdown, compareRuns, comparisonToMarkdown } from '../eval/results';
import { samplesToMarkdown, summarizeSamples } from '../eval/sampling';
import { claimResultsFile, madeOtherwiseNote, pendingSamples, refuseMixedSampling, refuseOtherQuestions, resumableResults, sampleSeedsProblem, type EvalEvent, type ResultsClaim } from '../eval/runner';
import { SandboxPool } from '../sandbox';
import { CliError, conflictsOf, escapingWriter, EXIT, noQuestionsFound, parseCliArgs, refuseConflictingFlags, usageError } from './cliSupport';
import { fileErrorSentence } from '../text/fileErrors';
import { prepareOutputFolder, refuseOutputOverInput, refuseReplacingData, refuseResultsFileOfOtherKind } from './outputPaths';
import { ISOLATION_OPTIONS, ISOLATION_USAGE, mayRunModelCode, notRunSummary, readIsolation, refusingRunner, type GateIo } from './isolationGate';
import { MODEL_OPTIONS, modelOptionsUsage, readModelOptions, resolveModelRun } from './modelOptions';
import { EVAL_FLAGS } from '../config/settingFlags';
import { flagOptions, flagUsage } from './settingFlags';
import { createProgressReporter } from './evalProgress';
import { readResultsFile } from './exportCommands';
import { checkServerAndModel } from './preflight';
import { removeTree } from '../sandbox/scratchJanitor';
import { escapeControls } from '../sandbox/terminalText';
import { counted } from '../text/counted';
import { withFullStop } from '../text/fullStop';
import { applyQuestionSlice, parseQuestionSlice, SliceSyntaxError, type QuestionSlice } from '../eval/questionSlice';

export const EVAL_USAGE = `Usage: r1ci eval <file-or-folder> [options]

Runs every question of a task file or folder (our JSONL/JSON task files, SymBench, Blocksworld,
Big-Bench-Hard, game24, Reasoning-Gym and the other layouts of docs/task-files.md), scores the
answers and appends one JSON line per question to the results file. Running again with the same
results file resumes: questions already done are skipped. The server and the model are checked
first; when either is missing nothing is run or written.

Options:
${flagUsage(EVAL_FLAGS)}
  --text-only             never run code (the paper's text-only baseline)
  --out FILE              results file (default: .r1ci/results/<tasks>.<model>[.text-only].results.jsonl
                          in the folder that holds the task file or folder)
  --fresh                 do not resume: the results file must not exist yet
  --slice START:STOP:STEP ask only these questions, in Python's slice notation over the loaded
                          questions (0-based, in id order; ids do not change). The authors' game24
                          set is 24.csv --slice 5::30 (rows 5, 35, 65 …: 46 puzzles)
  --sft FILE              also write the correct trajectories that ran code of this run's
                          questions and samples as chat JSONL (the whole results file:
                          r1ci export-sft; RL rollouts: r1ci export-rollouts)
${modelOptionsUsage()}
${ISOLATION_USAGE}
  -h, --help              this help

Exit status: 0 when every question ran (whatever the accuracy), 1 when task files had problems or
questions failed with errors (server, sandbox), 2 for bad arguments, 130 when cancelled (Ctrl-C;
143 SIGTERM, 129 SIGHUP, 141 when the reader of its output went away; run again to resume).`;

export const COMPARE_USAGE = `Usage: r1ci compare <a.jsonl> <b.jsonl>

Per-task accuracy of two results files side by side, with the difference B − A. The comparison
is paired: every accuracy with a delta (per task, Overall, Macro) is over the questions both
files answered (matched by id; every sample of a multi-sample run counts). The output says how
many questions were compared and how many are only in A or only in B; tasks with no shared
question are listed without a delta. A and B must be two files: the same file twice (under any
name, or a hard link to it) is refused, as it would compare nothing.

Exit status: 0 when compared, 1 when the files share no question or have bad lines, 2 for bad
arguments.`;

/**
 * Flags of `eval` that contradict each other. With --text-only no model code runs (checkers still
 * run in the sandbox, so its flags and --isolation stay), so how code would be asked for and run
 * is ignored, and --sft (the correct trajectories that ran code) would always be empty.
 */
export const EVAL_CONFLICTS = [
  ...conflictsOf('text-only', ['protocol', 'max-code-calls', 'allow-unisolated'], '--text-only runs no model code, so the other would be ignored'),
  ...conflictsOf('text-only', ['sft'], '--sft keeps trajectories that ran code, and a text-only run has none'),
];

interface Io extends GateIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** `--slice`'s value as a slice; a malformed one is a usage error (exit 2) naming the problem. */
function readSlice(text: string): QuestionSlice {
  try {
    return parseQuestionSlice(text);
  } catch (e) {
    if (e instanceof SliceSyntaxError) throw new CliError(`--slice: ${e.message}`, EXIT.usage);
    throw e;
  }
}

export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const stderr = escapingWriter(io.stderr);
  const stdout = escapingWriter(io.stdout);
  const { values, positionals } = parseCliArgs('eval', {
    args: [...argv],
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      ...flagOptions(EVAL_FLAGS),
      'text-only': { type: 'boolean', default: false },
      out: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      slice: { type: 'string' },
      sft: { type: 'string' },
      ...ISOLATION_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    stdout.write(`${EVAL_USAGE}\n`);
    return EXIT.ok;
  }
  refuseConflictingFlags('eval', values, EVAL_CONFLICTS);
  if (positionals.length !== 1) throw usageError('Give exactly one task file or folder.', EVAL_USAGE, 'eval');
  const target = resolve(positionals[0] ?? '');
  const slice = values.slice === undefined ? undefined : readSlice(values.slice);
  const m = readModelOptions(values, [EVAL_FLAGS]);
  // Sample i uses seed + i: a last seed past what a results line holds would stop the run at that sample.
  if (sampleSeedsProblem(m.run.seed, m.run.eval.samples) !== undefined)
    throw new CliError(
      `--seed ${m.run.seed ?? ''} with --samples ${m.run.eval.samples}: sample i uses seed + i, and the last sample's seed would be above ${Number.MAX_SAFE_INTEGER}, the largest a results file holds exactly; give a --seed of at most ${Number.MAX_SAFE_INTEGER - (m.run.eval.samples - 1)}.`,
      EXIT.usage,
    );
  const modelRun = await resolveModelRun(m, io.signal);
  const isolation = readIsolation(values.isolation);
  const concurrency = autoConcurrency(m.run.eval.concurrency, m.run.server.kind);
  const textOnly = values['text-only'];
  const samples = m.run.eval.samples;
  if (samples > 1 && m.run.temperature === 0)
    stderr.write(`r1ci: --samples ${samples} with --temperature 0 asks the same question the same way ${samples} times; give a --temperature above 0 (the paper samples at 0.6).\n`);
  const out = values.out ? resolve(values.out) : defaultResultsFile(target, m.run.model, textOnly);
  // The default lies inside the task folder, which a cloned dataset controls: made without links.

  const loaded = await loadTasks(target, io.signal);
  for (const p of loaded.problems) stderr.write(`${describeLoadProblem(p)}\n`);
  for (const line of describeUnsupported(loaded.unsupported ?? [])) stderr.write(`${line}\n`);
  for (const line of describeSkipped(loaded.skipped ?? [])) stderr.write(`${line}\n`);
  if (loaded.records.length === 0) throw noQuestionsFound(target, loaded);
  const records = slice ? applyQuestionSlice(loaded.records, slice) : loaded.records;
  if (records.length === 0) throw new CliError(`--slice ${values.slice ?? ''} keeps none of the ${counted(loaded.records.length, 'question')} loaded from ${target}; nothing was run.`, EXIT.usage);
  const taskFiles = [...new Set(loaded.records.map((r) => r.source.file))].map((file) => ({ file, what: 'a file the tasks were read from' }));
  refuseOutputOverInput('--out', out, taskFiles);
  refuseOutputOverInput('--sft', values.sft, [{ file: out, what: "this run's results file" }, ...taskFiles]);
  refuseReplacingData('--sft', values.sft);
  refuseResultsFileOfOtherKind(values.out ? '--out' : 'the results file', out);
  await checkServerAndModel(m.backend, m.run.model, io.signal, { onSlow: (line) => io.stderr.write(`r1ci: ${escapeControls(line)}\n`) });
  // Both output folders through the one helper of every command's output paths (made when missing, writable).
  await prepareOutputFolder('--out', values.out, 'nothing was run', true);
  if (!values.out) {
    try {
      // The default lies inside the task folder, which a cloned dataset controls: made without links.
      await ensureResultsFolder(dirname(target));
    } catch (e) {
      // The default folder sits beside the tasks, which may be read-only (a shared dataset).
      throw new CliError(`${withFullStop(fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e)))} Name a results file elsewhere with --out FILE.`, EXIT.failure);
    }
  }
  // Written at the end: a folder that is missing (made here, as for --out) or not writable is said now, not after the run.
  await prepareOutputFolder('--sft', values.sft, 'nothing was run', true);
  // Another evaluation writing the same results file is refused now, before the sandbox starts,
  // the isolation question is asked or anything is shown (the runner would refuse it only later).
  let claim: ResultsClaim;
  try {
    claim = await claimResultsFile(out);
  } catch (e) {
    throw new CliError(fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e)), EXIT.failure);
  }
  let end: Extract<EvalEvent, { type: 'end' }> | undefined;
  // Said after the summary: nothing was asked, and the results were made otherwise than this command asks.
  let otherwise: string | undefined;
  // Answers of this run whose code was refused (the basic tier without consent), and their code blocks.
  const refused = { questions: 0, blocks: 0 };
  try {
    if (values.fresh && (await readResults(out)).results.length > 0) throw new CliError(`${out} already holds results; remove it or leave out --fresh to resume.`, EXIT.usage);
    // A results file this run may not resume (another model or mode, bad lines) is refused now,
    // before the sandbox starts and its tier is shown; the runner checks it again as it reads it.
    let left: number;
    try {
      const meta = { model: m.run.model, temperature: m.run.temperature, seed: m.run.seed ?? null, textOnly, ...(textOnly ? {} : { maxCodeCalls: m.run.maxCodeCalls }) };
      const { kept } = await resumableResults(out, meta);
      refuseOtherQuestions(out, kept, records);
      refuseMixedSampling(out, kept, records, samples, meta);
      left = pendingSamples(kept, records, samples).length;
      otherwise = madeOtherwiseNote(out, kept, records, samples, meta);
    } catch (e) {
      throw new CliError(fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e)), EXIT.failure);
    }

    const scratchRoot = await mkdtemp(join(tmpdir(), 'r1ci-eval-'));
    const pool = new SandboxPool({ scratchRoot, ...m.run.sandbox, mode: 'stateless', isolation });
    let runModelCode = true;
    // A resumed run with nothing left asks no question and runs no checker: no sandbox, no tier, no question.
    if (!textOnly && left > 0) {
      // The tier of the runners this pool hands out, known (and shown) before any model code runs.
      const probe = await pool.acquire(join(scratchRoot, 'tier-probe'), io.signal).catch(async (e: unknown) => {
        await pool.dispose();
        await removeTree(scratchRoot);
        if (io.signal.aborted) throw new CliError('cancelled before the first question.', EXIT.cancelled);
        throw new CliError(`the sandbox could not start: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
      });
      await probe.dispose();
      runModelCode = await mayRunModelCode(probe.tier, probe.tierNote, values['allow-unisolated'], io, isolation).catch(async (e: unknown) => {
        // Cancelled while asking: nothing ran yet, so nothing of the pool is left behind either.
        await pool.dispose();
        await removeTree(scratchRoot);
        throw e;
      });
    }
    const progress = createProgressReporter(io.stdout, io.stdout.isTTY === true, samples);
    try {
      const events = evaluate(
        {
          records,
          ...modelRun,
          textOnly,
          concurrency,
          perQuestionTimeoutMs: m.run.eval.questionTimeoutMs,
          resultsFile: out,
          claimed: claim,
          resume: true,
          samples,
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
        // Said once the results file was read: a refusal (results of another model, bad lines) comes before any progress.
        if (event.type === 'start') {
          stdout.write(
            `Evaluating ${counted(records.length, 'question')}${slice ? ` (--slice ${values.slice ?? ''} of ${loaded.records.length})` : ''}${samples > 1 ? ` × ${counted(samples, 'sample')}` : ''} from ${target} with ${m.run.model}${textOnly ? ' (text only)' : ''}, ${concurrency} at a time → ${out}\n`,
          );
        }
        progress(event);
        if (event.type === 'result' && !runModelCode && event.result.codeCalls > 0) {
          refused.questions++;
          refused.blocks += event.result.codeCalls;
        }
        if (event.type === 'end') end = event;
      }
    } catch (e) {
      throw new CliError(fileErrorSentence(e) ?? (e instanceof Error ? e.message : String(e)), EXIT.failure);
    } finally {
      await pool.dispose();
      await removeTree(scratchRoot);
    }
  } finally {
    await claim.release();
  }
  if (!end) return EXIT.failure;
  // A table of zeros says nothing (a run cancelled before its first answer): say that instead.
  stdout.write(end.results.length > 0 ? `\n${toMarkdown(end.summary)}` : '\nNo question has finished yet, so there is nothing to summarize.\n');
  if (samples > 1) {
    // pass@k of the k asked for: an unfinished run says which questions lack samples, never pass@(fewer).
    const sampling = summarizeSamples(end.results, samples);
    stdout.write(`\n${samplesToMarkdown(sampling)}`);
    const none = records.length - sampling.questions.length;
    if (none > 0) stdout.write(`${counted(none, 'question')} of this run ${none === 1 ? 'has' : 'have'} no finished sample yet, and ${none === 1 ? 'is' : 'are'} not in these figures.\n`);
  }
  if (values.sft) {
    // The run's in-memory results carry no transcripts (memory stays flat); they are in the file.
    // Of this run's questions and samples, as the summary: the file may also hold another task
    // set's or more samples' results (those are for `r1ci export-sft`, which takes the whole file).
    const inRun = new Set(end.results.map(sampleKey));
    const sft = sftJsonl(
      (await readResults(out)).results.filter((r) => inRun.has(sampleKey(r))),
      { format: 'chat' },
    );
    await writeFileNoFollow(resolve(values.sft), sft.text);
    stdout.write(`SFT: ${counted(sft.count, 'correct trajectory', 'correct trajectories')} that ran code, of this run's ${counted(end.results.length, samples > 1 ? 'sample' : 'question')} → ${resolve(values.sft)}\n`);
  }
  if (otherwise !== undefined) stderr.write(`r1ci: ${otherwise}\n`);
  // The table counts the code the model wrote ("Mean code calls"): say, after it, that none of it ran.
  if (refused.questions > 0) stderr.write(`${notRunSummary(refused.questions, refused.blocks, isolation, samples > 1)}\n`);
  if (end.cancelled) {
    stderr.write(`r1ci: cancelled; ${out} keeps what finished — run the same command again to resume.\n`);
    return EXIT.cancelled;
  }
  if (end.errors > 0) stderr.write(`r1ci: ${counted(end.errors, samples > 1 ? 'sample' : 'question')} failed with an error (see "error" in ${out}); they are retried when you run again.\n`);
  // The exit status says the task files were not read whole: say so after the table too.
  if (loaded.problems.length > 0) stderr.write(`r1ci: ${counted(loaded.problems.length, 'task-file problem')} (listed above): those questions were not evaluated.\n`);
  return end.errors > 0 || loaded.problems.length > 0 ? EXIT.failure : EXIT.ok;
}

export async function compareCommand(argv: readonly string[], io: Io): Promise<number> {
  const stdout = escapingWriter(io.stdout);
  const { values, positionals } = parseCliArgs('compare', { args: [...argv], allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw usageError('Give two results files.', COMPARE_USAGE, 'compare');
  await refuseSameFile(positionals[0] ?? '', positionals[1] ?? '');
  // Both files are read before either is refused: two missing files are both named, not the first alone.
  const read = await Promise.allSettled(positionals.map((f) => readResultsFile(resolve(f), io)));
  const refused = read.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (refused.length > 0) {
    if (refused.every((e) => e instanceof CliError)) throw new CliError(refused.map((e: CliError) => e.message).join('\nr1ci: '), EXIT.failure);
    throw refused.find((e) => !(e instanceof CliError));
  }
  const [a, b] = read.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  if (!a || !b) return EXIT.usage;
  const comparison = compareRuns(a.results, b.results);
  stdout.write(`A: ${positionals[0]}\nB: ${positionals[1]}\n\n${comparisonToMarkdown(comparison)}`);
  if (comparison.shared === 0) {
    const pair = idsApartByFolder(
      a.results.map((r) => r.id),
      b.results.map((r) => r.id),
    );
    const why = pair ? ` Their ids differ by a leading folder (A: "${pair[0]}", B: "${pair[1]}"): ids are relative to the task file or folder given to eval, so evaluate both runs on the same one.` : '';
    escapingWriter(io.stderr).write(`r1ci: the two results files share no question (no result id is in both), so nothing was compared.${why}\n`);
    return EXIT.failure;
  }
  return a.problems.length + b.problems.length > 0 ? EXIT.failure : EXIT.ok;
}

/**
 * An id of A and an id of B that name one question from two starting points (`navigate.json#0`
 * and `bbh/navigate.json#0`: one run was given the task file, the other its folder), as
 * `[idOfA, idOfB]`; undefined when no such pair exists (ids over 1,000 characters are not cut).
 */
function idsApartByFolder(idsOfA: readonly string[], idsOfB: readonly string[]): [string, string] | undefined {
  const inB = new Set(idsOfB);
  const inA = new Set(idsOfA);
  /** The first id of `ids` whose tail after one of its `/` is in `other`, and that tail. */
  const longer = (ids: ReadonlySet<string>, other: ReadonlySet<string>): [string, string] | undefined => {
    for (const id of ids) {
      // Each cut copies the rest of the id: ids of a results file from elsewhere are bounded first.
      if (id.length > 1000) continue;
      for (let at = id.indexOf('/'); at >= 0; at = id.indexOf('/', at + 1)) {
        const tail = id.slice(at + 1);
        if (other.has(tail)) return [id, tail];
      }
    }
    return undefined;
  };
  const aLonger = longer(inA, inB);
  if (aLonger) return aLonger;
  const bLonger = longer(inB, inA);
  return bLonger ? [bLonger[1], bLonger[0]] : undefined;
}

/**
 * Refuses (usage error, exit 2) `a` and `b` when they name one file (same device and inode: the
 * same path, another spelling of it, or a hard link), which `compare` would set against itself:
 * every delta 0 and every bad line reported twice. Paths that cannot be stat'ed are left for
 * the reader to report.
 * @throws CliError EXIT.usage
 */
async function refuseSameFile(a: string, b: string): Promise<void> {
  const [sa, sb] = await Promise.all([a, b].map((f) => stat(resolve(f)).catch(() => undefined)));
  if (sa && sb && sa.dev === sb.dev && sa.ino === sb.ino) {
    throw new CliError(`A and B are the same file (${a === b ? a : `${a} and ${b}`}): give two different results files to compare.`, EXIT.usage);
  }
}
