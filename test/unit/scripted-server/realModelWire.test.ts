// Byte-level checks of the wire features real servers use (../shared/cases/real-models): reasoning
// fields, tool calls, `length`, usage, CRLF, bodies split inside a character, non-streamed replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { caseFileSchema, scenarioFromCase } from '../../support/scripted-server/scenarioSchema';
import { rawRequest } from './support';

const MODEL = 'thinker:latest';
const scenarios: Scenario[] = [
  { id: 'think', match: 'think please', chunkSize: 100, turns: [{ thinking: 'abcdef', thinkingChunks: 2, text: 'done' }] },
  { id: 'tools', match: 'call please', turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print("héllo")' } }] }] },
  { id: 'cut', match: 'cut please', chunkSize: 100, turns: [{ text: 'print(be', doneReason: 'length', usagePromptTokens: 7 }] },
  { id: 'crlf', match: 'crlf please', chunkSize: 100, wire: { crlf: true, splitUtf8: true }, turns: [{ text: 'é' }] },
  { id: 'cr', match: 'cr please', chunkSize: 100, wire: { cr: true }, turns: [{ text: 'é' }] },
  { id: 'flat', match: 'flat please', turns: [{ text: 'whole', thinking: 'hmm', nonStream: true }] },
  { id: 'bare', match: 'bare please', wire: { omitUsage: true, omitDone: true }, turns: [{ text: 'x' }] },
  { id: 'whole-call', match: 'one delta please', wire: { toolCallDeltas: 'whole' }, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }] },
  { id: 'object-args', match: 'object arguments please', wire: { argumentsAsObject: true, toolCallDeltas: 'bareObject' }, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }] },
  { id: 'legacy-call', match: 'legacy function please', wire: { legacyFunctionCall: true }, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }] },
  { id: 'error-field', match: 'error field please', wire: { errorField: true }, turns: [{ text: 'abc', faults: { streamError: { afterChunks: 0, message: 'boom' } } }] },
  { id: 'blocks', match: 'blocks please', chunkSize: 100, wire: { contentParts: true }, turns: [{ thinking: 'hmm', text: 'done' }] },
  {
    id: 'interleaved',
    match: 'interleaved please',
    wire: { toolCallDeltas: 'interleaved' },
    turns: [
      {
        text: '',
        toolCalls: [
          { name: 'python', arguments: { code: 'print(1)' } },
          { name: 'python', arguments: { code: 'print(22)' } },
        ],
      },
    ],
  },
  {
    id: 'same-index',
    match: 'same index please',
    wire: { toolCallDeltas: 'sameIndex' },
    turns: [
      {
        text: '',
        toolCalls: [
          { name: 'python', arguments: { code: 'print(1)' } },
          { name: 'python', arguments: { code: 'print(22)' } },
        ],
      },
    ],
  },
  {
    id: 'shared-id',
    match: 'shared id please',
    wire: { toolCallDeltas: 'sharedId' },
    turns: [
      {
        text: '',
        toolCalls: [
          { name: 'python', arguments: { code: 'print(1)' } },
          { name: 'python', arguments: { code: 'print(22)' } },
        ],
      },
    ],
  },
  {
    id: 'harmony-raw',
    match: 'raw python please',
    chunkSize: 100,
    wire: { harmonyRawCall: true },
    turns: [{ thinking: 'hmm', text: '', toolCalls: [{ name: 'python', arguments: { code: "print('x')" } }] }],
  },
  { id: 'no-blank-lines', match: 'no blank lines please', chunkSize: 1, wire: { noBlankLines: true }, turns: [{ text: 'ab', doneReason: 'model_length' }] },
  { id: 'two-choices', match: 'two choices please', chunkSize: 2, wire: { otherChoice: 'other' }, turns: [{ text: 'first' }] },
  { id: 'repeat-name', match: 'named deltas please', wire: { toolCallDeltas: 'repeatName' }, turns: [{ text: '', toolCalls: [{ name: 'python', arguments: { code: 'print(1)' } }] }] },
];

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({ scenarios, models: [{ name: MODEL, capabilities: ['completion', 'thinking', 'tools'], maxModelLen: 8192 }] });
});
afterAll(async () => {
  await server.close();
});

