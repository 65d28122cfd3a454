// Other instances of the kinds in ../shared/cases/real-models (not in that folder): other
// reasoning fields and tags, other wire framings, other tool-call shapes, other ways a fence is
// left open or indented, other places an answer can hide. Real agent, real sandbox, real HTTP.
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ThinkSetting } from '../../../src/agent/backends/types';
import type { AgentEvent } from '../../../src/agent/events';
import type { ProtocolMode } from '../../../src/agent/protocol';
import { runAgent } from '../../../src/agent/runAgent';
import { collectTrajectory } from '../../../src/agent/trajectory';
import { useFrontEnd } from '../../../src/text/frontEnd';
import { ranCode, type Trajectory } from '../../../src/trajectory/trajectory';
import { BOTH_BACKENDS as BOTH, scriptedBackend, useAgentRig, type BackendKind } from '../../support/agentRig';
import type { ModelSpec, RecordedRequest, Scenario } from '../../support/scripted-server';
import { matplotlibPython } from '../../support/matplotlibPython';

const MODEL = 'reasoner:latest';

const rig = useAgentRig('r1ci-variant-');

interface Run {
  readonly trajectory: Trajectory;
  readonly events: readonly AgentEvent[];
  readonly chats: readonly RecordedRequest[];
  /** The conversation as the run left it (what eval results and SFT exports store). */
  readonly messages: readonly ChatMessage[];
}

interface RunOptions {
  readonly protocol?: ProtocolMode;
  readonly capabilities?: readonly string[];
  readonly think?: ThinkSetting;
  readonly maxCodeCalls?: number;
  readonly models?: readonly ModelSpec[];
  /** The interpreter for the code (default: python3 on PATH). */
  readonly pythonPath?: string;
  /** Scaled-down silence allowed between chunks (seconds). */
  readonly stallSeconds?: number;
  /** Scaled-down silence allowed before the first token (seconds). */
  readonly firstTokenSeconds?: number;
  /** Earlier messages of the conversation (a follow-up question). */
  readonly history?: readonly ChatMessage[];
}

async function run(kind: BackendKind, scenario: Omit<Scenario, 'id' | 'match'>, options: RunOptions = {}): Promise<Run> {
  const server = await rig.serve({
    scenarios: [{ id: 'variant', match: { regex: '^' }, ...scenario }],
    models: options.models ?? [{ name: MODEL, capabilities: options.capabilities ?? ['completion', 'thinking'] }],
  });
  const runner = await rig.codeRunner(options.pythonPath ? { pythonPath: options.pythonPath } : {});
  const backend = scriptedBackend(kind, server.url);
  const events: AgentEvent[] = [];
  let messages: readonly ChatMessage[] = [];
  const trajectory = await collectTrajectory(
    runAgent('Variant question.', {
      backend,
      model: MODEL,
      runner,
      protocol: options.protocol ?? 'chat',
      maxCodeCalls: options.maxCodeCalls ?? 4,
      temperature: 0,
      contextTokens: kind === 'ollama' ? 16384 : undefined,
      think: options.think,
      stallSeconds: options.stallSeconds,
      firstTokenSeconds: options.firstTokenSeconds,
      history: options.history,
      retryOnce: false,
      signal: new AbortController().signal,
      onMessages: (m) => {
        messages = m;
      },
    }),
    (e) => events.push(e),
  );
  const chats = server.chatRequests();
  for (const chat of chats) expect(chat.problems, JSON.stringify(chat.messages)).toEqual([]);
  return { trajectory, events, chats, messages };
}

const execCount = (r: Run): number => r.events.filter((e) => e.type === 'exec-result').length;

