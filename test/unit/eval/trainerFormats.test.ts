// Every training export of real runs, checked line by line against what its reader documents
// (test/support/trainerFormats.ts: LLaMA-Factory's alpaca and sharegpt, OpenAI chat messages, the
// rollout format of docs/task-files.md). Runs on both backends and in all three protocols, two
// samples per question, with replies that carry reasoning, native tool calls, code that raises,
// and a question that spends the whole code-call budget (more than six turns: the v2 penalty).
// The scripted server plays the model over HTTP; the code runs in the real sandbox.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/agent/backends';
import { RESULTS_HEADER, type ProtocolMode } from '../../../src/agent/protocol';
import { evaluate } from '../../../src/eval/evaluate';
import { rolloutsJsonl } from '../../../src/eval/export/rollouts';
import { llamaFactoryDatasetEntry, SFT_FORMATS, sftJsonl } from '../../../src/eval/export/sft';
import { readResults, type ResultRecord } from '../../../src/eval/results';
import type { TaskRecord } from '../../../src/eval/types';
import { SandboxPool } from '../../../src/sandbox';
import { resolvePython } from '../../../src/sandbox/python';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { alpacaViolations, chatViolations, llamaFactoryReadColumns, rolloutViolations, sharegptViolations } from '../../support/trainerFormats';

const scenarios = [
  {
    id: 'tf-reasoning-one-call',
    match: 'Export probe A: how many primes are below 30?',
    turns: [
      { thinking: 'Count them with code rather than by hand.', text: 'I will count them.\n\n```python\nprint(sum(all(n % d for d in range(2, n)) for n in range(2, 30)))\n```\n' },
      { expectResultContains: '10', thinking: 'The code says 10.', text: 'The code counted {{result}}.\n\n<<<{{result}}>>>' },
    ],
  },
  {
    id: 'tf-error-then-fix',
    match: 'Export probe B: what is 2 ** 20?',
    turns: [
      { text: 'Let me compute it.\n\n```python\nprint(tow ** 20)\n```\n' },
      { expectResultContains: 'NameError', text: 'A typo. Again:\n\n```python\nprint(2 ** 20)\n```\n' },
      { expectResultContains: '1048576', text: 'So it is {{result}}.\n\n<<<{{result}}>>>' },
    ],
  },
  {
    id: 'tf-budget',
    match: 'Export probe C: keep computing.',
    repeatLastTurn: true,
    turns: [{ text: 'One more.\n\n```python\nprint(2 ** 10)\n```\n' }],
  },
  {
    id: 'tf-native-tool-call',
    match: 'Export probe D: what is 10 factorial?',
    turns: [
      { text: '', thinking: 'I will call the python tool.', toolCalls: [{ name: 'python', arguments: { code: 'import math\nprint(math.factorial(10))' } }] },
      { expectResultContains: '3628800', text: 'The tool printed {{result}}.\n\n<<<{{result}}>>>' },
    ],
  },
  {
    id: 'tf-cut-in-code',
    match: 'Export probe G: what is the sum of 0 to 9?',
    turns: [
      { text: 'Summing.\n\n```python\nprint(sum(range(', doneReason: 'length' },
      { expectResultContains: 'not executed', text: 'Shorter:\n\n```python\nprint(sum(range(10)))\n```\n' },
      { expectResultContains: '45', text: 'It is {{result}}.\n\n<<<{{result}}>>>' },
    ],
  },
  {
    // Characters outside the Basic Multilingual Plane (one code point, two UTF-16 units) before,
    // inside and after the results: a span counted in UTF-16 units lands beside the result in Python.
    id: 'tf-astral',
    match: 'Export probe H: how many apples in 🍎🍎🍎?',
    turns: [
      { text: 'Counting 🍎 with 𝑥 = 3 in mind.\n\n```python\nprint("🍎" * 3, len("🍎🍎🍎"))\n```\n' },
      { expectResultContains: '🍎🍎🍎 3', text: 'The code printed 🍎🍎🍎 and 3.\n\n```python\nprint("𝑥 =", 3)\n```\n' },
      { expectResultContains: '𝑥 = 3', text: 'So 𝑥 = 3 🍎.\n\n<<<3>>>' },
    ],
  },
  { id: 'tf-text-only', match: 'Export probe E: what is 1 + 1?', turns: [{ text: 'That is two.\n\n<<<2>>>' }] },
  { id: 'tf-wrong', match: 'Export probe F: what is 3 + 3?', turns: [{ text: 'Surely seven.\n\n<<<7>>>' }] },
] as Scenario[];