const ask = (content: string): Array<{ role: string; content: string }> => [{ role: 'user', content }];
const ndjson = (body: string): Array<Record<string, unknown>> =>
  body
    .trim()
    .split(/\r?\n/)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const sse = (body: string): Array<Record<string, unknown>> =>
  body
    .split(/\r?\n\r?\n/)
    .map((e) => e.replace(/^data: /, ''))
    .filter((d) => d !== '' && d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);
const openAi = (content: string, extra: Record<string, unknown> = {}): Promise<{ body: string; headers: Record<string, string | string[] | undefined> }> =>
  rawRequest(`${server.url}/v1/chat/completions`, 'POST', { model: MODEL, messages: ask(content), stream: true, stream_options: { include_usage: true }, ...extra });

describe('reasoning', () => {
  it('Ollama: message.thinking when think is set, inline <think> when it is absent, nothing when false', async () => {
    const field = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, think: true, messages: ask('think please') })).body);
    expect(field.slice(0, 3).map((o) => o['message'])).toEqual([
      { role: 'assistant', content: '', thinking: 'abc' },
      { role: 'assistant', content: '', thinking: 'def' },
      { role: 'assistant', content: 'done' },
    ]);
    const inline = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('think please') })).body);
    expect(inline.map((o) => (o['message'] as { content: string }).content).join('')).toBe('<think>abcdef</think>\n\ndone');
    const off = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, think: false, messages: ask('think please') })).body);
    expect(off.map((o) => (o['message'] as { content: string }).content).join('')).toBe('done');
  });

  it('OpenAI-compatible: delta.reasoning_content before the content', async () => {
    const events = sse((await openAi('think please')).body);
    const deltas = events.flatMap((e) => (e['choices'] as Array<{ delta: Record<string, unknown> }>).map((c) => c.delta));
    expect(deltas.slice(1, 4)).toEqual([{ reasoning_content: 'abc' }, { reasoning_content: 'def' }, { content: 'done' }]);
  });

  it('repeats a reasoning text shorter than its chunk count, once per chunk', async () => {
    const file = caseFileSchema.parse({ model: MODEL, turns: [{ thinking: 'ab', thinkingChunks: 4, text: 'x' }] });
    server.setScenarios([scenarioFromCase('many', file), ...scenarios]);
    const events = sse((await openAi('anything')).body);
    const reasoning = events.flatMap((e) => (e['choices'] as Array<{ delta: { reasoning_content?: string } }>).flatMap((c) => (c.delta.reasoning_content ? [c.delta.reasoning_content] : [])));
    expect(reasoning).toEqual(['ab', 'ab', 'ab', 'ab']);
    server.setScenarios(scenarios);
  });
});

describe('tool calls', () => {
  it('Ollama: one line with the whole call, arguments as an object, with the id and index Ollama ≥ 0.12.10 gives it', async () => {
    const lines = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('call please') })).body);
    expect(lines[0]?.['message']).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: expect.stringMatching(/^call_[a-z0-9]{8}$/), function: { index: 0, name: 'python', arguments: { code: 'print("héllo")' } } }],
    });
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
  });

  it('OpenAI: id and name first, then the arguments as JSON text in pieces, finish_reason tool_calls', async () => {
    const events = sse((await openAi('call please')).body);
    const calls = events.flatMap((e) =>
      (e['choices'] as Array<{ delta: { tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments?: string } }> } }>).flatMap((c) => c.delta.tool_calls ?? []),
    );
    expect(calls[0]).toMatchObject({ index: 0, function: { name: 'python', arguments: '' } });
    expect(calls[0]?.id).toMatch(/^call_/);
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.map((c) => c.function.arguments ?? '').join('')).toBe(JSON.stringify({ code: 'print("héllo")' }));
    const finish = events.flatMap((e) => (e['choices'] as Array<{ finish_reason: string | null }>).map((c) => c.finish_reason)).filter((f) => f !== null);
    expect(finish).toEqual(['tool_calls']);
  });
});

