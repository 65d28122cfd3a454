// `r1ci export-sft` and `r1ci export-rollouts`: training data from a results file. SFT keeps
// the correct trajectories that ran code, as chat messages or LLaMA-Factory's alpaca/sharegpt;
// rollouts group a multi-sample run's samples per question with rewards and the spans of the
// execution results to mask from the loss. Without --out the data goes to standard output.
import { lstat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { rolloutsJsonl } from '../eval/export/rollouts';
import { describeLeftOut, llamaFactoryDatasetEntry, SFT_FORMATS, sftJsonl, type SftFormat } from '../eval/export/sft';
import { readResults, type ReadResults } from '../eval/results';
import { writeFileNoFollow } from '../eval/safeWrite';
import { curriculumJsonl, summarizeSamples } from '../eval/sampling';
import { CliError, escapingWriter, EXIT, parseCliArgs, usageError } from './cliSupport';
import { jsonTextForTerminal } from '../sandbox/terminalText';
import { counted } from '../text/counted';
import { describeFileKind, firstRecord, prepareOutputFolder, refuseOutputOverInput, refuseReplacingData } from './outputPaths';

export const EXPORT_SFT_USAGE = `Usage: r1ci export-sft <results.jsonl> [--format chat|alpaca|sharegpt] [--include-text-only] [--out sft.jsonl]

Writes the correct trajectories that ran code (the paper's SFT recipe), one JSON line each:
  chat      {"messages": [{"role", "content"}, ...]} (default)
  alpaca    LLaMA-Factory alpaca: {"instruction", "input", "output", "system"?, "history"?}
  sharegpt  LLaMA-Factory sharegpt: {"conversations": [{"from": "human"|"gpt"|"function_call"|"observation", "value"}], "system"?, "tools"?};
            execution results are "observation" turns, which LLaMA-Factory leaves out of the loss
Native tool calls (--protocol tools) go to chat (with "tools") and sharegpt ("function_call" turns), not alpaca.
For alpaca and sharegpt the dataset_info.json entry LLaMA-Factory needs is printed on stderr: it names
every column (alpaca's "history" and "system" are read only when named).
--include-text-only also keeps correct answers given without code. Without --out the lines go to
standard output.`;

export const EXPORT_ROLLOUTS_USAGE = `Usage: r1ci export-rollouts <results.jsonl> [--format-reward] [--turn-penalty] [--out rollouts.jsonl] [--curriculum curriculum.jsonl]

Groups the samples of a multi-sample run (r1ci eval --samples K) per question, one JSON line each:
{"id", "task", "prompt", "p", "samples": [{"sample", "response", "mask_spans": [[start, end], ...],
"reward", "correct", "answer", "turns", "code_calls", "code_refused"}]}. mask_spans are the character ranges of the
response that hold execution results (mask them from the loss; counted in code points, as Python's
response[start:end] slices); code_refused marks a sample whose code
was refused, not run (the basic tier without --allow-unisolated). The reward is 1 right / 0 wrong;
--format-reward adds the paper's v2 format term (+0.1 when the model wrote <<<answer>>>, else −0.1) and
--turn-penalty its −0.1 for more than six turns. --curriculum also writes each question's success
rate p, improvement potential 4p(1−p) and curriculum stage (1 = most to gain), highest first.`;

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Bad lines listed for a file that holds no result at all (the rest are counted). */
const MAX_PROBLEMS_WITHOUT_RESULTS = 5;

/**
 * A results file for a command that reads one (exports, compare): each bad line named on
 * stderr (`file:line: why`; of a file with no result at all only the first
 * MAX_PROBLEMS_WITHOUT_RESULTS, the rest counted), the rest returned. Throws CliError (exit 1)
 * when the file does not exist, is a folder or holds no result.
 */
export async function readResultsFile(file: string, io: Pick<Io, 'stderr'>): Promise<ReadResults> {
  if (!(await pathExists(file))) throw new CliError(`${file} does not exist.`, EXIT.failure);
  if (await isFolder(file)) throw new CliError(`${file} is a folder, not a results file (what \`r1ci eval\` writes).`, EXIT.failure);
  const read = await readResults(file);
  if (read.results.length === 0 && read.problems.length > 0) {
    // Another kind of file altogether (tasks, answers, an export): one sentence, not a schema error per line.
    const kind = firstLineKind(file);
    if (kind !== undefined) throw new CliError(`${file} is ${kind}, not an r1ci results file (what \`r1ci eval\` writes).`, EXIT.failure);
  }
  // A file with no result at all is not a results file: a few of its lines say why, not one message per line of a large file.
  const shown = read.results.length === 0 ? read.problems.slice(0, MAX_PROBLEMS_WITHOUT_RESULTS) : read.problems;
  for (const p of shown) escapingWriter(io.stderr).write(`${file}:${p.line}: ${p.message}\n`);
  if (read.results.length === 0) {
    const more = read.problems.length - shown.length;
    throw new CliError(`${file} holds no results${more > 0 ? ` (${counted(more, 'more line')} that ${more === 1 ? 'is' : 'are'} not a result either)` : ''}.`, EXIT.failure);
  }
  return read;
}

/** What the first line of `file` is when it is one of the files r1ci reads or writes besides results, else undefined. */
function firstLineKind(file: string): string | undefined {
  const first = firstRecord(file);
  return typeof first === 'object' ? describeFileKind(first.record) : undefined;
}

/** True when `path` itself (not followed if a link) is a folder. */
async function isFolder(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** True when something is at `path` (a link counts: readResults then refuses it with its reason). */
async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Writes the export to `out` (never through a link) or to stdout; the count goes to stderr either way, so stdout stays data. */
async function emit(text: string, out: string | undefined, what: string, io: Io): Promise<void> {
  if (out) {
    await writeFileNoFollow(resolve(out), text);
    escapingWriter(io.stderr).write(`${what} → ${resolve(out)}\n`);
  } else {
    // Standard output is often a terminal: the JSONL stays the same data, with what a terminal would act on escaped.
    io.stdout.write(jsonTextForTerminal(text));
    escapingWriter(io.stderr).write(`${what} → standard output\n`);
  }
}

export async function exportSftCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCliArgs('export-sft', {
    args: [...argv],
    allowPositionals: true,
    options: { out: { type: 'string' }, format: { type: 'string', default: 'chat' }, 'include-text-only': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(`${EXPORT_SFT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usageError('Give exactly one results file.', EXPORT_SFT_USAGE, 'export-sft');
  const format = values.format;
  if (!(SFT_FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be one of ${SFT_FORMATS.join(', ')} (got "${format}").`, EXIT.usage);
  const file = resolve(positionals[0] ?? '');
  refuseOutputOverInput('--out', values.out, [{ file, what: 'the results file being exported' }]);
  refuseReplacingData('--out', values.out);
  // Its folder before the results are read, as for export-rollouts: a folder that cannot take it is said first.
  await prepareOutputFolder('--out', values.out, 'nothing was written', false);
  const read = await readResultsFile(file, io);
  const sft = sftJsonl(read.results, { format: format as SftFormat, includeTextOnly: values['include-text-only'] });
  await emit(sft.text, values.out, `${counted(sft.count, 'transcript')} (${format})`, io);
  // Correct trajectories the format cannot hold are said, never dropped in silence.
  for (const line of describeLeftOut(sft.leftOut, format as SftFormat)) escapingWriter(io.stderr).write(`r1ci: ${line}\n`);
  if (format !== 'chat') {
    // LLaMA-Factory reads alpaca's history and system only when dataset_info.json names them: say the whole entry.
    const name = values.out ? basename(values.out).replace(/\.jsonl?$/, '') : `r1ci_${format}`;
    const entry = llamaFactoryDatasetEntry(format as 'alpaca' | 'sharegpt', values.out ? basename(values.out) : `${name}.jsonl`);
    escapingWriter(io.stderr).write(
      `LLaMA-Factory: register it in dataset_info.json as ${JSON.stringify({ [name]: entry })} (every column named: without "columns" it reads ${format === 'alpaca' ? 'the last exchange alone' : 'no system prompt or tools'}).\n`,
    );
  }
  return read.problems.length > 0 ? EXIT.failure : EXIT.ok;
}

export async function exportRolloutsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCliArgs('export-rollouts', {
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      curriculum: { type: 'string' },
      'format-reward': { type: 'boolean', default: false },
      'turn-penalty': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(`${EXPORT_ROLLOUTS_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usageError('Give exactly one results file.', EXPORT_ROLLOUTS_USAGE, 'export-rollouts');
  const file = resolve(positionals[0] ?? '');
  refuseOutputOverInput('--out', values.out, [{ file, what: 'the results file being exported' }]);
  refuseOutputOverInput('--curriculum', values.curriculum, [{ file, what: 'the results file being exported' }, ...(values.out ? [{ file: values.out, what: 'where --out writes the rollouts' }] : [])]);
  refuseReplacingData('--out', values.out);
  refuseReplacingData('--curriculum', values.curriculum);
  // Both outputs' folders before either is written: the rollouts must not be out when the curriculum cannot be.
  await prepareOutputFolder('--out', values.out, 'nothing was written', false);
  await prepareOutputFolder('--curriculum', values.curriculum, 'nothing was written', false);
  const read = await readResultsFile(file, io);
  const rollouts = rolloutsJsonl(read.results, { format: values['format-reward'], turnPenalty: values['turn-penalty'] });
  await emit(rollouts.text, values.out, `${counted(rollouts.groups, 'group')}, ${counted(rollouts.samples, 'sample')}`, io);
  if (rollouts.short.length > 0) {
    // Groups of unequal size are said: a trainer that batches groups of k (GRPO) must know which.
    const named = rollouts.short.slice(0, 3).map((g) => `${g.id}: ${g.samples}`);
    const more = rollouts.short.length > named.length ? `, and ${rollouts.short.length - named.length} more` : '';
    escapingWriter(io.stderr).write(
      `r1ci: ${counted(rollouts.short.length, 'group')} ${rollouts.short.length === 1 ? 'has' : 'have'} fewer than ${rollouts.k} samples (${named.join(', ')}${more}): their other samples ended in an error or were not asked yet; run the eval again with --samples ${rollouts.k} to complete them.\n`,
    );
  }
  if (values.curriculum) {
    const summary = summarizeSamples(read.results);
    await writeFileNoFollow(resolve(values.curriculum), curriculumJsonl(summary));
    escapingWriter(io.stderr).write(`curriculum of ${counted(summary.questions.length, 'question')} → ${resolve(values.curriculum)}\n`);
  }
  return read.problems.length > 0 ? EXIT.failure : EXIT.ok;
}