const question = (id: string, q: string, expected: string): TaskRecord => ({ id, task: 'export', question: q, scorer: { kind: 'number', expected }, source: { file: 'mem' }, metadata: {} });
const records: TaskRecord[] = [
  question('a', 'Export probe A: how many primes are below 30?', '10'),
  question('b', 'Export probe B: what is 2 ** 20?', '1048576'),
  question('c', 'Export probe C: keep computing.', '1024'),
  question('d', 'Export probe D: what is 10 factorial?', '3628800'),
  question('g', 'Export probe G: what is the sum of 0 to 9?', '45'),
  question('h', 'Export probe H: how many apples in 🍎🍎🍎?', '3'),
  question('e', 'Export probe E: what is 1 + 1?', '2'),
  question('f', 'Export probe F: what is 3 + 3?', '6'),
];

let server: ScriptedServer;
let dir = '';
beforeAll(async () => {
  server = await startScriptedServer({ scenarios, models: [{ name: 'r1-code-interpreter:7b', capabilities: ['completion', 'tools', 'thinking'] }] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1ci-trainer-formats-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(backend: 'ollama' | 'openai', protocol: ProtocolMode): Promise<ResultRecord[]> {
  const file = path.join(dir, `${backend}-${protocol}.results.jsonl`);
  const pool = new SandboxPool({ scratchRoot: path.join(dir, `pool-${backend}-${protocol}`), mode: 'stateless' });
  try {
    for await (const _ of evaluate(
      {
        records,
        backend: backend === 'ollama' ? createBackend({ kind: 'ollama', ollamaHost: server.url }) : createBackend({ kind: 'openai', openaiBaseUrl: `${server.url}/v1` }),
        model: 'r1-code-interpreter:7b',
        protocol,
        maxCodeCalls: 8,
        temperature: 0.6,
        seed: 3,
        textOnly: false,
        concurrency: 2,
        perQuestionTimeoutMs: 0,
        resultsFile: file,
        resume: false,
        samples: 2,
        newRunner: (worker, signal) => pool.acquire(path.join(dir, `w-${backend}-${protocol}-${worker}`), signal),
      },
      new AbortController().signal,
    ));
  } finally {
    await pool.dispose();
  }
  return (await readResults(file)).results;
}

const jsonLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('training exports against their readers (scripted server, real sandbox)', () => {
  const runs: Array<['ollama' | 'openai', ProtocolMode]> = [
    ['ollama', 'r1ci'],
    ['ollama', 'chat'],
    ['ollama', 'tools'],
    ['openai', 'r1ci'],
    ['openai', 'chat'],
    ['openai', 'tools'],
  ];
  it.each(runs)('%s backend, %s protocol: every SFT and rollout line is valid', async (backend, protocol) => {
    const results = await run(backend, protocol);
    expect(results.flatMap((r) => (r.error !== undefined ? [`${r.id}: ${r.error}`] : []))).toEqual([]);
    // The probes did what they are for: a native tool call ran, the budget question took more than six turns.
    expect(results.find((r) => r.id === 'd')).toMatchObject({ correct: true, codeCalls: 1 });
    expect(results.find((r) => r.id === 'c')?.turns).toBeGreaterThan(6);

    const problems: string[] = [];
    const counts: Record<string, number> = {};
    for (const format of SFT_FORMATS) {
      const exported = sftJsonl(results, { format });
      const lines = jsonLines(exported.text);
      counts[format] = lines.length;
      // Every correct trajectory with code is exported or named as left out, with its reason: none vanishes.
      expect(lines.length + exported.leftOut.length).toBe(10);
      if (format === 'alpaca' && protocol === 'tools')
        expect(exported.leftOut.map((l) => [l.id, l.reason.startsWith('it made native tool calls')])).toEqual([
          ['d', true],
          ['d', true],
        ]);
      const check = format === 'chat' ? chatViolations : format === 'alpaca' ? alpacaViolations : sharegptViolations;
      lines.forEach((l, i) => problems.push(...check(l).map((p) => `${format} line ${i + 1}: ${p}`)));
    }
    for (const options of [
      { format: false, turnPenalty: false },
      { format: true, turnPenalty: true },
    ]) {
      const lines = jsonLines(rolloutsJsonl(results, options).text);
      expect(lines).toHaveLength(records.length);
      lines.forEach((l, i) => problems.push(...rolloutViolations(l, results, options).map((p) => `rollouts ${JSON.stringify(options)} line ${i + 1}: ${p}`)));
    }
    expect(problems).toEqual([]);
    // Right with code: a, b, d, g, h, two samples each. Nothing is dropped, except from alpaca, which
    // has no turn for a native tool call (tools protocol).
    expect(counts.chat).toBe(10);
    expect(counts.sharegpt).toBe(10);
    expect(counts.alpaca).toBe(protocol === 'tools' ? 8 : 10);
  });

  it('masks the result of a native tool call the R1-CI protocol ran as code (was: no spans, the result trained on)', async () => {
    const results = await run('ollama', 'r1ci');
    const d = results.find((r) => r.id === 'd') as ResultRecord;
    const content = d.trajectory?.[1]?.content ?? '';
    expect(d.executionSpans?.map((s) => content.slice(s.start, s.end))).toEqual([`${RESULTS_HEADER}\n3628800\n`]);
    const share = jsonLines(sftJsonl(results, { format: 'sharegpt' }).text).find((l) => JSON.stringify(l).includes('Export probe D')) as { conversations: Array<{ from: string; value: string }> };
    expect(share.conversations.map((t) => t.from)).toEqual(['human', 'gpt', 'observation', 'gpt']);
  });

  it('masks the notice of code that was not run, and every result after it (was: no spans at all for such a trajectory)', async () => {
    const results = await run('ollama', 'r1ci');
    const g = results.find((r) => r.id === 'g') as ResultRecord;
    const content = g.trajectory?.[1]?.content ?? '';
    expect(g.executionSpans?.map((s) => content.slice(s.start, s.end))).toEqual([expect.stringMatching(/^Code Execution Results:\n\[not executed: [^\n]+\]\n$/), `${RESULTS_HEADER}\n45\n`]);
  });

  it('writes the tools protocol as function_call turns with tools, and its rollouts hold the call (was: dropped, response without code or result)', async () => {
    const results = await run('openai', 'tools');
    const share = jsonLines(sftJsonl(results, { format: 'sharegpt' }).text).find((l) => JSON.stringify(l).includes('Export probe D')) as { conversations: Array<{ from: string; value: string }>; tools: string };
    expect(share.conversations.map((t) => t.from)).toEqual(['human', 'function_call', 'observation', 'gpt']);
    expect(JSON.parse(share.conversations[1]?.value ?? '')).toEqual([{ name: 'python', arguments: { code: 'import math\nprint(math.factorial(10))' } }]);
    expect((JSON.parse(share.tools) as Array<{ name: string }>).map((t) => t.name)).toEqual(['python']);
    const chat = jsonLines(sftJsonl(results, { format: 'chat' }).text).find((l) => JSON.stringify(l).includes('Export probe D')) as { tools?: unknown[] };
    expect(chat.tools).toHaveLength(1);
    const group = jsonLines(rolloutsJsonl(results).text).find((l) => (l as { id: string }).id === 'd') as { samples: Array<{ response: string; mask_spans: Array<[number, number]> }> };
    const s = group.samples[0];
    expect(s?.response).toContain('print(math.factorial(10))');
    expect(s?.mask_spans.map(([a, b]) => s.response.slice(a, b))).toEqual(['3628800']);
  });
});

describe('rollout mask spans as a Python trainer slices them', () => {
  // A trainer reads the JSONL with json.loads and masks response[start:end] (str indices: code
  // points). Emoji and mathematical letters are one code point and two UTF-16 units each.
  it.each(['r1ci', 'chat'] as const)('%s protocol: response[start:end] in real Python is exactly each results block, around emoji (was: spans in UTF-16 units, off by one per emoji before them)', async (protocol) => {
    const results = await run('ollama', protocol);
    const file = path.join(dir, `astral-${protocol}.rollouts.jsonl`);
    writeFileSync(file, rolloutsJsonl(results).text);
    const script = [
      'import json, sys',
      'for line in open(sys.argv[1], encoding="utf-8"):',
      '    g = json.loads(line)',
      '    if g["id"] != "h": continue',
      '    for s in g["samples"]:',
      '        print(json.dumps([s["response"][a:b] for a, b in s["mask_spans"]]))',
    ].join('\n');
    const python = (await resolvePython()).executable;
    const sliced = execFileSync(python, ['-c', script, file], { encoding: 'utf8' })
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    const blocks = [`${RESULTS_HEADER}\n🍎🍎🍎 3\n`, `${RESULTS_HEADER}\n𝑥 = 3\n`];
    expect(sliced).toEqual([blocks, blocks]);
  });
});

describe('reasoning in the training exports', () => {
  it.each(['ollama', 'openai'] as const)('%s, chat protocol: each reply starts with its reasoning in <think> in alpaca, sharegpt and rollouts (was: dropped), results still masked exactly', async (backend) => {
    const results = await run(backend, 'chat');
    const think = (text: string): string => `<think>\n${text}\n</think>\n\n`;
    const first = `${think('Count them with code rather than by hand.')}I will count them.`;
    const second = `${think('The code says 10.')}The code counted 10.`;
    const share = jsonLines(sftJsonl(results, { format: 'sharegpt' }).text).find((l) => JSON.stringify(l).includes('Export probe A')) as { conversations: Array<{ from: string; value: string }> };
    const gpt = share.conversations.filter((t) => t.from === 'gpt').map((t) => t.value);
    expect(gpt[0]?.slice(0, first.length)).toBe(first);
    expect(gpt[1]?.slice(0, second.length)).toBe(second);
    const alpaca = jsonLines(sftJsonl(results, { format: 'alpaca' }).text).find((l) => JSON.stringify(l).includes('Export probe A')) as { output: string; history: Array<[string, string]> };
    expect(alpaca.history[0]?.[1].slice(0, first.length)).toBe(first);
    expect(alpaca.output.slice(0, second.length)).toBe(second);
    const group = jsonLines(rolloutsJsonl(results).text).find((l) => (l as { id: string }).id === 'a') as { samples: Array<{ response: string; mask_spans: Array<[number, number]> }> };
    for (const s of group.samples) {
      expect(s.response.slice(0, first.length)).toBe(first);
      expect(s.response).toContain(second);
      expect(s.mask_spans.map(([a, b]) => s.response.slice(a, b))).toEqual([expect.stringMatching(/^Code Execution Results:\n10\n/)]);
    }
  });
});

describe('the checker rejects what the readers reject', () => {
  it("LLaMA-Factory's dataset_info columns: a bare alpaca entry reads no history or system, a partial columns list unsets the defaults", () => {
    expect([...llamaFactoryReadColumns({ formatting: 'alpaca' })].sort()).toEqual(['input', 'instruction', 'output']);
    expect([...llamaFactoryReadColumns({ columns: { system: 'system', history: 'history' } })].sort()).toEqual(['history', 'system']);
    expect([...llamaFactoryReadColumns({ formatting: 'sharegpt' })]).toEqual(['conversations']);
    expect([...llamaFactoryReadColumns(llamaFactoryDatasetEntry('alpaca', 'a.jsonl'))].sort()).toEqual(['history', 'input', 'instruction', 'output', 'system']);
    expect([...llamaFactoryReadColumns(llamaFactoryDatasetEntry('sharegpt', 's.jsonl'))].sort()).toEqual(['conversations', 'system', 'tools']);
  });

  it('rollouts: a span over model text, a result left unmasked, a wrong reward', async () => {
    const results = await run('ollama', 'r1ci');
    const group = jsonLines(rolloutsJsonl(results).text).find((l) => (l as { id: string }).id === 'b') as { samples: Array<{ mask_spans: Array<[number, number]>; reward: number }> };
    const options = { format: false, turnPenalty: false };
    expect(rolloutViolations(group, results, options)).toEqual([]);
    const tampered = (change: (s: { mask_spans: Array<[number, number]>; reward: number }) => void): unknown => {
      const copy = structuredClone(group);
      const first = copy.samples[0];
      if (first) change(first);
      return copy;
    };
    expect(
      rolloutViolations(
        tampered((s) => (s.mask_spans = s.mask_spans.map(([a, b]) => [a - 5, b - 5]))),
        results,
        options,
      ).join(),
    ).toMatch(/not an injected result/);
    expect(
      rolloutViolations(
        tampered((s) => (s.mask_spans = s.mask_spans.slice(1))),
        results,
        options,
      ).join(),
    ).toMatch(/is not masked/);
    expect(
      rolloutViolations(
        tampered((s) => (s.reward = 0.5)),
        results,
        options,
      ).join(),
    ).toMatch(/reward 0.5/);
  });

  it('sharegpt: misplaced roles, an odd count, a function_call without tools or with string arguments, a result in a model turn', () => {
    expect(
      sharegptViolations({
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: 'a' },
        ],
      }),
    ).toEqual([]);
    expect(
      sharegptViolations({
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: 'a' },
          { from: 'gpt', value: 'b' },
          { from: 'human', value: 'c' },
        ],
      }).join(),
    ).toMatch(/position 3/);
    expect(
      sharegptViolations({
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: 'a' },
          { from: 'observation', value: 'o' },
        ],
      }).join(),
    ).toMatch(/even count/);
    expect(
      sharegptViolations({
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'function_call', value: '{"name":"python","arguments":"{}"}' },
          { from: 'observation', value: 'o' },
          { from: 'gpt', value: 'a' },
        ],
      }).join(),
    ).toMatch(/tools column.*|arguments/);
    expect(
      sharegptViolations({
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: `x\n${RESULTS_HEADER}\n1\n` },
        ],
      }).join(),
    ).toMatch(/execution result inside a gpt turn/);
  });
  it('alpaca and chat: missing columns, a tool message answering nothing, tool calls without tools', () => {
    expect(alpacaViolations({ instruction: 'q', input: '', output: '' }).join()).toMatch(/output/);
    expect(alpacaViolations({ instruction: 'q', input: '', output: 'a', extra: 1 }).join()).toMatch(/unknown column/);
    expect(
      chatViolations({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', content: 'o', tool_call_id: 'x' },
          { role: 'assistant', content: 'a' },
        ],
      }).join(),
    ).toMatch(/tool message must answer/);
    const call = { id: 'c', type: 'function', function: { name: 'python', arguments: '{}' } };
    expect(
      chatViolations({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '', tool_calls: [call] },
          { role: 'tool', content: 'o', tool_call_id: 'c' },
          { role: 'assistant', content: 'a' },
        ],
      }).join(),
    ).toMatch(/tools/);
  });
});