describe("Ollama's harmony parser failing on gpt-oss's raw python call (wire harmonyRawCall)", () => {
  it('after streamed reasoning: the error as the last line; with nothing streamed first (think false): HTTP 500', async () => {
    const error = "error parsing tool call: raw='print('x')', err=invalid character 'p' looking for beginning of value";
    const streamed = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, think: true, messages: ask('raw python please') })).body);
    expect(streamed.at(-1)).toEqual({ error });
    expect(streamed.some((o) => o['done'] === true || (o['message'] as { tool_calls?: unknown } | undefined)?.tool_calls !== undefined)).toBe(false);
    const first = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, think: false, messages: ask('raw python please') });
    expect(first.status).toBe(500);
    expect(JSON.parse(first.body)).toEqual({ error });
  });
});

describe('length, usage, framing, non-streamed replies', () => {
  it('doneReason length and usagePromptTokens reach both APIs', async () => {
    const ollama = ndjson((await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('cut please') })).body).at(-1);
    expect(ollama).toMatchObject({ done_reason: 'length', prompt_eval_count: 7 });
    const events = sse((await openAi('cut please')).body);
    expect(events.at(-1)?.['usage']).toMatchObject({ prompt_tokens: 7 });
    expect(events.some((e) => (e['choices'] as Array<{ finish_reason: string | null }>).some((c) => c.finish_reason === 'length'))).toBe(true);
  });

  it('CRLF line ends, and a character split across two writes', async () => {
    const res = await openAi('crlf please');
    expect(res.body).toContain('\r\n\r\n');
    expect(res.body).not.toMatch(/[^\r]\n/);
    expect(
      sse(res.body)
        .flatMap((e) => (e['choices'] as Array<{ delta: { content?: string } }>).map((c) => c.delta.content ?? ''))
        .join(''),
    ).toBe('é');
  });

  it('cr: SSE lines end with a lone CR (no LF anywhere); an Ollama NDJSON reply keeps its LF', async () => {
    const res = await openAi('cr please');
    expect(res.body).toContain('\r\r');
    expect(res.body).not.toContain('\n');
    expect(res.body.split('\r\r').filter((e) => e !== '')).toContain('data: [DONE]');
    const native = await rawRequest(`${server.url}/api/chat`, 'POST', { model: MODEL, messages: ask('cr please') });
    expect(native.body).not.toContain('\r');
    expect(ndjson(native.body).at(-1)).toMatchObject({ done: true });
  });

  it('a non-streamed reply to a streaming request: one chat.completion document with the reasoning', async () => {
    const res = await openAi('flat please');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'whole', reasoning_content: 'hmm' }, finish_reason: 'stop' }] });
  });

  it('/v1/models lists max_model_len (vLLM) and /api/show the capabilities', async () => {
    const models = JSON.parse((await rawRequest(`${server.url}/v1/models`, 'GET')).body) as { data: Array<Record<string, unknown>> };
    expect(models.data[0]).toMatchObject({ id: MODEL, max_model_len: 8192 });
    const show = JSON.parse((await rawRequest(`${server.url}/api/show`, 'POST', { model: MODEL })).body) as { capabilities: string[] };
    expect(show.capabilities).toEqual(['completion', 'thinking', 'tools']);
  });
});