describe.each(BOTH)('reasoning on %s', (kind) => {
  it("gpt-oss's harmony channels left in the content (llama.cpp --reasoning-format none): the analysis is reasoning, its code and <<<…>>> neither run nor answer", async () => {
    const text = '<|channel|>analysis<|message|>Format: <<<answer content>>>. Try:\n```python\nprint(6 * 7)\n```\n<|end|><|start|>assistant<|channel|>final<|message|>It is <<<42>>>';
    const r = await run(kind, { chunkSize: 3, turns: [{ text }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('42');
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.reasoning).toContain('Format: <<<answer content>>>');
    expect(r.trajectory.turns[0]?.text).toBe('It is <<<42>>>');
  });

  it.each([1, 3, 100])(
    "gpt-oss's harmony channels with their special tokens dropped (`analysis…assistantfinal…`: a server that detokenizes without them, oobabooga/textgen#7374, Augustas11/macprovider#743), chunks of %i: the analysis is reasoning, its code and <<<…>>> neither run nor answer",
    async (chunkSize) => {
      const text = 'analysisThe user wants 6*7. Format: <<<answer content>>>. Try:\n```python\nprint(6 * 7)\n```\nassistantfinalIt is <<<42>>>';
      const r = await run(kind, { chunkSize, turns: [{ text }] }, { capabilities: ['completion'] });
      expect(r.trajectory.answer).toBe('42');
      expect(execCount(r)).toBe(0);
      expect(r.trajectory.turns[0]?.reasoning).toContain('Format: <<<answer content>>>');
      expect(r.trajectory.turns[0]?.text).toBe('It is <<<42>>>');
    },
  );

  it.each(['<|channel|>final<|message|>', '<|start|>assistant<|channel|>final<|message|>'])(
    "a reply that opens with gpt-oss's final channel header %s and no analysis (a gpt-oss fine-tune, vllm-project/vllm#23694; SGLang without separate_reasoning, sgl-project/sglang#10061): the header is dropped, the fence right after it runs",
    async (header) => {
      const r = await run(kind, { chunkSize: 4, turns: [{ text: `${header}\`\`\`python\nprint(6 * 7)\n\`\`\`\n` }, { text: 'So <<<{{RESULT}}>>>' }] }, { capabilities: ['completion'] });
      expect(execCount(r)).toBe(1);
      expect(r.trajectory.answer).toBe('42');
      expect(r.trajectory.turns[0]?.text).toBe('```python\nprint(6 * 7)\n```\n');
    },
  );

  // Punctuation right after the word, ASCII or not (an em dash, a full-width colon), is prose too:
  // only a letter (a capital, or one outside ASCII) runs into stripped harmony's analysis.
  it.each(['analysis of the question: it is <<<5>>>', 'analysis—the key step: it is <<<5>>>', 'analysis：这是 <<<5>>>', 'analysis… it is <<<5>>>'])(
    'a reply that merely starts with the word "analysis" is the reply, not reasoning: %s',
    async (text) => {
      const r = await run(kind, { chunkSize: 3, turns: [{ text }] }, { capabilities: ['completion'] });
      expect(r.trajectory.answer).toBe('5');
      expect(r.trajectory.turns[0]?.text).toBe(text);
    },
  );

  it.each([
    ["Magistral 2509 and Ministral reasoning's [THINK]…[/THINK] (a server without Mistral's reasoning parser, waybarrios/vllm-mlx#599)", '[THINK]', '[/THINK]'],
    ["Seed-OSS's <seed:think>…</seed:think> (vLLM without --reasoning-parser seed_oss)", '<seed:think>', '</seed:think>'],
    ["Kimi-VL Thinking's ◁think▷…◁/think▷ (a server without SGLang's kimi reasoning parser)", '◁think▷', '◁/think▷'],
    ["Gemma 4's <|channel>thought…<channel|> (its model card's thinking format; LM Studio, lmstudio-ai/lmstudio-bug-tracker#2013)", '<|channel>thought\n', '<channel|>'],
    ["Gemma 4's <|channel>…<channel|> without the channel's name (mlx-vlm's server, Blaizzy/mlx-vlm#899)", '<|channel>\n', '\n<channel|>\n'],
  ])('%s left in the content: the reasoning is shown as reasoning, its code and <<<…>>> neither run nor answer', async (_how, open, close) => {
    const text = `${open}Format: <<<answer content>>>. Try:\n\`\`\`python\nprint(6 * 7)\n\`\`\`\n${close}It is <<<42>>>`;
    const r = await run(kind, { chunkSize: 3, turns: [{ text }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('42');
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.reasoning).toContain('Format: <<<answer content>>>');
    expect(r.trajectory.turns[0]?.reasoning).not.toMatch(/^\s*thought/);
    expect(r.trajectory.turns[0]?.text).toBe('It is <<<42>>>');
  });

  it('inline <think> split across chunks (a model without the thinking capability) is reasoning, and its <<<…>>> is never the answer', async () => {
    const r = await run(kind, { chunkSize: 3, turns: [{ text: '<think>\nFormat: <<<wrong>>>. Compute 2+3.\n</think>\n\nIt is 5. <<<5>>>' }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('5');
    expect(r.trajectory.turns[0]?.reasoning).toContain('<<<wrong>>>');
    expect(r.trajectory.turns[0]?.text).toBe('It is 5. <<<5>>>');
  });

  it('after a lone </think> (the chat template opens the tag: deepseek-r1 distills on vLLM without a reasoning parser), later replies start in the reasoning: their scratch code is shown, not run', async () => {
    const r = await run(
      kind,
      {
        turns: [
          { text: 'The user wants 6*7.\n</think>\n\nComputing:\n```python\nprint(6*7)\n```\n' },
          { text: 'Check it another way:\n```python\nprint(7*6)\n```\nThe result was {{RESULT}}.\n</think>\n\nSo <<<{{RESULT}}>>>' },
        ],
      },
      { capabilities: ['completion'] },
    );
    expect(execCount(r)).toBe(1);
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[1]?.reasoning).toContain('print(7*6)');
    expect(r.trajectory.turns[1]?.text).toBe('So <<<42>>>');
  });

  it.each([
    ['an inline code span', 'It is <<<7>>>. (Reasoning models end their thoughts with `</think>`.)'],
    ['a fenced block', 'It is <<<7>>>. A reasoning model writes:\n\n```\n<think>\nhmm\n</think>\n```\n'],
  ])('a </think> quoted in %s is no tag: the answer before it counts, later replies are not reasoning', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<8>>>' }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('7');
    expect(r.trajectory.turns[0]?.text).toContain('It is <<<7>>>');
  });

  it.each([1, 2, 5])('after a lone </think>, a </think> the reasoning quotes in code is reasoning live as in the trajectory (chunks of %i)', async (chunkSize) => {
    const r = await run(
      kind,
      {
        chunkSize,
        turns: [
          { text: 'The user wants 6*7.\n</think>\n\nComputing:\n```python\nprint(6*7)\n```\n' },
          { text: 'Models close thoughts with `</think>`, or write\n```\n</think>\n```\nThe result was {{RESULT}}.\n</think>\n\nSo <<<{{RESULT}}>>>' },
        ],
      },
      { capabilities: ['completion'] },
    );
    const live = (type: 'token' | 'reasoning'): string =>
      r.events
        .filter((e) => e.type === type && e.turn === 1)
        .map((e) => ('text' in e ? e.text : ''))
        .join('');
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[1]?.text).toBe('So <<<42>>>');
    expect(live('token')).toBe('So <<<42>>>');
    expect(live('reasoning')).toBe(r.trajectory.turns[1]?.reasoning);
    expect(live('reasoning')).toContain('write\n```\n</think>\n```\nThe result was 42.');
  });

  it('a second </think> after an inline <think>…</think> is the reply’s text, as shown live: the answer before it is the model’s own, and later replies are not reasoning', async () => {
    const r = await run(
      kind,
      {
        chunkSize: 4,
        turns: [
          { text: '<think>Plan: print it.</think>Done planning.</think>\nComputing:\n```python\nprint(6*7)\n```\n' },
          { text: 'Check:\n```python\nprint({{RESULT}} + 1)\n```\n' },
          { text: '<think>Fine.</think>It is <<<{{RESULT}}>>>. Done.</think>' },
        ],
      },
      { capabilities: ['completion'] },
    );
    expect(execCount(r)).toBe(2);
    expect(r.trajectory.turns[1]?.reasoning ?? '').toBe('');
    expect(r.trajectory.turns[1]?.text).toContain('Check:');
    const live = r.events.flatMap((e) => (e.type === 'token' && e.turn === 2 ? [e.text] : [])).join('');
    expect(live).toBe('It is <<<43>>>. Done.</think>');
    expect(r.trajectory.turns[2]?.text).toBe(live);
    expect(r.trajectory.answer).toBe('43');
    expect(r.trajectory.answerSource).toBe('model');
  });

  it('a </think> quoted in an inline code span does not make later replies reasoning', async () => {
    const r = await run(
      kind,
      { turns: [{ text: 'DeepSeek ends its reasoning with `</think>`. Computing:\n```python\nprint(6*7)\n```\n' }, { text: 'Check it:\n```python\nprint({{RESULT}} + 1)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }] },
      { capabilities: ['completion'] },
    );
    expect(execCount(r)).toBe(2);
    expect(r.trajectory.turns[1]?.text).toContain('Check it:');
    expect(r.trajectory.turns[1]?.reasoning ?? '').toBe('');
    expect(r.trajectory.answer).toBe('43');
  });

  if (kind === 'openai')
    it('a lone </think> the server’s reasoning parser let into the content (vLLM qwen3 parser, vllm-project/vllm#38789) does not make later replies reasoning', async () => {
      const r = await run(kind, {
        turns: [{ thinking: 'Six sevens.', text: '</think>\n\nCompute:\n```python\nprint(6 * 7)\n```\n' }, { thinking: 'Check it.', text: 'Check:\n```python\nprint(42 + 1)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }],
      });
      expect(r.trajectory.answer).toBe('43');
      expect(r.trajectory.answerSource).toBe('model');
      expect(r.trajectory.turns[1]?.text).toContain('Check:');
      expect(r.trajectory.turns[1]?.reasoning).toBe('Check it.');
      expect(warningsOf(r, 'code-in-reasoning')).toEqual([]);
    });

  if (kind === 'openai')
    it('a <think> sent as content before reasoning in the reasoning field, never closed (lmdeploy, InternLM/lmdeploy#3664): the content after it is the reply', async () => {
      const r = await run(kind, { wire: { thinkTagAsContent: true }, turns: [{ thinking: 'Six sevens.', text: 'Compute:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }] });
      expect(r.trajectory.answer).toBe('42');
      expect(r.trajectory.turns[0]?.text).toContain('Compute:');
      expect(r.trajectory.turns[0]?.reasoning).toBe('Six sevens.');
      expect(warningsOf(r, 'code-in-reasoning')).toEqual([]);
    });

  it('the same in a follow-up question whose conversation already had a lone </think>', async () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'What is 1?' },
      { role: 'assistant', content: 'Trivial.\n</think>\n\n<<<1>>>' },
    ];
    const r = await run(kind, { turns: [{ text: 'Scratch:\n```python\nprint(7*6)\n```\nIt is 42.\n</think>\n\nSo <<<42>>>' }] }, { capabilities: ['completion'], history });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[0]?.reasoning).toContain('print(7*6)');
  });

  it('a python block in the reasoning is only shown when the reply answers by itself', async () => {
    const r = await run(kind, { turns: [{ thinking: 'Maybe:\n```python\nprint(1)\n```\nNo need.', text: 'Plainly <<<7>>>' }] });
    expect(r.trajectory.answer).toBe('7');
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.reasoning).toContain('print(1)');
  });

  it('of several python blocks in the reasoning, the last one runs (the model’s latest version)', async () => {
    const r = await run(kind, {
      turns: [{ thinking: 'Draft:\n```python\nprint("draft")\n```\nBetter:\n```python\nprint(3 * 11)\n```\n', text: '' }, { text: 'So <<<{{RESULT}}>>>' }],
    });
    expect(r.trajectory.answer).toBe('33');
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'reasoning', code: 'print(3 * 11)' });
  });

  it('think "off" and gpt-oss levels reach the server in its own terms', async () => {
    const r = await run(kind, { turns: [{ thinking: 'hidden', text: '<<<1>>>' }] }, { think: kind === 'ollama' ? 'off' : 'high' });
    const body = r.chats[0]?.body as Record<string, unknown>;
    if (kind === 'ollama') {
      expect(body['think']).toBe(false);
      // Ollama with think:false does not think.
      expect(r.trajectory.turns[0]?.reasoning).toBeUndefined();
    } else {
      expect(body['reasoning_effort']).toBe('high');
    }
    expect(r.trajectory.answer).toBe('1');
  });
});

describe('reasoning fields and framing', () => {
  it('OpenAI-compatible delta.reasoning (vLLM ≥ 0.10) is read like reasoning_content', async () => {
    const r = await run('openai', { wire: { reasoningField: 'reasoning' }, turns: [{ thinking: 'twelve squared is 144', text: '<<<144>>>' }] });
    expect(r.trajectory.turns[0]?.reasoning).toBe('twelve squared is 144');
    expect(r.trajectory.answer).toBe('144');
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])('a reasoning field that holds {"text": …} (Envoy AI Gateway for Bedrock, envoyproxy/ai-gateway#1222), %s, is read as the reasoning', async (_how, nonStream) => {
    const r = await run('openai', { wire: { reasoningAsObject: true }, turns: [{ thinking: 'twelve squared is 144', text: '<<<144>>>', nonStream }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('twelve squared is 144');
    expect(r.trajectory.answer).toBe('144');
  });

  it.each([
    ['text items, streamed', 'reasoning_details', false],
    ['text items, not streamed', 'reasoning_details', true],
    ['summary items, streamed', 'reasoning_details_summary', false],
    ['summary items, not streamed', 'reasoning_details_summary', true],
  ] as const)("OpenRouter's reasoning_details without reasoning (%s) is the reasoning; its encrypted items are never shown", async (_how, reasoningField, nonStream) => {
    const r = await run('openai', { wire: { reasoningField }, turns: [{ thinking: 'twelve squared is 144', text: '<<<144>>>', nonStream }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('twelve squared is 144');
    expect(r.events.filter((e) => e.type === 'reasoning' || e.type === 'token').map((e) => JSON.stringify(e))).not.toContainEqual(expect.stringContaining('ENCRYPTED'));
    expect(r.trajectory.answer).toBe('144');
  });

  it('Ollama "auto" sends think:true only for a model with the thinking capability', async () => {
    const r = await run('ollama', { turns: [{ thinking: 'quiet', text: '<<<2>>>' }] }, { capabilities: ['completion', 'thinking'] });
    expect((r.chats[0]?.body as Record<string, unknown>)['think']).toBe(true);
    expect(r.trajectory.turns[0]?.reasoning).toBe('quiet');
  });

  it.each(BOTH)('CRLF line ends and bodies split inside a UTF-8 character (%s)', async (kind) => {
    const r = await run(kind, {
      wire: { crlf: true, splitUtf8: true },
      chunkSize: 5,
      turns: [{ thinking: 'ünïcödé → ✓', text: 'Größe: π ≈ 3.14 🎉\n```python\nprint("é" * 3)\n```\n' }, { text: 'Got {{RESULT}} <<<{{RESULT}}>>>' }],
    });
    expect(r.trajectory.turns[0]?.reasoning).toBe('ünïcödé → ✓');
    expect(r.trajectory.turns[0]?.text).toContain('π ≈ 3.14 🎉');
    expect(r.trajectory.answer).toBe('ééé');
  });

  it('a non-streamed reply with message.reasoning (vLLM ≥ 0.10) keeps its reasoning', async () => {
    const r = await run('openai', { wire: { reasoningField: 'reasoning' }, turns: [{ thinking: 'flat thought', text: '<<<3>>>', nonStream: true }] });
    expect(r.trajectory.turns[0]?.reasoning).toBe('flat thought');
    expect(r.trajectory.answer).toBe('3');
  });

  it.each([
    ['not streamed', true],
    ['streamed', false],
  ])("llama.cpp's deepseek-legacy reasoning format (reasoning_content and the same <think> block in the content), %s: the reasoning is kept once, the answer found", async (_how, nonStream) => {
    const r = await run('openai', { wire: { thinkTagsKept: true }, turns: [{ thinking: 'Five it is: <<<answer content>>> is the format.', text: 'So <<<5>>>', nonStream }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Five it is: <<<answer content>>> is the format.');
    expect(r.trajectory.turns[0]?.text).not.toContain('think>');
    expect(r.trajectory.answer).toBe('5');
  });

  it('an Ollama-API proxy that ignores stream:true and answers one JSON object is read too', async () => {
    const r = await run('ollama', { turns: [{ text: 'Flat <<<5>>>', thinking: 'one shot', nonStream: true }] });
    expect(r.trajectory.answer).toBe('5');
    expect(r.trajectory.turns[0]?.reasoning).toBe('one shot');
  });

  it.each(BOTH)('a reply that ignores stream:true and is JSON indented over many lines (a pretty-printing web framework) is read too, on %s', async (kind) => {
    const r = await run(kind, { wire: { prettyJson: true }, turns: [{ text: 'Flat <<<5>>>', thinking: 'one shot', nonStream: true }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('5');
    expect(r.trajectory.turns[0]?.reasoning).toBe('one shot');
  });

  it('a non-streamed reply with reasoning and a tool call (server ignores stream:true)', async () => {
    const r = await run(
      'openai',
      {
        turns: [
          { text: '', thinking: 'use the tool', nonStream: true, toolCalls: [{ name: 'python', arguments: { code: 'print(2**10)' } }] },
          { text: '<<<{{RESULT}}>>>', nonStream: true },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.turns[0]?.reasoning).toBe('use the tool');
    expect(r.trajectory.answer).toBe('1024');
  });
});

describe.each(BOTH)('tools protocol on %s', (kind) => {
  it('several calls in one reply run in order, each answered by its own tool message', async () => {
    const r = await run(
      kind,
      {
        turns: [
          {
            text: '',
            toolCalls: [
              { name: 'python', arguments: { code: 'open("n.txt", "w").write("6")\nprint("saved")' } },
              { name: 'python', arguments: { code: 'print(int(open("n.txt").read()) * 7)' } },
            ],
          },
          { text: 'Done: <<<{{RESULT}}>>>' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.answer).toBe('42');
    const tools = r.chats[1]?.messages?.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(tools).toEqual(['saved', '42']);
    expect(r.trajectory.codeCalls).toBe(2);
    const body = r.chats[0]?.body as { tools?: Array<{ function: { name: string } }> };
    expect(body.tools?.map((t) => t.function.name)).toEqual(['python']);
  });

  it('a long call streamed slowly is life, not a stall: its argument deltas keep the watchdog fed', async () => {
    // ~280 characters of code in 7-character deltas 60 ms apart (OpenAI-compatible; Ollama sends a
    // call whole): about 2.4 s of arguments after the reasoning, against a 1 s stall limit.
    const code = `total = 0\n${Array.from({ length: 12 }, (_, i) => `total += ${i}  # step ${i}\n`).join('')}print(total)`;
    const r = await run(
      kind,
      { perChunkDelayMs: 60, turns: [{ thinking: 'I will call the tool.', text: '', toolCalls: [{ name: 'python', arguments: { code } }] }, { text: '<<<{{RESULT}}>>>' }] },
      { protocol: 'tools', stallSeconds: 1 },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('66');
  });

  // Ollama (ollama/ollama#13581, and so its /v1), TabbyAPI (theroyallab/tabbyAPI#460) and
  // mesh-llm before #1371 (a 701-token call after 29 s of nothing) send a call whole once written.
  it('a server that sends a call only once it is complete (Ollama, TabbyAPI): the silence while the model writes it is not a stall', async () => {
    // 1.5 s without a byte between the reply's text and its call, against a 1 s stall limit.
    const r = await run(
      kind,
      {
        perChunkDelayMs: 1500,
        wire: { toolCallDeltas: 'whole' },
        turns: [{ text: 'Calling.', chunkSize: 100, toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: '<<<{{RESULT}}>>>' }],
      },
      { protocol: 'tools', stallSeconds: 1 },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
  });

  if (kind === 'ollama')
    it.each([
      ['after its reasoning (the error as the reply’s last line)', 'I will run it.'],
      ['with nothing before it (the error as HTTP 500)', undefined],
    ])("gpt-oss's call to its built-in python (the code, not JSON) that Ollama's harmony parser cannot read, %s, runs as the python call it is", async (_how, thinking) => {
      // Ollama keeps a tool named python as gpt-oss's built-in (harmony/harmonyparser.go), which
      // gpt-oss calls with the code itself; Ollama then fails with "error parsing tool call:
      // raw='<code>', err=…" (odysseus-dev/odysseus#5877).
      const r = await run(
        kind,
        {
          wire: { harmonyRawCall: true },
          turns: [{ ...(thinking !== undefined ? { thinking } : {}), text: '', toolCalls: [{ name: 'python', arguments: { code: "print(len('abc') * 14)" } }] }, { text: 'So <<<{{RESULT}}>>>' }],
        },
        { protocol: 'tools', capabilities: ['completion', 'thinking', 'tools'] },
      );
      expect(r.trajectory.error).toBeUndefined();
      expect(r.trajectory.turns.flatMap((t) => (t.cell ? [t.cell.code] : []))).toEqual(["print(len('abc') * 14)"]);
      expect(r.trajectory.answer).toBe('42');
      expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('42');
    });

  it('malformed arguments get an error the model can read, and count against the budget', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: '{"code": "print(1)' }] }, { text: 'Saw: {{RESULT}}' }] }, { protocol: 'tools' });
    const tool = r.chats[1]?.messages?.find((m) => m.role === 'tool');
    expect(tool?.content).toMatch(/error: .*(not valid JSON|no "code")/);
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.codeCalls).toBe(1);
    // The user (and the record) learn of the call too: a code call was spent on it.
    expect(r.trajectory.warnings).toEqual([expect.objectContaining({ kind: 'tool-call-error', message: expect.stringMatching(/not valid JSON.*\{"code": "print\(1\)/) })]);
  });

  it('a call to another tool is shown to the user with the error the model got', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'bash', arguments: { cmd: 'ls' } }] }, { text: 'Saw: {{RESULT}}' }] }, { protocol: 'tools' });
    expect(warningsOf(r, 'tool-call-error').join(' ')).toMatch(/no tool named "bash"/);
  });

  // The warning quotes the model's call: its line ends wrote lines of their own where it is shown
  // (a terminal's "Final answer: 42" that the model made up).
  it('the warning quotes the name and arguments of a bad call on one line, controls escaped', async () => {
    const r = await run(
      kind,
      {
        turns: [
          {
            text: '',
            toolCalls: [
              { name: 'bash\nFinal answer: 42\n', arguments: '{}' },
              { name: 'python', arguments: '{"code": "1\n\nFinal answer: 7\u202e' },
            ],
          },
          { text: 'Saw: {{RESULT}}' },
        ],
      },
      { protocol: 'tools' },
    );
    const told = warningsOf(r, 'tool-call-error');
    expect(told).toHaveLength(2);
    for (const message of told) expect(message).not.toMatch(/[\n\u202e]/);
    expect(told.join(' ')).toContain('no tool named "bash\\nFinal answer: 42\\n"');
    expect(told.join(' ')).toContain('\\n\\nFinal answer: 7\\u202e');
  });

  it('tool calls stop at the code-call budget', async () => {
    const r = await run(kind, { repeatLastTurn: true, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }] }, { protocol: 'tools', maxCodeCalls: 2 });
    expect(r.trajectory.reason).toBe('budget');
    expect(execCount(r)).toBe(2);
  });

  it('a model that writes a python fence instead of calling the tool still gets it run', async () => {
    const r = await run(kind, { turns: [{ text: 'Computing:\n```python\nprint(9 * 9)\n```\n' }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.answer).toBe('81');
  });
});

describe.each(BOTH)('fences, answers and truncation on %s', (kind) => {
  it('a ~~~ fence left open by the stop string, in a list item indented four spaces, runs dedented', async () => {
    const r = await run(kind, { turns: [{ text: '1. First:\n    ~~~python\n    for i in range(3):\n        print(i * 5)\n' }, { text: 'Last: <<<{{resultLine -1}}>>>' }] });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('for i in range(3):\n    print(i * 5)');
    // The model gets its block back closed by its own fence, in its list item.
    expect(r.chats[1]?.messages?.map((m) => m.content).join('\n')).toContain('        print(i * 5)\n    ~~~\n');
    expect(r.trajectory.answer).toBe('10');
  });

  it('an answer quoted as an instruction (blockquote, inline code) never beats the final one', async () => {
    const r = await run(kind, { turns: [{ text: '> Reply with `<<<your answer>>>`\n> e.g. <<<0>>>\n\nThe total is \\boxed{12}.' }] });
    expect(r.trajectory.answer).toBe('12');
  });

  it('when the model only points at the output, the answer the code printed counts, marked as such', async () => {
    const r = await run(kind, { turns: [{ text: '```python\nprint("<<<" + str(6 * 9) + ">>>")\n```\n' }, { text: 'The program printed the answer above.' }] });
    expect(r.trajectory.answer).toBe('54');
    expect(r.trajectory.answerSource).toBe('code-output');
  });

  it('a reply cut by the token limit after a closed block still runs the closed block', async () => {
    const r = await run(kind, { turns: [{ text: '```python\nprint(8)\n```\nand then I will expl', doneReason: 'length' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(r.trajectory.answer).toBe('8');
  });

  it.each([
    ['the token limit', 'length', '```python\nfor i in range(3):\n    print(i * 7)\n``'],
    ['a stop string', 'stop', '```python\nfor i in range(3):\n    print(i * 7)\n``'],
    ['a stop string, in a list item', 'stop', '- Run:\n  ```python\n  for i in range(3):\n      print(i * 7)\n  `'],
  ] as const)('a reply that %s cut inside the closing fence (`` `` ``) runs its complete code, without the fence’s backticks', async (_what, doneReason, text) => {
    const r = await run(kind, { turns: [{ text, doneReason }, { text: '<<<{{resultLine -1}}>>>' }] });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('for i in range(3):\n    print(i * 7)');
    expect(r.trajectory.answer).toBe('14');
    expect(warningsOf(r, 'output-truncated')).toEqual([]);
    // The model gets its block back closed once, not with the stray backticks inside it.
    expect(r.chats[1]?.messages?.map((m) => m.content).join('\n')).toMatch(/print\(i \* 7\)\n *```\n/);
  });
});

describe('mid-stream errors on Ollama', () => {
  it.each([
    ['the error as an object (an OpenAI-style proxy in front of Ollama)', true],
    ['the error as a string (Ollama itself)', false],
  ])('an `{"error": …}` line mid-reply, %s, ends the run with the server\'s words', async (_how, errorObject) => {
    const message = 'an error was encountered while running the model: CUDA error';
    const r = await run('ollama', { wire: { errorObject }, turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'http' });
    expect(r.trajectory.error).toContain(message);
    expect(r.trajectory.error).not.toContain('[object Object]');
  });
});

describe('context on OpenAI-compatible servers', () => {
  it('reads max_model_len from /v1/models and warns when the prompt exceeds it', async () => {
    const r = await run('openai', { turns: [{ text: '```python\nprint("x" * 3000)\n```\n' }, { text: '<<<done>>>' }] }, { models: [{ name: MODEL, maxModelLen: 600 }] });
    const warning = r.events.find((e) => e.type === 'warning' && e.kind === 'context-truncated');
    expect(warning && 'message' in warning ? warning.message : '').toMatch(/window of 600 tokens/);
  });

  // A server that says `stop` at a limit (ggml-org/llama.cpp#7198, llm-d/llm-d-inference-sim#29):
  // usage that fills the window it names is the evidence of a cut.
  const cutCode = 'I will enumerate.\n```python\nbest = 0\nfor a in range(1, 50):\n    best = max(best, a)\nprint(be';
  it.each([
    ['fill the window (cut: the code is not run)', 1000 - cutCode.length, 0],
    ['stop one token short of the window (the stop string ate the fence: the code runs)', 999 - cutCode.length, 1],
  ])('a reply that ends inside code with finish_reason "stop" and usage that would %s', async (_what, usagePromptTokens, runs) => {
    const r = await run('openai', { chunkSize: 1, turns: [{ text: cutCode, doneReason: 'stop', usagePromptTokens }, { text: '<<<done>>>' }] }, { models: [{ name: MODEL, maxModelLen: 1000 }] });
    expect(execCount(r)).toBe(runs);
    const cutWarnings = r.events.filter((e) => e.type === 'warning' && e.kind === 'output-truncated');
    expect(cutWarnings).toHaveLength(1 - runs);
    if (runs === 0) expect(r.chats[1]?.messages?.at(-1)?.content).toMatch(/not executed: your reply reached the token limit/);
  });

  it("takes the window from llama.cpp's /props (default_generation_settings.n_ctx) when /v1/models names none: a `stop` that fills it is a cut, and a prompt past it is warned of", async () => {
    const cut = await run('openai', { chunkSize: 1, turns: [{ text: cutCode, doneReason: 'stop', usagePromptTokens: 1000 - cutCode.length }, { text: '<<<done>>>' }] }, { models: [{ name: MODEL, llamaCppCtx: 1000 }] });
    expect(execCount(cut)).toBe(0);
    expect(cut.events.filter((e) => e.type === 'warning' && e.kind === 'output-truncated')).toHaveLength(1);
    const long = await run('openai', { turns: [{ text: '```python\nprint("x" * 3000)\n```\n' }, { text: '<<<done>>>' }] }, { models: [{ name: MODEL, llamaCppCtx: 600 }] });
    expect(warningsOf(long, 'context-truncated').join('\n')).toMatch(/window of 600 tokens/);
  });

  it.each([
    ['vLLM', 400, "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4900 in the messages, 100 in the completion)."],
    ['llama.cpp', 400, 'the request exceeds the available context size, try increasing it'],
    ['SGLang', 400, "The input (5000 tokens) is longer than the model's context length (4096 tokens)."],
  ])('names the context overflow a %s server reports', async (_server, status, message) => {
    const r = await run('openai', { turns: [{ text: 'x', faults: { http500: { status, message } } }] });
    const error = r.events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ kind: 'context-overflow' });
    expect(error && 'message' in error ? error.message : '').toMatch(/^Context overflow: .*--max-model-len/);
  });
});

const warningsOf = (r: Run, kind: string): string[] => r.events.flatMap((e) => (e.type === 'warning' && e.kind === kind ? [e.message] : []));

describe.each(BOTH)('a full context in other words and statuses on %s', (kind) => {
  // llama.cpp's body for an over-long prompt (ggml-org/llama.cpp#15780 answered it with HTTP 500),
  // and Ollama's for the same from the llama-server it runs the model with: that body as the JSON
  // text of its own `error` (ollama/ollama#16800, #17889: HTTP 400 since ollama/ollama#16712).
  const llamaCppBody = JSON.stringify({
    error: { code: 400, message: 'request (351 tokens) exceeds the available context size (256 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 351, n_ctx: 256 },
  });
  const overflows: Array<readonly [string, number, string, string]> = [
    ['llama.cpp with HTTP 500 (ggml-org/llama.cpp#15780)', 500, 'the request exceeds the available context size. try increasing the context size or enable context shift', 'exceeds the available context size'],
    ['llama.cpp\'s "Context size has been exceeded." with HTTP 500 (ggml-org/llama.cpp#19774)', 500, 'Context size has been exceeded.', 'Context size has been exceeded.'],
    [
      "OpenRouter's 502 for an upstream's refusal (CherryHQ/cherry-studio#5538)",
      502,
      "Upstream error from Chutes: The input (49146 tokens) is longer than the model's context length (40960 tokens).",
      'is longer than the model',
    ],
    [
      "Ollama's 500 when cutting the conversation to its window dropped the question (ollama/ollama#17778, #18107; on /api/chat and /v1)",
      500,
      'no user query found in messages',
      'no user query found in messages; Ollama says so when cutting the conversation to its context window dropped the question',
    ],
    ...(kind === 'ollama'
      ? ([["Ollama's 400 with llama-server's error as JSON text in its own (ollama/ollama#16800)", 400, llamaCppBody, 'request (351 tokens) exceeds the available context size (256 tokens)']] as const)
      : []),
  ];
  it.each(overflows)("%s is a context overflow in the server's words, with the setting that helps", async (_what, status, message, words) => {
    const r = await run(kind, { turns: [{ text: 'x', faults: { http500: { status, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'context-overflow' });
    expect(r.trajectory.error).toContain(words);
    // The words themselves, never the JSON around them.
    expect(r.trajectory.error).not.toContain('{');
    expect(r.trajectory.error).toMatch(kind === 'ollama' ? /r1ci\.contextTokens/ : /--max-model-len/);
  });

  it.each([
    ['a 500 that only names a context size (a KV cache that could not be allocated)', 500, 'failed to allocate KV cache for context size 32768', 'http'],
    ['a rate limit in tokens (HTTP 429)', 429, 'Too many tokens per minute: limit 30000, requested 45000', 'http'],
  ])('%s stays what it is', async (_what, status, message, errorKind) => {
    const r = await run(kind, { turns: [{ text: 'x', faults: { http500: { status, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: errorKind });
  });

  it('"context shift is disabled" mid-reply (llama.cpp when the generation fills the window, before ggml-org/llama.cpp#13577; ik_llama.cpp; llama-box, gpustack/gpustack#1241) is a context overflow', async () => {
    const r = await run(kind, { turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message: 'context shift is disabled' } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'context-overflow' });
    expect(r.trajectory.error).toContain('context shift is disabled');
  });
});

describe("SGLang's refusal of a prompt its memory cannot hold", () => {
  // SGLang's scheduler refuses a prompt longer than the tokens its KV cache pool can hold (below
  // the model's context length when memory is short): "Input length (N tokens) exceeds the maximum
  // allowed length (M tokens). Use a shorter input or enable --allow-auto-truncate."
  // (validate_input_length in python/sglang/srt/managers/utils.py), a FINISH_ABORT with status 400
  // that its chat endpoint writes into the stream already answered with HTTP 200 as
  // `data: {"error": {…, "code": 400}}`, then `data: [DONE]`, or as the reply's HTTP 400.
  const words = 'Input length (9120 tokens) exceeds the maximum allowed length (8190 tokens). Use a shorter input or enable --allow-auto-truncate.';
  it.each<[string, Scenario['turns'][number]]>([
    ['in the stream', { text: 'x', faults: { streamError: { afterChunks: 0, message: words, form: 'object' } } }],
    ['as HTTP 400', { text: 'x', faults: { http500: { status: 400, message: words } } }],
    ['as the whole reply with HTTP 200', { text: 'x', faults: { okErrorBody: { message: words, form: 'object' } } }],
  ])('%s is a context overflow in its words', async (_how, turn) => {
    const r = await run('openai', { turns: [turn] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'context-overflow' });
    expect(r.trajectory.error).toContain('exceeds the maximum allowed length (8190 tokens)');
  });
});

// The window is the num_ctx the agent sends, so only the Ollama backend knows it (Ollama's /v1
// names none; a first question's cut shows there by the count below the new part, 'reported').
describe('a prompt cut to half the window (Ollama ≥ 0.32, ollama/ollama#17427, #17889) on Ollama', () => {
  const kind = 'ollama';
  // 80,000 characters: over Ollama's 16,384-token window as the server counts (4 characters a
  // token), under it as the agent's deliberately low bound counts (6 a token); Ollama keeps
  // 16,384 / 2 + 2 = 8,194 tokens and says so in prompt_eval_count.
  const history = (chars: number): ChatMessage[] => [
    { role: 'user', content: 'Summarise the log.' },
    { role: 'assistant', content: 'line of the log\n'.repeat(Math.ceil(chars / 16)) },
  ];
  it('is warned of, naming the count the server kept', async () => {
    const r = await run(kind, { wire: { halvesOverlongPrompt: true }, turns: [{ text: '<<<7>>>' }] }, { history: history(80_000) });
    expect(r.trajectory.answer).toBe('7');
    expect(r.trajectory.turns[0]?.stats?.promptTokens).toBe(8194);
    const warning = r.events.find((e) => e.type === 'warning' && e.kind === 'context-truncated');
    expect(warning).toBeDefined();
    expect(warning && 'message' in warning ? warning.message : '').toContain('8,194');
  });

  it('no warning for a prompt that really is that long (its count is not below what it surely holds)', async () => {
    const r = await run(kind, { turns: [{ text: '<<<7>>>', usagePromptTokens: 8194 }] }, { history: history(2_000) });
    expect(r.trajectory.answer).toBe('7');
    expect(r.events.filter((e) => e.type === 'warning' && e.kind === 'context-truncated')).toEqual([]);
  });
});

describe.each(BOTH)('the whole reply in the reasoning on %s', (kind) => {
  it('an answer written only in the reasoning (the reply’s text empty) is the answer, marked as from the reasoning', async () => {
    const r = await run(kind, { turns: [{ thinking: 'Twelve squared is 144, so <<<144>>>.', text: '' }] });
    expect(r.trajectory.answer).toBe('144');
    expect(r.trajectory.answerSource).toBe('reasoning');
    expect(r.trajectory.reason).toBe('answer');
    // The reply is kept in the conversation (eval results, SFT exports), though its text is empty.
    expect(r.messages.at(-1)).toEqual({ role: 'assistant', content: '', reasoning: 'Twelve squared is 144, so <<<144>>>.' });
  });

  it('the same from an inline <think> never closed (a model without the thinking capability)', async () => {
    const r = await run(kind, { turns: [{ text: '<think>\nSo it is 42. <<<42>>>' }] }, { capabilities: ['completion'] });
    expect(r.trajectory.turns[0]?.reasoning).toContain('<<<42>>>');
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.answerSource).toBe('reasoning');
  });

  it('the same when the server left the tags in its reasoning field (<think>…</think> inside reasoning_content or thinking)', async () => {
    const r = await run(kind, { turns: [{ thinking: '<think>\nTwelve squared is 144, so <<<144>>>.\n</think>', text: '' }] });
    expect(r.trajectory.answer).toBe('144');
    expect(r.trajectory.answerSource).toBe('reasoning');
  });

  it('the same before a lone </think> whose opening tag the chat template wrote (deepseek-r1, qwen3 without a reasoning parser)', async () => {
    const r = await run(kind, { turns: [{ text: 'The user wants 6*7. So it is 42. <<<42>>>\n</think>\n\n' }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.answerSource).toBe('reasoning');
  });

  it.each([
    ['the reasoning channel', { thinking: 'Five squared: 5*5 = 25, so the answer is \\boxed{25}.', text: '' }, ['completion', 'thinking']],
    ['an inline <think> never closed', { text: '<think>\nFive squared: 5*5 = 25, so \\boxed{25}' }, ['completion']],
  ])('a \\boxed{} answer written only in %s (math-trained reasoning models) is shown, marked as from the reasoning and not in the asked format', async (_where, turn, capabilities) => {
    const r = await run(kind, { turns: [turn] }, { capabilities });
    expect(r.trajectory.answer).toBe('25');
    expect(r.trajectory.answerSource).toBe('reasoning-boxed');
    expect(r.trajectory.reason).toBe('answer');
  });

  it('a <<<…>>> in the reasoning beats a \\boxed{} there; the model’s own <<<…>>> in an earlier reply beats both', async () => {
    const marked = await run(kind, { turns: [{ thinking: 'It is \\boxed{24}. No: <<<25>>>. Written \\boxed{25}.', text: '' }] });
    expect([marked.trajectory.answer, marked.trajectory.answerSource]).toEqual(['25', 'reasoning']);
    const own = await run(kind, { turns: [{ text: 'Maybe <<<7>>>. Checking:\n```python\nprint(7)\n```\n' }, { thinking: 'So \\boxed{8}', text: '' }] });
    expect([own.trajectory.answer, own.trajectory.answerSource]).toEqual(['7', 'model']);
  });

  it.each([
    ['a python block', { thinking: 'Verify:\n```python\nprint(5*5)\n```\nYes, 25.', text: 'The answer is $\\boxed{25}$.' }, 'chat'],
    ['a tool call written as text', { thinking: 'Verify:\n<tool_call>\n{"name": "python", "arguments": {"code": "print(5*5)"}}\n</tool_call>\nYes, 25.', text: 'The answer is $\\boxed{25}$.' }, 'tools'],
  ] as const)('%s in the reasoning of a reply that answers with \\boxed{} is only shown: the reply has an answer of its own', async (_what, turn, protocol) => {
    const r = await run(kind, { turns: [turn, { text: 'Seen {{RESULT}}: <<<{{RESULT}}>>>' }] }, { protocol, capabilities: ['completion', 'thinking', 'tools'] });
    expect(execCount(r)).toBe(0);
    expect(r.chats).toHaveLength(1);
    expect(warningsOf(r, 'code-in-reasoning')).toEqual([]);
    expect([r.trajectory.answer, r.trajectory.answerSource]).toEqual(['25', 'model-boxed']);
  });

  it('a reply with text of its own but no answer does not take the reasoning’s', async () => {
    const r = await run(kind, { turns: [{ thinking: 'Maybe <<<7>>>?', text: 'I am not sure yet.' }] });
    expect(r.trajectory.answer).toBeNull();
  });

  it.each([
    ['the reasoning channel', { thinking: 'Code:\n```python\nfor i in range(3):\n    print(i', text: '' }, ['completion', 'thinking']],
    ['an inline <think>', { text: '<think>\nCode:\n```python\nprint(1 +' }, ['completion']],
  ])('code in %s cut by the token limit is not run; the model and the user are told', async (_where, turn, capabilities) => {
    const r = await run(kind, { turns: [{ ...turn, doneReason: 'length' }, { text: 'Seen: {{RESULT}}' }] }, { capabilities });
    expect(execCount(r)).toBe(0);
    expect(r.chats[1]?.latestResult).toMatch(/^\[not executed: your reply reached the token limit inside this code block/);
    expect(warningsOf(r, 'output-truncated').join(' ')).toMatch(/middle of a code block/);
    expect(warningsOf(r, 'code-in-reasoning')).toEqual([]);
  });
});

describe.each(BOTH)('an empty reply on %s', (kind) => {
  it('a reply the server ends normally with nothing in it (LM Studio, llama-box when the prompt no longer fits) says so, rather than a silent no-answer', async () => {
    const r = await run(kind, { turns: [{ text: '' }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.reason).toBe('no-answer');
    expect(warningsOf(r, 'empty-reply').join(' ')).toMatch(/ended its reply with nothing in it.*context/);
  });

  it('no such warning for a reply that is all reasoning, or an empty reply after the answer came', async () => {
    const reasoningOnly = await run(kind, { turns: [{ thinking: 'Hmm.', text: '' }] });
    expect(warningsOf(reasoningOnly, 'empty-reply')).toEqual([]);
    const after = await run(kind, { turns: [{ text: 'Computing:\n```python\nprint("<<<7>>>")\n```\n' }, { text: '' }] });
    expect(after.trajectory.answer).toBe('7');
    expect(warningsOf(after, 'empty-reply')).toEqual([]);
  });
});

// OpenAI-compatible only: Ollama's own API has no finish reason for tool calls.
describe('a reply whose finish_reason says a tool was called but that carries no call', () => {
  it.each([false, true])('says the server lost the call (vLLM gemma4 parser, vllm-project/vllm#50889), not that the reply was empty for a full context (not streamed: %s)', async (nonStream) => {
    const r = await run('openai', { turns: [{ text: '', doneReason: 'tool_calls', nonStream }] }, { protocol: 'tools' });
    expect(r.trajectory.error).toBeUndefined();
    const said = warningsOf(r, 'empty-reply').join(' ');
    expect(said).toMatch(/called a tool \(finish_reason "tool_calls"\) but sent no call/);
    expect(said).not.toMatch(/context/);
  });

  it('the same after an answer came: the move the model made next was lost', async () => {
    const r = await run(
      'openai',
      {
        turns: [
          { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print("<<<7>>>")' } }] },
          { text: '', doneReason: 'tool_calls' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.answer).toBe('7');
    expect(warningsOf(r, 'empty-reply').join(' ')).toMatch(/sent no call/);
  });
});

describe.each(BOTH)('fence shapes on %s', (kind) => {
  it.each([
    ['inside a blockquote', '> ```python\n> for i in range(2):\n>     print(30 + i)\n> ```\n', 'for i in range(2):\n    print(30 + i)'],
    ['in a numbered list indented with tabs', '1.\tCount:\n\t```python\n\tfor i in range(2):\n\t    print(30 + i)\n\t```\n', 'for i in range(2):\n    print(30 + i)'],
    ["opened on the list item's own line", '1. ```python\n   print(31)\n   ```\n', 'print(31)'],
    ['labelled py3', '```py3\nprint(31)\n```\n', 'print(31)'],
    ['labelled {python} (pandoc, Quarto)', '```{python}\nprint(31)\n```\n', 'print(31)'],
    ['closed by a fence with text after it', '```python\nprint(31)\n``` and now I run it.\n', 'print(31)'],
    ['closed by a second ```python line', '```python\nprint(31)\n```python\nprint(99)\n```\n', 'print(31)'],
    ['four backticks, closed with five', '````python\nprint(31)\n`````\n', 'print(31)'],
    ['with CRLF line ends in the text', 'Run:\r\n```python\r\nprint(31)\r\n```\r\n', 'print(31)'],
  ])('a python fence %s runs', async (_shape, text, code) => {
    const r = await run(kind, { turns: [{ text }, { text: 'Got <<<{{resultLine -1}}>>>' }] });
    expect(r.trajectory.turns[0]?.cell?.code.replace(/\r/g, '')).toBe(code);
    expect(r.trajectory.answer).toBe('31');
  });

  it('a bare fence holding python-looking code is data (the documented rule): shown, not run', async () => {
    const r = await run(kind, { turns: [{ text: 'For example:\n```\nprint(6 * 7)\n```\nThat prints 42. <<<42>>>' }] });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.text).toContain('print(6 * 7)');
    expect(r.trajectory.answer).toBe('42');
  });

  it.each([
    ['right after the opening fence line', 'Code:\n```python\n'],
    ['inside the opening fence line', 'Code:\n```pyth'],
  ])('a reply cut by the token limit %s is a cut inside code: the model is told and goes on', async (_where, text) => {
    const r = await run(kind, { turns: [{ text, doneReason: 'length' }, { text: 'Shorter: <<<0>>>' }] });
    expect(execCount(r)).toBe(0);
    expect(r.chats[1]?.latestResult).toMatch(/^\[not executed: your reply reached the token limit inside this code block/);
    // The model gets its fence back closed.
    expect(r.chats[1]?.messages?.map((m) => m.content).join('\n')).toMatch(/```py\w*\n```\n/);
    expect(r.trajectory.answer).toBe('0');
  });
});

describe.each(BOTH)('tool-call shapes on %s', (kind) => {
  it('code passed to the tool wrapped in a Markdown fence runs without the fence', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: '```python\nprint(3 * 3)\n```' } }] }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('print(3 * 3)');
    expect(r.trajectory.answer).toBe('9');
  });

  it('a <tool_call> written as text (a server without a tool-call parser) runs as a call', async () => {
    const r = await run(kind, { turns: [{ text: 'Let me compute.\n<tool_call>\n{"name": "python", "arguments": {"code": "print(8 * 8)"}}\n</tool_call>' }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('64');
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['a JSON list (Mistral 7B v0.3, Mixtral)', 'Let me compute.[TOOL_CALLS] [{"name": "python", "arguments": {"code": "print(8 * 8)"}}]'],
    ['name[ARGS]arguments (Mistral Small 3.2, Magistral, Devstral)', '[TOOL_CALLS]python[ARGS]{"code": "print(8 * 8)"}'],
    ['name[CALL_ID]id[ARGS]arguments', '[TOOL_CALLS]python[CALL_ID]a1b2c3d4e[ARGS]{"code": "print(8 * 8)"}'],
  ])("a Mistral call written as text, %s (a server without Mistral's tool-call parser), runs as a call", async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('64');
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ["Llama 3.1's JSON after <|python_tag|>", '<|python_tag|>{"name": "python", "parameters": {"code": "print(8 * 8)"}}'],
    ["Llama 4's JSON between <|python_start|> and <|python_end|> (vllm-project/vllm#16214)", '<|python_start|>{"type": "function", "name": "python", "parameters": {"code": "print(8 * 8)"}}<|python_end|>'],
    ["Llama 3.2 / Llama 4's pythonic list", '[python(code="print(8 * 8)")]'],
    ["Granite's JSON list after <|tool_call|>", '<|tool_call|>[{"name": "python", "arguments": {"code": "print(8 * 8)"}}]'],
    ["Nemotron's JSON list in <TOOLCALL>", '<TOOLCALL>[{"name": "python", "arguments": {"code": "print(8 * 8)"}}]</TOOLCALL>'],
    ['a JSON list in a <tool_call>', '<tool_call>\n[{"name": "python", "arguments": {"code": "print(8 * 8)"}}]\n</tool_call>'],
    ["Phi-4-mini's functools list", 'functools[{"name": "python", "arguments": {"code": "print(8 * 8)"}}]'],
    ["xLAM's bare JSON list", '[{"name": "python", "arguments": {"code": "print(8 * 8)"}}]'],
    ["LFM2's pythonic list between <|tool_call_start|> and <|tool_call_end|>", '<|tool_call_start|>[python(code="print(8 * 8)")]<|tool_call_end|>'],
  ])('a reply that is only a call in %s (a server without that tool-call parser) runs as a call', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('64');
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['alone', '<|python_tag|>x = 8\nprint(x * 8)<|eom_id|>'],
    ['after prose, the end token left out', 'I will compute it.\n\n<|python_tag|>x = 8\nprint(x * 8)\n'],
  ])("Llama 3.1's code interpreter call, the Python source itself after <|python_tag|> (llama-server --special; vLLM's llama3_json parser reads JSON only), %s, runs as a python call", async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'x = 8\nprint(x * 8)' });
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('64');
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['after its analysis, JSON arguments', '<|channel|>analysis<|message|>Need 8*8.<|end|><|start|>assistant<|channel|>commentary to=functions.python <|constrain|>json<|message|>{"code": "print(8 * 8)"}<|call|>'],
    ['the recipient after the role, the end token left out', '<|start|>assistant to=functions.python<|channel|>commentary json<|message|>{"code": "print(8 * 8)"}'],
    ['to its built-in python, the code itself', '<|channel|>analysis<|message|>Compute.<|end|><|start|>assistant<|channel|>analysis to=python<|message|>print(8 * 8)<|call|>'],
  ])("gpt-oss's harmony call left in the content (a server without gpt-oss's parser, madroidmaq/mlx-omni-server#79), %s, runs as a python call", async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools', capabilities: ['completion', 'tools'] });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    [
      'DeepSeek V3/R1 (function, name, a json fence; sgl-project/sglang#4379)',
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>python\n```json\n{"code": "print(8 * 8)"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
    ],
    ['DeepSeek V3.1 (name, then the JSON)', 'Let me compute.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>python<｜tool▁sep｜>{"code": "print(8 * 8)"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>'],
    ['Kimi K2 (vllm-project/vllm#31207)', '<|tool_calls_section_begin|><|tool_call_begin|>functions.python:0<|tool_call_argument_begin|>{"code": "print(8 * 8)"}<|tool_call_end|><|tool_calls_section_end|>'],
  ])("a call in %s's special tokens left in the content (a server without that model's tool-call parser) runs as a python call", async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['a <tool_call> (Qwen3 calling inside its think)', 'I need the product.\n<tool_call>\n{"name": "python", "arguments": {"code": "print(8 * 8)"}}\n</tool_call>'],
    [
      "Kimi K2's special tokens (vybestack/llxprt-code#750)",
      'Compute it.<|tool_calls_section_begin|><|tool_call_begin|>functions.python:0<|tool_call_argument_begin|>{"code": "print(8 * 8)"}<|tool_call_end|><|tool_calls_section_end|>',
    ],
  ])('a call written as text in the reasoning of a reply with no call, code or answer of its own, %s, runs', async (_how, thinking) => {
    const r = await run(kind, { turns: [{ text: '', thinking }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ["Llama's token in an inline code span", 'Llama 3.1 starts a code call with `<|python_tag|>` and ends it with `<|eom_id|>`. It is <<<7>>>'],
    ['a harmony call shown in an inline code span', 'gpt-oss writes `<|channel|>commentary to=functions.python <|constrain|>json<|message|>{"code": "print(1)"}<|call|>`. It is <<<7>>>'],
    ["Llama's code shown in a fence", 'For example:\n\n```\n<|python_tag|>print(1)<|eom_id|>\n```\n\nIt is <<<7>>>'],
    ["Kimi K2's begin token in a code span", 'Kimi K2 writes `<|tool_call_begin|>` before each call. It is <<<7>>>'],
    ["DeepSeek's begin token named in prose", 'DeepSeek writes <｜tool▁call▁begin｜> before each call. It is <<<7>>>'],
  ])('an answer that only mentions special call tokens (%s) makes no call', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<8>>>' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.answer).toBe('7');
  });

  // One quoting rule for every call form written as text: a call quoted in Markdown code is shown, not run.
  it.each([
    ['a <tool_call> in an inline code span', 'Qwen writes `<tool_call>{"name": "python", "arguments": {"code": "print(1)"}}</tool_call>` to call a tool. It is <<<7>>>'],
    ['a <tool_call> in a fenced block', 'A call looks like this:\n\n```json\n<tool_call>\n{"name": "python", "arguments": {"code": "print(1)"}}\n</tool_call>\n```\n\nIt is <<<7>>>'],
    ['a Mistral [TOOL_CALLS] list in an inline code span', 'Mistral writes `[TOOL_CALLS] [{"name": "python", "arguments": {"code": "print(1)"}}]` to call. It is <<<7>>>'],
    ['a Mistral [TOOL_CALLS]name[ARGS] in a fenced block', 'For example:\n\n~~~\n[TOOL_CALLS]python[ARGS]{"code": "print(1)"}\n~~~\n\nIt is <<<7>>>'],
    ["Qwen3-Coder's <function=python> in an inline code span", 'Qwen3-Coder writes `<function=python><parameter=code>print(1)</parameter></function>`. It is <<<7>>>'],
  ])('an answer that explains a text call syntax (%s) makes no call', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<8>>>' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.answer).toBe('7');
  });

  it('a <tool_call> after the same syntax quoted in prose still runs', async () => {
    const text = 'I call python with `<tool_call>` tags:\n<tool_call>\n{"name": "python", "arguments": {"code": "print(8 * 8)"}}\n</tool_call>';
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['a <tool_call> in a json fence', '```json\n<tool_call>\n{"name": "python", "arguments": {"code": "print(8 * 8)"}}\n</tool_call>\n```'],
    ['a <tool_call> in a bare fence after a sentence', 'Let me compute it.\n```\n<tool_call>{"name": "python", "arguments": {"code": "print(8 * 8)"}}</tool_call>\n```'],
    ["Qwen3-Coder's <function=python> in an xml fence", '```xml\n<function=python>\n<parameter=code>\nprint(8 * 8)\n</parameter>\n</function>\n```'],
  ])('a small model that wraps its own call in a fence (%s), with no other call and no answer, still calls', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it("a fence line in one call's own code (Qwen3-Coder's raw XML form) quotes no later call of the reply", async () => {
    const call = (code: string): string => `<tool_call>\n<function=python>\n<parameter=code>\n${code}\n</parameter>\n</function>\n</tool_call>`;
    const text = `Two steps.\n${call("md = '''\n```python\nx = 1\n'''\nprint(len(md.splitlines()))")}\nThen:\n${call("print('''\n```\n'''.strip() * 2)")}`;
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools', maxCodeCalls: 4 });
    expect(r.trajectory.turns.flatMap((turn) => (turn.cell ? [turn.cell.code] : []))).toEqual(["md = '''\n```python\nx = 1\n'''\nprint(len(md.splitlines()))", "print('''\n```\n'''.strip() * 2)"]);
    expect(execCount(r)).toBe(2);
  });

  it('a call in the reasoning of a reply that answers by itself is only shown', async () => {
    const thinking = 'Maybe <tool_call>\n{"name": "python", "arguments": {"code": "print(1)"}}\n</tool_call> but no need.';
    const r = await run(kind, { turns: [{ text: 'It is <<<7>>>', thinking }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.answer).toBe('7');
  });

  it.each([
    ["Llama 3.1's <|python_tag|> code", '<|python_tag|>for i in range(3):\n    print('],
    ["gpt-oss's code to its built-in python", '<|channel|>analysis to=python<|message|>for i in range(3):\n    print('],
    ["Llama 3.1's <|python_tag|> code, cut after a line ending in a bracket", '<|python_tag|>data = {"a": 1}\nrows = [1, 2]'],
    ["gpt-oss's code to its built-in python, cut after a line ending in a bracket", '<|channel|>analysis to=python<|message|>rows = [1, 2]'],
    ['a <tool_call> left open', 'Let me compute.\n<tool_call>\n{"name": "python", "arguments": {"code": "for i in range(3):\\n    print('],
  ])('a call written as text that the token limit cut (%s, no end token) is not run; the model and the user are told', async (_how, text) => {
    const r = await run(kind, { turns: [{ text, doneReason: 'length' }, { text: '<<<1>>>' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(warningsOf(r, 'output-truncated')).toHaveLength(1);
    // A tool message for a call, the protocol's results message when the cut left no call.
    expect(r.chats[1]?.messages?.at(-1)?.content).toMatch(/token limit/i);
  });

  it('a reply the token limit cut after naming `<tool_call>` in an inline code span is told it was cut, not cut inside code', async () => {
    const r = await run(kind, { turns: [{ text: 'Qwen calls a tool with `<tool_call>` and then the', doneReason: 'length' }, { text: '<<<1>>>' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    const told = warningsOf(r, 'output-truncated');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/answer may be cut off/);
    expect(r.chats[1]?.messages?.at(-1)?.content ?? '').not.toMatch(/not executed/);
  });

  it.each([
    ["Qwen3.5's XML (<function=python><parameter=code>…) inside <tool_call> (panbanda/higgs#177)", '<tool_call>\n<function=python>\n<parameter=code>\nprint(8 * 8)\n</parameter>\n</function>\n</tool_call>'],
    ["GLM-4.5's <arg_key>/<arg_value> inside <tool_call>", '<tool_call>python\n<arg_key>code</arg_key>\n<arg_value>print(8 * 8)</arg_value>\n</tool_call>'],
  ])('a call written as text in %s runs as a call', async (_how, text) => {
    const r = await run(kind, { turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it('code passed with prose around its python fence runs (the first python block)', async () => {
    const args = { code: 'Here is the code:\n```python\nprint(2 * 21)\n```\nIt prints 42.' };
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: args }] }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('print(2 * 21)');
    expect(r.trajectory.answer).toBe('42');
  });

  it('arguments encoded twice (the object’s JSON as a JSON string) are read as the object, not run as a dict literal', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: JSON.stringify(JSON.stringify({ code: 'print(10 * 10)' })) }] }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('print(10 * 10)');
    expect(r.trajectory.answer).toBe('100');
  });

  it('a call whose arguments the token limit cut is not run, and the model is told about the limit, not about JSON', async () => {
    const r = await run(kind, { turns: [{ text: '', doneReason: 'length', toolCalls: [{ name: 'python', arguments: '{"code": "for i in range(10' }] }, { text: 'Seen: {{RESULT}}' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toMatch(/^\[not executed: your reply reached the token limit/);
    expect(warningsOf(r, 'output-truncated')).toHaveLength(1);
  });

  it.each(['chat', 'r1ci'] as const)('a native python call under the %s protocol (no tools offered) runs as a fence would, with a warning, never dropped', async (protocol) => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: '<<<{{RESULT}}>>>' }] }, { protocol });
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(6 * 7)' });
    expect(r.trajectory.answer).toBe('42');
    expect(warningsOf(r, 'tool-call-without-tools')).toHaveLength(1);
    // The result goes back as this protocol sends results (no tool message to a request without tools),
    // after the model's turn showing the code it ran.
    const second = r.chats[1]?.messages ?? [];
    expect(second.some((m) => m.role === 'tool')).toBe(false);
    expect(second.map((m) => m.content).join('\n')).toMatch(/```python\nprint\(6 \* 7\)\n```[\s\S]*42/);
  });

  it('the warning of a native call under another protocol names the setting, or the CLI flag, that passes calls on', async () => {
    const call = { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: '<<<{{RESULT}}>>>' }] };
    expect(warningsOf(await run(kind, call, { protocol: 'chat' }), 'tool-call-without-tools').join(' ')).toContain('set "r1ci.protocol" to tools');
    useFrontEnd('cli');
    try {
      expect(warningsOf(await run(kind, call, { protocol: 'chat' }), 'tool-call-without-tools').join(' ')).toContain('set --protocol to tools');
    } finally {
      useFrontEnd('vscode');
    }
  });

  it.each([
    ['<|channel|>commentary (vLLM streaming, vllm-project/vllm#32587)', 'python<|channel|>commentary'],
    ['<|channel|>analysis (Ollama, ollama/ollama#12132)', 'python<|channel|>analysis'],
    ["functions., harmony's namespace (mlx-openai-server before cubist38/mlx-openai-server#51)", 'functions.python'],
  ])("a call whose name has gpt-oss's harmony tokens or namespace left in it, %s, runs as the call it names, sent back under its own name", async (_how, name) => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name, arguments: { code: 'print(6 * 7)' } }] }, { text: 'So <<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(warningsOf(r, 'tool-call-error')).toEqual([]);
    expect(execCount(r)).toBe(1);
    expect(r.trajectory.answer).toBe('42');
    expect(JSON.stringify(r.chats[1]?.body)).not.toContain(name);
  });

  it('arguments after an empty object placeholder (`{}{"code": …}`: Llama Stack\'s accumulator started calls at "{}", ogx-ai/ogx#5462) run as the object', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'python', arguments: '{}{"code": "print(6 * 7)"}' }] }, { text: 'So <<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(warningsOf(r, 'tool-call-error')).toEqual([]);
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(6 * 7)' });
    expect(r.trajectory.answer).toBe('42');
  });

  it('a call to an unknown tool gets a clear error back and nothing runs', async () => {
    const r = await run(kind, { turns: [{ text: '', toolCalls: [{ name: 'run_code', arguments: { code: 'print(1)' } }] }, { text: 'Saw: {{RESULT}}' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toMatch(/There is no tool named "run_code"\. The only tool is "python"/);
  });
});

describe('OpenAI-compatible stream framings', () => {
  it.each([
    ['a reply', { text: '```python\nprint(2)\n```\n' }],
    ['a tool call', { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(2)' } }] }],
  ])('%s whose stream ends after its finish_reason without data: [DONE] (older llama.cpp) is complete', async (_what, turn) => {
    const r = await run('openai', { wire: { omitDone: true }, turns: [turn, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'toolCalls' in turn ? 'tools' : 'chat' });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('2');
  });

  it('a reply whose server holds the connection open after its finish_reason, without data: [DONE] (vllm-mlx, waybarrios/vllm-mlx#101), is complete: no stall, no error', async () => {
    const r = await run('openai', { wire: { holdOpen: true }, turns: [{ text: 'Run:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 900 }] }, { stallSeconds: 30 });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    // The usage chunk right after the finish_reason still counts.
    expect(r.trajectory.turns[1]?.stats?.promptTokens).toBe(900);
    expect(r.trajectory.turns[1]?.stats?.doneReason).toBe('stop');
  });

  it.each([
    ['a lone CR', { cr: true }],
    ['CRLF, each write split inside a character', { crlf: true, splitUtf8: true }],
  ])('an event stream whose lines end with %s (both allowed by the SSE format) reads like one with LF', async (_how, wire) => {
    const r = await run('openai', { wire, chunkSize: 4, turns: [{ text: 'Héllo ✓\n```python\nprint("é" * 2)\n```\n' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.text).toContain('Héllo ✓');
    expect(r.trajectory.answer).toBe('éé');
  });

  it.each([
    ['a reply', { text: 'Héllo\n```python\nprint(2)\n```\n' }],
    ['a tool call', { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(2)' } }] }],
  ])('%s streamed with no blank line between its events (GLM-4.7, Kimi-K2.5 providers) reads like one with them', async (_what, turn) => {
    const r = await run('openai', { wire: { noBlankLines: true }, turns: [turn, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'toolCalls' in turn ? 'tools' : 'chat' });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('2');
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])('a reply with a second choice (n > 1 set by a proxy or client default), %s, is read from the first choice alone', async (_how, nonStream) => {
    const r = await run('openai', {
      wire: { otherChoice: 'Other sample:\n```python\nprint(999)\n```\n<<<999>>>' },
      chunkSize: 5,
      turns: [
        { text: 'Run:\n```python\nprint(6 * 7)\n```\n', nonStream },
        { text: 'So <<<{{RESULT}}>>>', nonStream },
      ],
    });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns.map((t) => t.text).join('')).not.toContain('Other');
    expect(r.trajectory.turns[0]?.cell?.code).toBe('print(6 * 7)');
    expect(r.trajectory.answer).toBe('42');
  });

  it('a chunk with both reasoning fields, one sent empty as a marker, keeps the reasoning of the other', async () => {
    const both = (fields: string): string => `data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":${fields},"finish_reason":null}]}`;
    const r = await run('openai', {
      turns: [
        { text: 'It is <<<5>>>', faults: { malformedLine: { afterChunks: 0, text: `${both('{"reasoning_content":"","reasoning":"Two and three. "}')}\n\n${both('{"reasoning_content":"Five.","reasoning":""}')}` } } },
      ],
    });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Two and three. Five.');
    expect(r.trajectory.answer).toBe('5');
  });

  it('an empty `data:` heartbeat (API gateways in front of the server) mid-stream is skipped, not a malformed event', async () => {
    const r = await run('openai', { turns: [{ text: 'Working on it: <<<9>>>', faults: { malformedLine: { afterChunks: 2, text: 'data: ' } } }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('9');
  });

  // nullIndex: Gemini's OpenAI-compatible endpoint writes `"index": null` (Alishahryar1/free-claude-code#633).
  it.each(['whole', 'repeatName', 'noIndex', 'bareObject', 'interleaved', 'sameIndex', 'nullIndex'] as const)('tool-call deltas sent %s are assembled into the calls', async (toolCallDeltas) => {
    const r = await run(
      'openai',
      {
        wire: { toolCallDeltas },
        turns: [
          {
            text: '',
            toolCalls: [
              { name: 'python', arguments: { code: 'print(4)' } },
              { name: 'python', arguments: { code: 'print(44)' } },
            ],
          },
          { text: '<<<{{RESULT}}>>>' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.turns.flatMap((t) => (t.cell ? [t.cell.code] : []))).toEqual(['print(4)', 'print(44)']);
    expect(r.trajectory.answer).toBe('44');
  });

  it('arguments streamed in pieces and then resent whole (vLLM xlam parser, vllm-project/vllm#51697) run once, as sent', async () => {
    const toolCalls = [{ name: 'python', arguments: { code: 'print(8 * 8)' } }];
    const r = await run('openai', { wire: { toolCallDeltas: 'resendWhole' }, turns: [{ text: '', toolCalls }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(warningsOf(r, 'tool-call-error')).toEqual([]);
    expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code: 'print(8 * 8)' });
    expect(r.trajectory.answer).toBe('64');
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])('calls that all carry the same id (Xinference, xorbitsai/inference#4237), %s, are separate calls, each run', async (_how, nonStream) => {
    const r = await run(
      'openai',
      {
        wire: { toolCallDeltas: 'sharedId' },
        turns: [
          {
            text: '',
            nonStream,
            toolCalls: [
              { name: 'python', arguments: { code: 'print(4)' } },
              { name: 'python', arguments: { code: 'print(44)' } },
            ],
          },
          { text: '<<<{{RESULT}}>>>' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(warningsOf(r, 'tool-call-error')).toEqual([]);
    expect(r.trajectory.turns.flatMap((t) => (t.cell ? [t.cell.code] : []))).toEqual(['print(4)', 'print(44)']);
    expect(r.trajectory.answer).toBe('44');
    // Each result goes back under an id of its own.
    const sent = (r.chats[1]?.body as { messages: Array<{ role: string; tool_call_id?: string }> }).messages;
    const ids = sent.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])('tool-call arguments given as a JSON object instead of JSON text (TGI, llama.cpp --tool-args-object), %s, run', async (_how, nonStream) => {
    const r = await run(
      'openai',
      {
        wire: { argumentsAsObject: true },
        turns: [{ text: '', nonStream, toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: '<<<{{RESULT}}>>>' }],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns.flatMap((t) => (t.cell ? [t.cell.code] : []))).toEqual(['print(6 * 7)']);
    expect(r.trajectory.answer).toBe('42');
  });

  it('a reply the content filter stopped inside a code block (finish_reason content_filter) is not run; user and model are told why', async () => {
    const r = await run('openai', { turns: [{ text: 'Counting:\n```python\nfor i in range(3):\n    print(', doneReason: 'content_filter' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(execCount(r)).toBe(0);
    expect(warningsOf(r, 'output-truncated').join(' ')).toMatch(/content filter.*not run/);
    expect(r.chats[1]?.latestResult).toMatch(/^\[not executed: .*content filter/);
  });

  it("a reply that filled the model's context inside a code block (Mistral's finish_reason model_length) is cut like one at the token limit: not run, user and model told", async () => {
    const r = await run('openai', { turns: [{ text: 'Counting:\n```python\nfor i in range(3):\n    print(', doneReason: 'model_length' }, { text: 'Seen: {{RESULT}}' }] });
    expect(execCount(r)).toBe(0);
    expect(warningsOf(r, 'output-truncated').join(' ')).toMatch(/token limit in the middle of a code block/);
    expect(r.chats[1]?.latestResult).toMatch(/^\[not executed: your reply reached the token limit inside this code block/);
  });

  it('a reply the content filter stopped outside code says so, rather than ending as if the model had finished', async () => {
    const r = await run('openai', { turns: [{ text: 'The answer is', doneReason: 'content_filter' }] });
    expect(r.trajectory.reason).toBe('no-answer');
    expect(warningsOf(r, 'output-truncated').join(' ')).toMatch(/content filter/);
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])('a call in the legacy function_call form (finish_reason function_call), %s, runs as a tool call', async (_how, nonStream) => {
    const r = await run(
      'openai',
      { wire: { legacyFunctionCall: true }, turns: [{ text: '', nonStream, toolCalls: [{ name: 'python', arguments: { code: 'print(3 * 5)' } }] }, { text: '<<<{{RESULT}}>>>' }] },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns.flatMap((t) => (t.cell ? [t.cell.code] : []))).toEqual(['print(3 * 5)']);
    expect(r.trajectory.answer).toBe('15');
  });

  it.each([
    ['the prompt exceeding the context', 'the request exceeds the available context size, try increasing it', 'context-overflow'],
    ['another failure', 'failed to decode the batch', 'http'],
  ])("llama.cpp's mid-stream `error:` line (%s) is the server's error, in its words, not a malformed line", async (_what, message, kind) => {
    const r = await run('openai', { wire: { errorField: true }, turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind });
    expect(r.trajectory.error).toContain(message);
  });

  it.each([
    ['the prompt exceeding the context', 'Prompt sequence length is greater than 4096, perhaps consider using `truncate_sequence`?', 'context-overflow'],
    ['another failure', 'CUDA error: out of memory', 'http'],
  ])("mistral.rs's mid-stream error in plain text (`data: <message>`, %s) is the server's error, in its words, not a malformed event", async (_what, message, kind) => {
    const r = await run('openai', { wire: { errorAsText: true }, turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind });
    expect(r.trajectory.error).toContain(message);
    expect(r.trajectory.error).not.toMatch(/malformed/);
  });

  it.each([
    ['the prompt exceeding the context', "This model's maximum context length is 4096 tokens", 'context-overflow'],
    ['another failure', 'upstream model crashed', 'http'],
  ])("a mid-stream error as an SSE `event: error` whose data has no `error` wrapper (%s) is the server's error, in its words, not an empty reply", async (_what, message, kind) => {
    const r = await run('openai', { wire: { errorObject: true }, turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind });
    expect(r.trajectory.error).toContain(message);
  });

  it('a non-streamed reply whose choice carries `delta` instead of `message` (rayonlabs/nineteen#140; Zhipu, MetaGLM/zhipuai-sdk-java-v4#40) is read, reasoning and calls too', async () => {
    const r = await run(
      'openai',
      {
        wire: { deltaInComplete: true },
        turns: [
          { thinking: 'Six sevens.', nonStream: true, text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] },
          { nonStream: true, text: 'So <<<{{RESULT}}>>>' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Six sevens.');
    expect(r.trajectory.answer).toBe('42');
  });

  it("a stream whose deltas stay empty and whose last chunk carries the whole reply as `message` (ModelScope's API-Inference) is that reply, read once", async () => {
    const r = await run('openai', { wire: { messageInChunk: true }, turns: [{ thinking: 'Six sevens.', text: 'Computing:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Six sevens.');
    expect(r.trajectory.turns[0]?.text).toBe('Computing:\n```python\nprint(6 * 7)\n```\n');
    expect(r.trajectory.answer).toBe('42');
  });

  it.each([
    ['in delta.refusal, content null (OpenAI; openclaw/openclaw#102321), streamed', 'field', false],
    ['in message.refusal, content null, not streamed', 'field', true],
    ['as a content part of type refusal, streamed', 'refusalBlocks', false],
    ['as a content part of type refusal, not streamed', 'refusalBlocks', true],
  ] as const)("the model's refusal %s is its reply, shown and kept, not an empty reply", async (_how, refusal, nonStream) => {
    const r = await run('openai', { wire: { refusal }, turns: [{ text: "I'm sorry, I can't help with that.", nonStream }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.text).toBe("I'm sorry, I can't help with that.");
    expect(warningsOf(r, 'empty-reply')).toEqual([]);
  });

  it.each([
    ["text/plain (ramalama's RAG proxy, containers/ramalama#2837)", 'text/plain; charset=utf-8'],
    ["application/x-ndjson (LitServe's OpenAISpec, Lightning-AI/LitServe#359)", 'application/x-ndjson'],
    ['application/json (Foundry Local, microsoft/foundry-dev-tools#195)', 'application/json'],
  ])('an event stream labelled %s is read as the event stream it is', async (_how, streamContentType) => {
    const r = await run('openai', { wire: { streamContentType }, turns: [{ thinking: 'Six sevens.', text: 'Computing:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Six sevens.');
    expect(r.trajectory.answer).toBe('42');
  });

  it.each([
    ['on one line, context overflow', false, "This model's maximum context length is 4096 tokens", 'context-overflow'],
    ['on one line, another failure', false, 'upstream model crashed', 'http'],
    ['indented over many lines, without a last line end', true, 'upstream model crashed', 'http'],
  ])('a mid-stream error written raw, `{"error": …}` without `data:` (%s), is the server\'s error in its words, not a malformed line', async (_what, prettyJson, message, kind) => {
    const r = await run('openai', { wire: { errorRaw: true, prettyJson }, turns: [{ text: 'Working on it', faults: { streamError: { afterChunks: 1, message } } }] });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind });
    expect(r.trajectory.error).toContain(message);
    expect(r.trajectory.error).not.toMatch(/malformed|closed the connection/);
  });

  it.each([
    ['streamed', false],
    ['not streamed', true],
  ])("content as a list of text and thinking blocks (Mistral's reasoning models), %s: the text is the reply, the thinking its reasoning", async (_how, nonStream) => {
    const r = await run('openai', {
      wire: { contentParts: true },
      turns: [{ thinking: 'Six sevens, best computed.', nonStream, text: 'Computing:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }],
    });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.reasoning).toBe('Six sevens, best computed.');
    expect(r.trajectory.turns[0]?.text).toContain('Computing:');
    expect(r.trajectory.answer).toBe('42');
  });

  it("a reply DeepSeek's API interrupted (finish_reason insufficient_system_resource, then [DONE]) ends in an error saying so, its open code not run", async () => {
    const r = await run('openai', { turns: [{ text: 'Computing:\n```python\nprint(6 *', doneReason: 'insufficient_system_resource' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.reason).toBe('error');
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    expect(r.trajectory.error).toMatch(/interrupted the reply.*insufficient_system_resource/);
  });

  it('a reply the engine aborted (finish_reason abort, then [DONE]: vLLM shut down or paused) ends in an error saying so, its open code not run', async () => {
    const r = await run('openai', { turns: [{ text: 'Computing:\n```python\nprint(6 *', doneReason: 'abort' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.reason).toBe('error');
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'connection-lost' });
    expect(r.trajectory.error).toMatch(/aborted the reply/);
  });

  it.each([
    ['stream_options (chat protocol)', 'chat', ['stream_options']],
    ['stream_options and the continuation fields (r1ci protocol)', 'r1ci', ['stream_options', 'continue_final_message']],
  ] as const)("a server whose schema forbids extra fields (Mistral's API: HTTP 422 extra_forbidden) refusing %s gets the request again without them", async (_what, protocol, forbidFields) => {
    const r = await run('openai', { wire: { forbidFields: [...forbidFields] }, turns: [{ text: 'Run:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>' }] }, { protocol });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    const answered = r.chats.filter((c) => c.status === 200);
    expect(answered).toHaveLength(2);
    for (const c of answered) for (const field of forbidFields) expect(c.body).not.toHaveProperty(field);
  });

  it("DeepSeek's thinking mode (HTTP 400: a tool-call turn's reasoning_content must be passed back) gets the request again with each tool-call turn's reasoning", async () => {
    const r = await run(
      'openai',
      {
        wire: { requireReasoningBack: true },
        turns: [
          { thinking: 'Six sevens.', text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] },
          { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(42 + 1)' } }] },
          { text: 'So <<<{{RESULT}}>>>' },
        ],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('43');
    const answered = r.chats.filter((c) => c.status === 200);
    expect(answered).toHaveLength(3);
    const sent = (answered[2]?.body as { messages: Array<{ role: string; tool_calls?: unknown; reasoning_content?: string }> }).messages;
    expect(sent.filter((m) => m.role === 'assistant').map((m) => m.reasoning_content)).toEqual(['Six sevens.', '']);
    // A server that does not ask never sees the field.
    const plain = await run('openai', { turns: [{ thinking: 'Hm.', text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(JSON.stringify(plain.chats.map((c) => c.body))).not.toContain('reasoning_content');
  });

  it.each([
    ['a usage chunk whose choices is null (MiniMax, Azure OpenAI)', { nullChoices: true }],
    ['`data: null` events between the chunks (AgentRouter)', { nullEvents: true }],
    ["sse-starlette's default keep-alive, `event: ping` with a timestamp as data, between the chunks", { pingEvents: true }],
  ] as const)('%s: nothing is lost, the reply is read to its end', async (_what, wire) => {
    const r = await run('openai', { wire, turns: [{ text: 'Computing:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 900 }] });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[1]?.stats?.promptTokens).toBe(900);
  });

  // A code turn ends where its block closes: the agent stops reading, and the last chunk, the only
  // one with the counts by default, never comes. vLLM and SGLang put the counts so far in every
  // chunk when asked (`stream_options.continuous_usage_stats`).
  const cutTurn = { text: `Run:\n\`\`\`python\nprint(6 * 7)\n\`\`\`\n${'and then more words the agent never reads '.repeat(5)}`, chunkSize: 6, perChunkDelayMs: 15 };
  it('a code turn cut at its closing fence has the token counts a server with continuous usage stats sent (vLLM, SGLang)', async () => {
    const r = await run('openai', {
      wire: { continuousUsage: true },
      turns: [
        { ...cutTurn, usagePromptTokens: 777 },
        { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 800 },
      ],
    });
    expect(r.trajectory.answer).toBe('42');
    expect(r.chats[0]?.aborted).toBe(true);
    expect(r.chats[0]?.body).toMatchObject({ stream_options: { include_usage: true, continuous_usage_stats: true } });
    expect(r.trajectory.turns[0]?.stats).toMatchObject({ promptTokens: 777, outputTokens: expect.any(Number) });
    expect(r.trajectory.turns[0]?.stats?.outputTokens).toBeGreaterThan(0);
    expect(r.trajectory.turns[1]?.stats?.promptTokens).toBe(800);
  });

  it('a prompt the server truncated is warned of on the code turn where it happened, not only when the run answers', async () => {
    const r = await run('openai', {
      wire: { continuousUsage: true },
      turns: [
        { ...cutTurn, usagePromptTokens: 5 },
        { ...cutTurn, usagePromptTokens: 6 },
        { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 7 },
      ],
    });
    expect(r.trajectory.answer).toBe('42');
    expect(r.events.find((e) => e.type === 'warning' && e.kind === 'context-truncated')).toMatchObject({ turn: 0 });
  });

  it('a server that refuses `continuous_usage_stats` (HTTP 422 naming it) gets the request again without it, the usage counts still asked for', async () => {
    const r = await run('openai', {
      wire: { forbidFields: ['stream_options.continuous_usage_stats'] },
      turns: [{ text: 'Run:\n```python\nprint(6 * 7)\n```\n' }, { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 900 }],
    });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    const answered = r.chats.filter((c) => c.status === 200);
    expect(answered).toHaveLength(2);
    for (const c of answered) expect(c.body).toMatchObject({ stream_options: { include_usage: true } });
    expect(JSON.stringify(answered.map((c) => c.body))).not.toContain('continuous_usage_stats');
    expect(r.chats.filter((c) => c.status === 422)).toHaveLength(1);
    expect(r.trajectory.turns[1]?.stats?.promptTokens).toBe(900);
  });

  it("Groq's token counts, streamed in the last chunk's x_groq.usage, are read", async () => {
    const r = await run('openai', { wire: { groqUsage: true }, turns: [{ text: '<<<7>>>', usagePromptTokens: 321 }] });
    expect(r.trajectory.answer).toBe('7');
    expect(r.events.find((e) => e.type === 'turn-end')).toMatchObject({ stats: { promptTokens: 321, outputTokens: expect.any(Number) } });
  });

  it("Moonshot's token counts, streamed in the last chunk's choice (choices[0].usage), are read", async () => {
    const r = await run('openai', { wire: { usageInChoice: true }, turns: [{ text: '<<<7>>>', usagePromptTokens: 321 }] });
    expect(r.trajectory.answer).toBe('7');
    expect(r.events.find((e) => e.type === 'turn-end')).toMatchObject({ stats: { promptTokens: 321, outputTokens: expect.any(Number) } });
  });

  // Ollama's /v1 and llama.cpp report in usage.prompt_tokens only what they evaluated: the prefix
  // in their KV cache is left out, and that cache holds what the model generated last turn (its
  // code), not only the earlier prompt. Only the execution results are new to the server.
  it("every turn is code (a long cell, then the answer): the prompt_tokens of a server that cached the model's own reply is no truncation", async () => {
    const longCell = `\`\`\`python\ns = "${'a'.repeat(3000)}"\nprint(len(s))\n\`\`\`\n`;
    const r = await run('openai', { turns: [{ text: '```python\nprint(1)\n```\n' }, { text: longCell }, { text: '<<<{{RESULT}}>>>', usagePromptTokens: 60 }] });
    expect(r.trajectory.answer).toBe('3000');
    expect(execCount(r)).toBe(2);
    expect(warningsOf(r, 'context-truncated')).toEqual([]);
  });

  // The same for a follow-up question: the conversation so far was the previous run's prompt and
  // replies, in the server's cache; only the new question is new to it.
  it('a follow-up question after a long conversation: the prompt_tokens of a server that cached the conversation is no truncation', async () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'First question.' },
      { role: 'assistant', content: `Here is a long explanation. ${'word '.repeat(1000)}<<<1>>>` },
    ];
    const r = await run('openai', { turns: [{ text: '<<<2>>>', usagePromptTokens: 12 }] }, { history });
    expect(r.trajectory.answer).toBe('2');
    expect(warningsOf(r, 'context-truncated')).toEqual([]);
  });

  it('a prompt_tokens below the new question itself still warns on a follow-up question', async () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'First question.' },
      { role: 'assistant', content: 'Short. <<<1>>>' },
    ];
    const r = await run('openai', { turns: [{ text: '```python\nprint("y" * 6000)\n```\n' }, { text: '<<<2>>>', usagePromptTokens: 12 }] }, { history });
    expect(warningsOf(r, 'context-truncated').join(' ')).toMatch(/counted only 12 prompt tokens/);
  });

  it('a server that never sends usage: no token counts, no false truncation warning', async () => {
    const r = await run('openai', { wire: { omitUsage: true }, turns: [{ text: '```python\nprint("x" * 2000)\n```\n' }, { text: '<<<done>>>' }] });
    expect(r.trajectory.answer).toBe('done');
    expect(r.events.some((e) => e.type === 'turn-end' && e.stats.promptTokens !== undefined)).toBe(false);
    expect(warningsOf(r, 'context-truncated')).toEqual([]);
  });
});

describe.each(BOTH)('each cell starts like a script on %s', (kind) => {
  const cells = (...codes: string[]): Omit<Scenario, 'id' | 'match'> => ({
    turns: [...codes.map((code) => ({ text: `\`\`\`python\n${code}\n\`\`\`\n` })), { text: 'Last: {{RESULT}}' }],
  });
  const results = (r: Run): string[] => r.chats.slice(1).map((c) => c.latestResult ?? '');

  it('a cell that replaced or closed sys.stdout (or called exit(), which closes stdin) does not silence later cells', async () => {
    const r = await run(
      kind,
      cells(
        'import sys\nprint("shown")\nsys.stdout = open("log.txt", "w")\nprint("to the file")',
        'print("visible")',
        'import sys\nsys.stdout.close()',
        'print("after close")',
        'exit()',
        'import sys\nprint(repr(sys.stdin.read()))',
      ),
      { maxCodeCalls: 6 },
    );
    expect(results(r)).toEqual(['shown', 'visible', '[no output]', 'after close', '[no output]', "''"]);
  });

  it('a standard stream opened again after a cell closed it is unbuffered as before: output ahead of os._exit arrives', async () => {
    const r = await run(kind, cells('import sys\nsys.stdout.close()', 'import os\nprint("printed before os._exit")\nos._exit(0)'));
    expect(results(r)[1]).toMatch(/^printed before os\._exit/);
  });

  it('its own sys.argv (the script path, as python3 script.py) and its warnings shown again', async () => {
    const r = await run(
      kind,
      cells(
        'import sys, os, warnings\nsys.argv.append("--n=3")\nwarnings.warn("careful")\nprint(os.path.basename(sys.argv[0]), len(sys.argv))',
        'import sys, os, warnings\nwarnings.warn("careful")\nprint(os.path.basename(sys.argv[0]), len(sys.argv))',
      ),
    );
    const [first, second] = results(r);
    expect(first).toMatch(/^\.r1ci-cell\.py 2\n.*UserWarning: careful/s);
    expect(second).toMatch(/^\.r1ci-cell\.py 1\n.*UserWarning: careful/s);
  });

  it('a traceback through a function an earlier cell defined shows that cell’s lines; inspect.getsource finds them', async () => {
    const r = await run(kind, cells('import inspect\ndef solve(n):\n    total = 0\n    return 10 / n\nprint("defined")', 'import inspect\nprint(inspect.getsource(solve).splitlines()[0])\nsolve(0)'));
    const second = results(r)[1] ?? '';
    expect(second).toMatch(/^def solve\(n\):\n/);
    expect(second).toMatch(/File "<cell 1>", line 4, in solve\n\s+return 10 \/ n\n/);
    expect(second).toMatch(/ZeroDivisionError/);
  });

  it.each([
    ['sets the start method to spawn', 'mp.set_start_method("spawn")\n    pool = mp.Pool(2)'],
    ['uses a forkserver pool', 'pool = mp.get_context("forkserver").Pool(2)'],
  ])('a script run again in the next cell that %s works there too (its helper processes ended with the last cell)', async (_what, start) => {
    const script = (n: number): string => `import multiprocessing as mp\ndef sq(x):\n    return x * x\nif __name__ == "__main__":\n    ${start}\n    with pool as p:\n        print(sum(p.map(sq, range(${n}))))`;
    const r = await run(kind, cells(script(4), script(5)));
    expect(results(r)).toEqual(['14', '30']);
  });

  it('a progress line cleared with erase-in-line (pip, rich) reaches the model as its final state', async () => {
    const r = await run(
      kind,
      cells('import sys\nfor i in range(500):\n    sys.stderr.write(f"\\r\\x1b[2K\\x1b[32m{i * 100 // 499}%\\x1b[0m |{\'#\' * (i // 25)}")\nsys.stderr.write("\\r\\x1b[2KDone\\n")\nprint("answer: 42")'),
    );
    expect(results(r)[0]).toBe('answer: 42\nDone');
  });

  it('fig.show() (the object-oriented API) makes the figure an image artifact, as plt.show() does', async () => {
    const r = await run(kind, cells('import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3], [1, 4, 9])\nfig.show()\nprint("shown")'), { pythonPath: matplotlibPython() });
    expect(results(r)[0]).toBe('shown');
    expect(r.trajectory.turns[0]?.cell?.result?.artifacts.filter((a) => a.mimeType === 'image/png').map((a) => a.name)).toEqual(['plot-1.png']);
  });

  it('input() with no stdin fails with a message saying why', async () => {
    const r = await run(kind, cells('n = int(input("n? "))\nprint(n)'));
    expect(results(r)[0]).toMatch(/EOFError: EOF when reading a line: the code runs with no input \(stdin is empty\).*put the data in the code itself/);
  });
});

describe('the reply text in other places of an OpenAI-compatible choice', () => {
  // The completions API's `text` (OpenAI's legacy text_completion chunk and choice,
  // platform.openai.com/docs/api-reference/completions/object) in a chat reply's choices, and a
  // `delta` that is the text itself (FastChat's first streaming chat API, lm-sys/FastChat#873).
  it.each([
    ['only in choices[].text, the delta empty, streamed', { choiceText: 'only' }, false],
    ['only in choices[].text, not streamed (no message)', { choiceText: 'only' }, true],
    ['as the delta itself, a string', { deltaAsString: true }, false],
  ] as const)('a reply %s is read as its content', async (_how, wire, nonStream) => {
    const r = await run('openai', {
      wire,
      chunkSize: 5,
      turns: [
        { text: 'Run:\n```python\nprint(6 * 7)\n```\n', nonStream },
        { text: 'So <<<{{RESULT}}>>>', nonStream },
      ],
    });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.turns[0]?.text).toBe('Run:\n```python\nprint(6 * 7)\n```\n');
    expect(r.trajectory.answer).toBe('42');
    expect(warningsOf(r, 'empty-reply')).toEqual([]);
  });

  it.each([false, true])('a reply with the same text in delta.content (message.content) and choices[].text is read once (not streamed: %s)', async (nonStream) => {
    const r = await run('openai', {
      wire: { choiceText: 'both' },
      chunkSize: 5,
      turns: [
        { text: 'Run:\n```python\nprint(6 * 7)\n```\n', nonStream },
        { text: 'So <<<{{RESULT}}>>>', nonStream },
      ],
    });
    expect(r.trajectory.turns[0]?.text).toBe('Run:\n```python\nprint(6 * 7)\n```\n');
    expect(r.trajectory.turns[1]?.text).toBe('So <<<42>>>');
    expect(r.trajectory.answer).toBe('42');
  });
});

describe('an Ollama reply whose optional fields are null', () => {
  // A proxy that passes replies on from ollama-python's models writes every field it has, absent
  // ones as null (ollama/_types.py: `thinking`, `tool_calls`, `images`, `done_reason`, `eval_count`, … are `Optional[…] = None`).
  it.each<[string, Scenario['turns'][number], ProtocolMode]>([
    ['a reply with reasoning', { thinking: 'The user wants 6*7.', text: 'Run:\n```python\nprint(6 * 7)\n```\n' }, 'chat'],
    ['a native tool call', { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, 'tools'],
  ])('%s ("thinking": null, "tool_calls": null, "images": null, "done_reason": null, "eval_count": null) reads as if they were absent', async (_what, turn, protocol) => {
    const r = await run('ollama', { wire: { nullFields: true }, turns: [turn, { text: 'So <<<{{RESULT}}>>>', usagePromptTokens: 321 }] }, { protocol });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[1]?.stats?.promptTokens).toBe(321);
    expect(r.trajectory.turns[1]?.stats?.doneReason).toBe('stop');
  });
});

describe('tool-call ids on Ollama', () => {
  // Ollama ≥ 0.12.10 gives each call an id (ollama/ollama#12956) and its renderers link a tool
  // result to its call by `tool_call_id` (cohere's numbers calls and refers results through it;
  // gemma4's and glimmer's name a result's tool through it). The scripted server records a request
  // whose results are not so linked as a problem, which `run` asserts are none.
  const twoTurnsOfCalls: Omit<Scenario, 'id' | 'match'>['turns'] = [
    {
      text: '',
      toolCalls: [
        { name: 'python', arguments: { code: 'print(6)' } },
        { name: 'python', arguments: { code: 'print(7)' } },
      ],
    },
    { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] },
    { text: 'So <<<{{RESULT}}>>>' },
  ];
  /** The calls' ids and the results' tool_call_ids of the last request, in order. */
  const idsSent = (r: Run): { calls: string[]; results: string[] } => {
    const messages = (r.chats[r.chats.length - 1]?.body as { messages: Array<{ role: string; tool_calls?: Array<{ id?: string }>; tool_call_id?: string }> }).messages;
    return {
      calls: messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id ?? '') : [])),
      results: messages.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id ?? ''] : [])),
    };
  };

  it('each result goes back with the id Ollama gave its call, and each call with its id', async () => {
    const r = await run('ollama', { turns: twoTurnsOfCalls }, { protocol: 'tools' });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    const { calls, results } = idsSent(r);
    expect(calls).toHaveLength(3);
    // The server's ids (call_ and 8 of [a-z0-9]), none made up, and the results name them in order.
    for (const id of calls) expect(id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(results).toEqual(calls);
  });

  it('calls without ids (Ollama < 0.12.10) get ids unique across the conversation, which their results name', async () => {
    const r = await run('ollama', { wire: { ollamaNoCallIds: true }, turns: twoTurnsOfCalls }, { protocol: 'tools' });
    expect(r.trajectory.answer).toBe('42');
    const { calls, results } = idsSent(r);
    expect(calls).toHaveLength(3);
    expect(new Set(calls).size).toBe(3);
    for (const id of calls) expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(results).toEqual(calls);
  });
});

describe("tool-call ids the agent makes up, on a server that holds ids to Mistral's rule", () => {
  // Mistral's API and vLLM's mistral tokenizer mode refuse any tool-call id but 9 characters of
  // [a-zA-Z0-9] (HTTP 400 "Tool call id was … but must be a-z, A-Z, 0-9, with a length of 9.",
  // vllm-project/vllm#12332), and Mistral models' chat templates raise on one wherever a server
  // renders them. A call read from the reply's text (a server without a tool-call parser passes
  // Mistral's [TOOL_CALLS] on as text) has no id of the server's: the one made up goes back.
  it.each([
    ['Mistral Small 3.2 form', '[TOOL_CALLS]python[ARGS]{"code": "print(6 * 7)"}'],
    ['v0.3 form, two calls', '[TOOL_CALLS] [{"name": "python", "arguments": {"code": "print(6)"}}, {"name": "python", "arguments": {"code": "print(6 * 7)"}}]'],
  ])('calls read from the text (%s) go back under ids the server takes', async (_form, text) => {
    const r = await run('openai', { wire: { mistralCallIds: true }, turns: [{ text }, { text: 'So <<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    expect(r.chats.map((c) => c.status ?? 200)).toEqual([200, 200]);
  });

  it("the server's own ids go back as they came", async () => {
    const r = await run('openai', { wire: { mistralCallIds: true }, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: 'So <<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
    expect(r.trajectory.answer).toBe('42');
    const sent = (r.chats[1]?.body as { messages: Array<{ role: string; tool_call_id?: string }> }).messages;
    expect(sent.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual([r.messages.find((m) => m.toolCalls)?.toolCalls?.[0]?.id]);
  });
});

describe('a server that cannot stream tool calls (llama.cpp before ggml-org/llama.cpp#12379)', () => {
  // It answers a streamed request with tools HTTP 500 "Cannot use tools with stream" and the same
  // request unstreamed as usual: the tools protocol works there, its replies whole.
  it('gets the request again unstreamed, and later ones unstreamed from the start; the calls run', async () => {
    const r = await run(
      'openai',
      {
        wire: { noToolsWithStream: true },
        turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6)' } }] }, { text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: 'So <<<{{RESULT}}>>>' }],
      },
      { protocol: 'tools' },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    expect(r.chats.map((c) => [c.stream, c.status ?? 200])).toEqual([
      [true, 500],
      [false, 200],
      [false, 200],
      [false, 200],
    ]);
    // Never the usage options of a stream in a request that is none (vLLM refuses them there).
    for (const chat of r.chats.slice(1)) expect((chat.body as Record<string, unknown>)['stream_options']).toBeUndefined();
  });

  it('a run without tools still streams', async () => {
    const r = await run('openai', { wire: { noToolsWithStream: true }, turns: [{ text: 'So <<<42>>>' }] });
    expect(r.trajectory.answer).toBe('42');
    expect(r.chats.map((c) => c.stream)).toEqual([true]);
  });

  // An unstreamed reply says nothing until the model has finished: its whole generation is
  // silence, and the first-token allowance (300 s by default) cut long replies of slow models (s40).
  it('an unstreamed reply that takes longer than the first-token allowance is waited for, not reported as a stall', async () => {
    const r = await run(
      'openai',
      { wire: { noToolsWithStream: true }, firstTokenDelayMs: 1500, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(6 * 7)' } }] }, { text: 'So <<<{{RESULT}}>>>' }] },
      { protocol: 'tools', stallSeconds: 0.4, firstTokenSeconds: 0.4 },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
    expect(r.chats.map((c) => c.stream)).toEqual([true, false, false]);
  });
});

describe('a server that answers `stream: true` with one JSON document', () => {
  it('once seen, its later replies are waited for whole, past the first-token allowance', async () => {
    const r = await run(
      'openai',
      {
        turns: [
          { text: 'Computing:\n```python\nprint(6 * 7)\n```\n', nonStream: true },
          { text: 'So <<<{{RESULT}}>>>', nonStream: true, firstTokenDelayMs: 1500 },
        ],
      },
      { stallSeconds: 0.4, firstTokenSeconds: 0.4 },
    );
    expect(r.trajectory.error).toBeUndefined();
    expect(r.trajectory.answer).toBe('42');
  });

  // The allowance is for a reply sent whole: it covers the wait for the server's answer, not a
  // stream that then says nothing (a proxy answering some requests whole, others streamed; s40 red team).
  it('once seen, a later reply that streams after all and goes quiet is still a stall', async () => {
    const r = await run(
      'openai',
      {
        turns: [
          { text: 'Computing:\n```python\nprint(6 * 7)\n```\n', nonStream: true },
          { text: 'So <<<{{RESULT}}>>>', firstTokenDelayMs: 1500 },
        ],
      },
      { stallSeconds: 0.4, firstTokenSeconds: 0.4 },
    );
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'stalled' });
    expect(r.trajectory.error).toMatch(/did not start answering within 0\.4 s/);
  });

  it('a streaming server that goes quiet is still a stall', async () => {
    const r = await run('openai', { turns: [{ text: 'So <<<42>>>', firstTokenDelayMs: 1500 }] }, { stallSeconds: 0.4, firstTokenSeconds: 0.4 });
    expect(r.events.find((e) => e.type === 'error')).toMatchObject({ kind: 'stalled' });
  });
});

describe.each(BOTH)('other reasoning and end tokens left in the content on %s', (kind) => {
  // Gemini's OpenAI-compatible endpoint with `include_thoughts` (ai.google.dev/gemini-api/docs/openai,
  // "Thinking") streams the thought summary in the content, wrapped in <thought>…</thought>.
  it("Gemini's <thought>…</thought> summary is reasoning: its code and <<<…>>> neither run nor answer", async () => {
    const text = '<thought>**Computing the product**\nFormat: <<<answer content>>>. Try:\n```python\nprint(6 * 7)\n```\n</thought>It is <<<42>>>';
    const r = await run(kind, { chunkSize: 3, turns: [{ text }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('42');
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.reasoning).toContain('Format: <<<answer content>>>');
    expect(r.trajectory.turns[0]?.text).toBe('It is <<<42>>>');
  });

  // Proxies that turn a reasoning channel into content tags for clients that read only `content`:
  // gemini-cli-openai's STREAM_THINKING_AS_CONTENT (GewoonJaap/gemini-cli-openai#8), ccproxy-api
  // for Claude's thinking blocks (CaddyGlow/ccproxy-api#37).
  it.each([1, 3, 100])("Claude-style <thinking>…</thinking> in the content (a proxy's reasoning as tags) is reasoning, chunks of %i: its code and <<<…>>> neither run nor answer", async (chunkSize) => {
    const text = '<thinking>\nFormat: <<<answer content>>>. Try:\n```python\nprint(6 * 7)\n```\n</thinking>\n\nIt is <<<42>>>';
    const r = await run(kind, { chunkSize, turns: [{ text }] }, { capabilities: ['completion'] });
    expect(r.trajectory.answer).toBe('42');
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.turns[0]?.reasoning).toContain('Format: <<<answer content>>>');
    expect(r.trajectory.turns[0]?.text).toBe('It is <<<42>>>');
  });

  it.each([
    ['the stream ends', 'stop'],
    ['the token limit cuts it', 'length'],
  ] as const)("Gemini's <thought> never closed (%s) is reasoning, never the reply's text", async (_how, doneReason) => {
    const r = await run(kind, { chunkSize: 3, turns: [{ text: '<thought>**Computing the product**\nThe user wants 6*7, so the answer is <<<42>>>', doneReason }] }, { capabilities: ['completion'] });
    expect(r.trajectory.turns[0]?.text).toBe('');
    expect(r.trajectory.turns[0]?.reasoning).toContain('The user wants 6*7');
    expect(r.trajectory.answerSource).not.toBe('model');
  });

  it.each([1, 3, 100])(
    "gpt-oss's <|return|> (or <|end|>) left at the end of the final message (a server that does not stop on it, lmstudio-ai/mlx-engine#204) is not part of the answer, chunks of %i",
    async (chunkSize) => {
      const analysis = '<|channel|>analysis<|message|>The user wants 6*7.<|end|>';
      for (const [text, shown] of [
        [`${analysis}<|start|>assistant<|channel|>final<|message|>It is <<<42>>><|return|>`, 'It is <<<42>>>'],
        [`${analysis}<|start|>assistant<|channel|>final<|message|>It is <<<42>>><|end|>\n`, 'It is <<<42>>>'],
        ['<|channel|>final<|message|>It is <<<42>>>.<|return|>', 'It is <<<42>>>.'],
        ['It is <<<42>>>, as 6 < 7.<|return|>', 'It is <<<42>>>, as 6 < 7.'],
      ]) {
        const r = await run(kind, { chunkSize, turns: [{ text }] }, { capabilities: ['completion'] });
        expect(r.trajectory.turns[0]?.text).toBe(shown);
        expect(r.trajectory.answer).toBe('42');
        expect(r.messages.at(-1)?.content).toBe(shown);
      }
    },
  );

  // A server that does not stop on the model's end-of-turn token (a GGUF whose chat template or
  // stop list does not name it: llama.cpp, LM Studio, an Ollama Modelfile without its `stop`)
  // passes it on as text. After code whose closing fence a stop string ate, Python would read it
  // as the code's last line (a SyntaxError instead of the result).
  it.each([
    ['<|im_end|>', 'ChatML: Qwen, Yi, InternLM'],
    ['<|endoftext|>', 'Qwen, Phi'],
    ['<|eot_id|>', 'Llama 3'],
    ['<|end_of_text|>', 'Llama 3'],
    ['</s>', 'Llama 2, Mistral'],
    ['<｜end▁of▁sentence｜>', 'DeepSeek'],
    ['<end_of_turn>', 'Gemma'],
    ['<eos>', 'Gemma'],
  ])('an end token %s (%s) that ends a reply is no text of it: the open code before it runs, the answer after it is clean', async (token) => {
    const r = await run(kind, { chunkSize: 3, turns: [{ text: `Compute:\n\`\`\`python\nprint(6 * 7)\n${token}` }, { text: `It is <<<{{RESULT}}>>>${token}\n` }] }, { capabilities: ['completion'] });
    expect(r.trajectory.turns[0]?.cell?.code).toBe('print(6 * 7)');
    expect(r.chats[1]?.latestResult).toBe('42');
    expect(r.trajectory.answer).toBe('42');
    expect(r.trajectory.turns[1]?.text).toBe('It is <<<42>>>');
    expect(r.messages.at(-1)?.content).toBe('It is <<<42>>>');
    expect(JSON.stringify(r.chats[1]?.messages)).not.toContain(token);
  });

  it('a <|return|> with more text after it is left in place: only a token that ends the reply is dropped', async () => {
    const text = 'The end token is <|return|> in harmony. <<<7>>>';
    const r = await run(kind, { chunkSize: 4, turns: [{ text }] }, { capabilities: ['completion'] });
    expect(r.trajectory.turns[0]?.text).toBe(text);
  });
});

describe.each(BOTH)("Gemma 4's native tool-call form written in the content on %s", (kind) => {
  // Gemma 4's prompt format (ai.google.dev/gemma/docs/core/prompt-formatting-gemma4, "Function
  // Calling"): `<|tool_call>call:NAME{key:value,…}<tool_call|>`, string values between `<|"|>`
  // delimiters; a server without its tool-call parser leaves it in the content
  // (abetlen/llama-cpp-python#2227; oMLX before jundot/omlx#550).
  const code = 'd = {"a": 8, \'b\': [8]}\nprint(d["a"] * d[\'b\'][0], end="")';
  it.each([
    ['alone', `<|tool_call>call:python{code:<|"|>${code}<|"|>}<tool_call|>`],
    ['after prose, its key quoted too', `Let me compute it.\n\n<|tool_call>call:python{<|"|>code<|"|>:<|"|>${code}<|"|>}<tool_call|>`],
    ['its closing token left out (the server stopped on it)', `<|tool_call>call:python{code:<|"|>${code}<|"|>}`],
    ['with its arguments in parentheses and JSON quotes (NousResearch/hermes-agent#7457)', `<|tool_call>call:python(code: ${JSON.stringify(code)})<tool_call|>`],
  ])('a python call %s runs as a call, its code as written', async (_how, text) => {
    for (const chunkSize of [3, 100]) {
      const r = await run(kind, { chunkSize, turns: [{ text }, { text: '<<<{{RESULT}}>>>' }] }, { protocol: 'tools' });
      expect(r.trajectory.turns[0]?.cell).toMatchObject({ source: 'tool-call', code });
      expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content).toBe('64');
      expect(r.trajectory.answer).toBe('64');
    }
  });

  it('the syntax quoted in an inline code span runs nothing', async () => {
    const text = 'Gemma calls a tool with `<|tool_call>call:python{code:<|"|>print(1)<|"|>}<tool_call|>`. <<<5>>>';
    const r = await run(kind, { turns: [{ text }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.trajectory.answer).toBe('5');
  });

  it('a call the token limit cut inside its code is not run; the model is told about the limit', async () => {
    const text = '<|tool_call>call:python{code:<|"|>for i in range(3):\n    print(i';
    const r = await run(kind, { turns: [{ text, doneReason: 'length' }, { text: 'Seen: {{RESULT}}' }] }, { protocol: 'tools' });
    expect(execCount(r)).toBe(0);
    expect(r.chats[1]?.messages?.find((m) => m.role === 'tool')?.content ?? r.chats[1]?.latestResult).toMatch(/^\[not executed: your reply reached the token limit/);
  });
});

// Progress displays of several lines redraw them by moving the cursor up: tqdm's bars with
// `position` (`\n` to its row, `ESC[A` back), rich's Live (pip, `ESC[2K ESC[1A`), docker-style
// listings (`ESC[nA`, then `ESC[K` per row), `ESC[nF`. The model gets the screen as a terminal
// finally shows it: each row in its last state, not every intermediate redraw.
describe.each(BOTH)('output redrawn above the cursor on %s', (kind) => {
  const cases: Array<[string, string, string]> = [
    [
      "tqdm's two bars (position=1: `\\n` down, `ESC[A` back up)",
      'import sys\nw = sys.stderr.write\nfor i in range(201):\n    w(f"\\rA {i}/200")\n    w(f"\\n\\rB {2*i}/400")\n    w("\\x1b[A")\nw("\\n\\n")\nprint("answer: 42")',
      'A 200/200\nB 400/400\n',
    ],
    [
      "rich's Live (pip): `\\r ESC[2K ESC[1A ESC[2K` before each frame, the last frame ended by a newline",
      'import sys\nw = sys.stderr.write\nfor i in range(101):\n    if i:\n        w("\\r\\x1b[2K\\x1b[1A\\x1b[2K\\x1b[1A\\x1b[2K")\n    w(f"fetch {i}%\\nbuild {i // 2}%\\nlink {i // 4}%")\nw("\\n")\nprint("answer: 42")',
      'fetch 100%\nbuild 50%\nlink 25%\n',
    ],
    [
      'a listing redrawn with `ESC[3A` and `ESC[K` per row',
      'import sys\nw = sys.stderr.write\nfor i in range(51):\n    if i:\n        w("\\x1b[3A")\n    for name in ("layer-a", "layer-b", "layer-c"):\n        w(f"\\x1b[K{name}: {i * 2} MB\\n")\nprint("answer: 42")',
      'layer-a: 100 MB\nlayer-b: 100 MB\nlayer-c: 100 MB\n',
    ],
    [
      "rich's transient progress (erased when done, then the result printed where it was)",
      'import sys\nw = sys.stderr.write\nerase = "\\r\\x1b[2K\\x1b[1A\\x1b[2K\\x1b[1A\\x1b[2K"\nfor i in range(101):\n    if i:\n        w(erase)\n    w(f"step {i}%\\neta {100 - i}s\\nrate {i}/s")\nw(erase)\nw("done\\n")\nprint("answer: 42")',
      'done\n',
    ],
    [
      'two rows redrawn from a saved cursor (`ESC 7` … `ESC 8`, DECSC/DECRC)',
      'import sys\nw = sys.stderr.write\nw("files\\n")\nfor i in range(51):\n    w("\\x1b7" + f"copied {i}\\n\\x1b[Kleft {50 - i}" + "\\x1b8")\nw("\\n\\n")\nprint("answer: 42")',
      'files\ncopied 50\nleft 0\n',
    ],
    [
      'a row redrawn from a saved cursor, the SCO forms (`ESC[s` … `ESC[u`)',
      'import sys\nw = sys.stderr.write\nw("\\x1b[s")\nfor i in range(101):\n    w("\\x1b[u\\x1b[s" + f"{i}%\\nphase {i // 25}")\nw("\\n")\nprint("answer: 42")',
      '100%\nphase 4\n',
    ],
    [
      'an animation that clears the screen and homes the cursor for each frame (`ESC[2J ESC[H`, a game of life)',
      'import sys\nw = sys.stderr.write\nfor i in range(40):\n    w("\\x1b[2J\\x1b[H")\n    w(f"generation {i}\\n" + "#" * (i % 7) + "\\n")\nprint("answer: 42")',
      'generation 39\n####\n',
    ],
    [
      "`clear` from the cell (`ESC[H ESC[2J ESC[3J`, what os.system('clear') writes) and a full reset (`ESC c`) before the result",
      'import sys\nw = sys.stderr.write\nw("loading...\\n" * 30)\nw("\\x1b[H\\x1b[2J\\x1b[3J")\nw("stage 1 done\\n" * 3)\nw("\\x1bc")\nw("table ready\\n")\nprint("answer: 42")',
      'table ready\n',
    ],
    [
      'a frame drawn over the last from the home position without a clear (`ESC[H`), its shorter rows erased (`ESC[K`)',
      'import sys\nw = sys.stderr.write\nfor i in range(60, -1, -1):\n    w("\\x1b[H")\n    w(f"left {i}\\x1b[K\\nrate {i * 3}/s\\x1b[K\\n")\nprint("answer: 42")',
      'left 0\nrate 0/s\n',
    ],
    [
      'two rows redrawn with `ESC[2F` (up, to column 1) after a line that stays',
      'import sys\nw = sys.stderr.write\nw("header\\n")\nfor i in range(101):\n    if i:\n        w("\\x1b[2F")\n    w(f"\\x1b[2Kdownload {i}%\\n\\x1b[2Kunpack {i // 2}%\\n")\nprint("answer: 42")',
      'header\ndownload 100%\nunpack 50%\n',
    ],
  ];
  it.each(cases)('%s', async (_what, code, screen) => {
    const r = await run(kind, { turns: [{ text: `\`\`\`python\n${code}\n\`\`\`\n` }, { text: 'Saw: <<<{{RESULT}}>>>' }] });
    expect(r.trajectory.turns[0]?.cell?.result?.stderr).toBe(screen);
    expect(r.trajectory.turns[0]?.cell?.result?.stdout).toBe('answer: 42\n');
    const seen = r.chats[1]?.latestResult ?? '';
    expect(seen).toContain(screen.trim());
    expect(seen).toContain('answer: 42');
    // No intermediate state of a row reaches the model.
    expect(seen.length).toBeLessThan(screen.length + 200);
    expect(r.trajectory.answer).toBe('answer: 42');
  });
});

// `codeCalls` is the code-call budget spent, also by code that never ran; what a record calls
// "used code" (evaluation results, their summaries) is code that ran (`ranCode`).
describe.each(BOTH)('code that did not run is not "used code" on %s', (kind) => {
  it('code the user declined (the "ask" approval) spends a code call but did not run', async () => {
    const server = await rig.serve({
      scenarios: [{ id: 'declined', match: { regex: '^' }, turns: [{ text: '```python\nprint(6 * 7)\n```\n' }, { text: 'Then <<<41>>>' }] }],
      models: [{ name: MODEL, capabilities: ['completion'] }],
    });
    const runner = await rig.codeRunner({});
    const trajectory = await collectTrajectory(
      runAgent('Variant question.', {
        backend: scriptedBackend(kind, server.url),
        model: MODEL,
        runner,
        protocol: 'chat',
        maxCodeCalls: 4,
        temperature: 0,
        contextTokens: kind === 'ollama' ? 16384 : undefined,
        retryOnce: false,
        approveCode: () => Promise.resolve(false),
        signal: new AbortController().signal,
      }),
    );
    expect(trajectory.answer).toBe('41');
    expect(server.chatRequests()[1]?.latestResult).toMatch(/declined/);
    expect(trajectory.codeCalls).toBe(1);
    expect(ranCode(trajectory)).toBe(false);
  });

  it('code that ran is "used code"', async () => {
    const r = await run(kind, { turns: [{ text: '```python\nprint(6 * 7)\n```\n' }, { text: '<<<{{RESULT}}>>>' }] });
    expect(r.trajectory.answer).toBe('42');
    expect(ranCode(r.trajectory)).toBe(true);
  });
});