describe('OpenAI-compatible framings of other servers (wire options)', () => {
  it('toolCallDeltas sameIndex: each call whole in its own delta, all with index 0 and ids of their own (Ollama /v1 ≥ 0.20)', async () => {
    type Delta = { index: number; id: string; function: { name: string; arguments: string } };
    const deltas = sse((await openAi('same index please')).body).flatMap((e) => (e['choices'] as Array<{ delta: { tool_calls?: Delta[] } }>).flatMap((c) => c.delta.tool_calls ?? []));
    expect(deltas.map((d) => [d.index, d.function.arguments])).toEqual([
      [0, '{"code":"print(1)"}'],
      [0, '{"code":"print(22)"}'],
    ]);
    expect(new Set(deltas.map((d) => d.id)).size).toBe(2);
  });

  it('toolCallDeltas sharedId: all calls whole in one delta without index, every one with the same id (Xinference)', async () => {
    type Delta = { index?: number; id: string; function: { name: string; arguments: string } };
    const lists = sse((await openAi('shared id please')).body).flatMap((e) => (e['choices'] as Array<{ delta: { tool_calls?: Delta[] } }>).flatMap((c) => (c.delta.tool_calls ? [c.delta.tool_calls] : [])));
    expect(lists).toHaveLength(1);
    expect(lists[0]?.map((d) => [d.index, d.function.arguments])).toEqual([
      [undefined, '{"code":"print(1)"}'],
      [undefined, '{"code":"print(22)"}'],
    ]);
    expect(new Set(lists[0]?.map((d) => d.id)).size).toBe(1);
  });

  it('noBlankLines: every event ends with one line end, none blank; doneReason model_length is the finish_reason', async () => {
    const { body } = await openAi('no blank lines please');
    expect(body).not.toMatch(/\n\n/);
    const events = body
      .trim()
      .split('\n')
      .map((l) => l.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((d) => JSON.parse(d) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }> });
    expect(chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('')).toBe('ab');
    expect(chunks.flatMap((c) => c.choices.map((x) => x.finish_reason)).filter((r) => r !== null)).toEqual(['model_length']);
  });

  it('otherChoice: a second choice (index 1) streamed ahead of the first, chunk by chunk, finishing first; listed second when not streamed', async () => {
    type Choice = { index: number; delta: { content?: string }; finish_reason: string | null };
    const choices = sse((await openAi('two choices please')).body).flatMap((e) => (e['choices'] as Choice[] | null) ?? []);
    const text = (index: number): string =>
      choices
        .filter((c) => c.index === index)
        .map((c) => c.delta.content ?? '')
        .join('');
    expect([text(0), text(1)]).toEqual(['first', 'other']);
    expect(choices.filter((c) => c.finish_reason !== null).map((c) => c.index)).toEqual([1, 0]);
    expect(choices.findIndex((c) => c.index === 1)).toBeLessThan(choices.findIndex((c) => c.index === 0 && c.delta.content === 'fi'));
    const whole = JSON.parse((await openAi('two choices please', { stream: false })).body) as { choices: Array<{ index: number; message: { content: string } }> };
    expect(whole.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, 'first'],
      [1, 'other'],
    ]);
  });

  it('omitUsage and omitDone: no usage field anywhere and no data: [DONE], though include_usage was asked', async () => {
    const { body } = await openAi('bare please');
    expect(body).not.toContain('[DONE]');
    expect(body).not.toContain('"usage"');
    expect(sse(body).at(-1)?.['choices']).toMatchObject([{ finish_reason: 'stop' }]);
  });

  it('toolCallDeltas whole: each call in one delta; repeatName: every delta carries id and name', async () => {
    type Delta = { id?: string; function: { name?: string; arguments: string } };
    const calls = async (question: string): Promise<Delta[]> => sse((await openAi(question)).body).flatMap((e) => (e['choices'] as Array<{ delta: { tool_calls?: Delta[] } }>).flatMap((c) => c.delta.tool_calls ?? []));
    const whole = await calls('one delta please');
    expect(whole).toHaveLength(1);
    expect(whole[0]?.function).toEqual({ name: 'python', arguments: '{"code":"print(1)"}' });
    const repeated = await calls('named deltas please');
    expect(repeated.length).toBeGreaterThan(2);
    for (const delta of repeated) expect(delta).toMatchObject({ id: repeated[0]?.id, function: { name: 'python' } });
    expect(repeated.map((d) => d.function.arguments).join('')).toBe('{"code":"print(1)"}');
  });

  it('legacyFunctionCall: delta.function_call, name first then the arguments in pieces, finish_reason function_call', async () => {
    type Choice = { delta: { function_call?: { name?: string; arguments: string }; tool_calls?: unknown }; finish_reason: string | null };
    const choices = sse((await openAi('legacy function please')).body).flatMap((e) => e['choices'] as Choice[]);
    const calls = choices.flatMap((c) => (c.delta.function_call ? [c.delta.function_call] : []));
    expect(calls[0]).toEqual({ name: 'python', arguments: '' });
    expect(calls.map((c) => c.arguments).join('')).toBe('{"code":"print(1)"}');
    expect(choices.some((c) => c.delta.tool_calls !== undefined)).toBe(false);
    expect(choices.at(-1)?.finish_reason).toBe('function_call');
  });

  it('errorField: a mid-stream error as an `error:` line, then data: [DONE] (llama.cpp)', async () => {
    const { body } = await openAi('error field please');
    expect(body).toContain('\n\nerror: {"code":500,"message":"boom","type":"server_error"}\n\ndata: [DONE]\n\n');
    expect(body).not.toContain('"error"');
  });

  it('contentParts: content as Mistral-style thinking and text blocks, streamed and not', async () => {
    const deltas = sse((await openAi('blocks please')).body).flatMap((e) => (e['choices'] as Array<{ delta: { content?: unknown } }>).map((c) => c.delta.content));
    expect(deltas).toContainEqual([{ type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] }]);
    expect(deltas).toContainEqual([{ type: 'text', text: 'done' }]);
    const whole = JSON.parse((await openAi('blocks please', { stream: false })).body) as { choices: Array<{ message: Record<string, unknown> }> };
    expect(whole.choices[0]?.message['content']).toEqual([
      { type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] },
      { type: 'text', text: 'done' },
    ]);
    expect(whole.choices[0]?.message['reasoning_content']).toBeUndefined();
  });

  it('toolCallDeltas interleaved: the deltas of two calls alternate, each call whole by its index', async () => {
    type Delta = { index: number; function: { arguments: string } };
    const deltas = sse((await openAi('interleaved please')).body).flatMap((e) => (e['choices'] as Array<{ delta: { tool_calls?: Delta[] } }>).flatMap((c) => c.delta.tool_calls ?? []));
    expect(deltas.slice(0, 4).map((d) => d.index)).toEqual([0, 1, 0, 1]);
    const args = (index: number): string =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function.arguments)
        .join('');
    expect([args(0), args(1)]).toEqual(['{"code":"print(1)"}', '{"code":"print(22)"}']);
  });

  it('argumentsAsObject: arguments as a JSON object (TGI, llama.cpp --tool-args-object), streamed and not; bareObject: tool_calls not a list', async () => {
    const streamed = sse((await openAi('object arguments please')).body).flatMap((e) =>
      (e['choices'] as Array<{ delta: { tool_calls?: unknown } }>).flatMap((c) => (c.delta.tool_calls === undefined ? [] : [c.delta.tool_calls])),
    );
    expect(streamed).toEqual([{ index: 0, id: expect.any(String), type: 'function', function: { name: 'python', arguments: { code: 'print(1)' } } }]);
    const whole = JSON.parse((await openAi('object arguments please', { stream: false })).body) as { choices: Array<{ message: { tool_calls: unknown } }> };
    expect(whole.choices[0]?.message.tool_calls).toEqual([{ id: expect.any(String), type: 'function', function: { name: 'python', arguments: { code: 'print(1)' } } }]);
  });
});
