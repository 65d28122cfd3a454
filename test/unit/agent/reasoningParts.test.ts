// The small parts behind reasoning, tool calls and answers, each on its own.
import { describe, expect, it } from 'vitest';
import { ContextWatch } from '../../../src/agent/contextWatch';
import { answerInOutput, extractFinalAnswer, findFinalAnswer, splitInlineReasoning } from '../../../src/agent/finalAnswer';
import { protocolForModel } from '../../../src/agent/protocol';
import { readPythonCall, toolCallsInText } from '../../../src/agent/pythonTool';
import { InlineThinkSplitter, type SplitPiece } from '../../../src/agent/thinkTags';
import { TrajectoryBuilder } from '../../../src/agent/trajectory';
import { createPrinter } from '../../../src/cli/printer';
import { sftJsonl } from '../../../src/eval/export/sft';
import type { ResultRecord } from '../../../src/eval/results';
import { solutionCells } from '../../../src/notebook/solutionCells';
import { parseTrajectory } from '../../../src/notebook/trajectorySchema';
import { mulberry32 } from '../../support/seeded';

function split(chunks: readonly string[], opened = false): { reasoning: string; text: string } {
  const s = new InlineThinkSplitter(opened);
  const pieces: SplitPiece[] = [...chunks.flatMap((c) => s.push(c)), ...s.end()];
  return {
    reasoning: pieces
      .filter((p) => p.kind === 'reasoning')
      .map((p) => p.text)
      .join(''),
    text: pieces
      .filter((p) => p.kind === 'text')
      .map((p) => p.text)
      .join(''),
  };
}

describe('InlineThinkSplitter', () => {
  it('splits <think>…</think> whatever the chunk boundaries', () => {
    const whole = '  <think>a < b </thi nk> ok</think>\n\nAnswer <<<1>>>';
    for (let size = 1; size <= whole.length; size++) {
      const chunks = whole.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
      expect(split(chunks), `chunks of ${size}`).toEqual({ reasoning: 'a < b </thi nk> ok', text: 'Answer <<<1>>>' });
    }
  });

  it('leaves text alone when <think> is not at the start, and keeps an unclosed think as reasoning', () => {
    expect(split(['I use <think> tags.'])).toEqual({ reasoning: '', text: 'I use <think> tags.' });
    expect(split(['<th', 'ink>still going'])).toEqual({ reasoning: 'still going', text: '' });
    expect(split(['<t'])).toEqual({ reasoning: '', text: '<t' });
  });

  it("splits gpt-oss's harmony channels left in the content (llama.cpp --reasoning-format none): analysis is reasoning, the final channel's header is dropped", () => {
    const raw = '<|channel|>analysis<|message|>Need 6*7. Format <<<answer>>>.<|end|><|start|>assistant<|channel|>final<|message|>It is <<<42>>>';
    for (const size of [1, 2, 3, 5, 8, 13, raw.length]) {
      const chunks = Array.from({ length: Math.ceil(raw.length / size) }, (_, i) => raw.slice(i * size, (i + 1) * size));
      expect(split(chunks), `chunks of ${size}`).toEqual({ reasoning: 'Need 6*7. Format <<<answer>>>.', text: 'It is <<<42>>>' });
    }
    // llama.cpp --reasoning-format none leaves out the final channel's header.
    expect(split(['<|channel|>analysis<|message|>hm<|e', 'nd|>It is <<<42>>>'])).toEqual({ reasoning: 'hm', text: 'It is <<<42>>>' });
    // Analysis never closed stays reasoning; another channel after it is text, as it came.
    expect(split(['<|channel|>analysis<|message|>still thinking'])).toEqual({ reasoning: 'still thinking', text: '' });
    expect(split(['<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>commentary<|message|>b'])).toEqual({ reasoning: 'a', text: '<|start|>assistant<|channel|>commentary<|message|>b' });
    expect(split(['<|channel|>analysis<|message|>a<|end|><|start|>assi'])).toEqual({ reasoning: 'a', text: '<|start|>assi' });
    expect(split(['<|im_start|>text'])).toEqual({ reasoning: '', text: '<|im_start|>text' });
  });

  it("splits MiniMax-M3's <mm:think>…</mm:think> left in the content (vllm-project/vllm#45687)", () => {
    expect(split(['<mm:th', 'ink>Plan.</mm:', 'think>Answer <<<1>>>'])).toEqual({ reasoning: 'Plan.', text: 'Answer <<<1>>>' });
  });

  it('an opening tag with nothing after it, then reasoning in the server’s channel, was the server’s stray: the content after it is the reply', () => {
    const s = new InlineThinkSplitter();
    expect([...s.push('<think>'), ...s.push('\n')]).toEqual([{ kind: 'reasoning', text: '\n' }]);
    s.channelReasoning();
    expect([...s.push('\nAnswer <<<1>>>'), ...s.end()]).toEqual([{ kind: 'text', text: 'Answer <<<1>>>' }]);
    // Once reasoning came out of the content, the channel changes nothing.
    const t = new InlineThinkSplitter();
    expect(t.push('<think>hm')).toEqual([{ kind: 'reasoning', text: 'hm' }]);
    t.channelReasoning();
    expect(t.push(' more')).toEqual([{ kind: 'reasoning', text: ' more' }]);
  });

  it('opened (the chat template wrote <think>): the reply starts in the reasoning, with or without its own <think>', () => {
    expect(split(['Let me', ' see.\n</th', 'ink>\n\n<<<1>>>'], true)).toEqual({ reasoning: 'Let me see.\n', text: '<<<1>>>' });
    expect(split(['<think>', 'hm</think>ok'], true)).toEqual({ reasoning: 'hm', text: 'ok' });
    expect(split(['never closed'], true)).toEqual({ reasoning: 'never closed', text: '' });
  });

  describe('a closing tag Markdown quotes (inline code, a fenced block that closes) is reasoning text: live as in the final reading, whatever the chunks', () => {
    // [reply, the template opened <think>]; the final reading is splitInlineReasoning's (finalAnswer.ts).
    const replies: ReadonlyArray<readonly [string, boolean]> = [
      ['Models close thoughts with `</think>`. Here 6*7.\n</think>\n\nIt is <<<42>>>', true],
      ['A reasoning model writes:\n```\n<think>\nhmm\n</think>\n```\nso 42.</think>It is <<<42>>>', true],
      ['<think>Tags: `</think>` and in ~~~ fences:\n> ~~~text\n> </think>\n> ~~~\ndone</think>\n\nIt is <<<7>>>', false],
      ['```</think>\nx\n```\n</think>ok <<<1>>>', true],
      // Not quoted: a fence that never closes, a backtick that no other closes on its line.
      ['<think>plan\n```python\nx = 1\n</think>It is <<<7>>>', false],
      ['<think>a ` b </think>\nIt is `x` <<<7>>>', false],
      ['Say `</think>` or `a</think>` ok </think> It `is` <<<7>>>', true],
      // One reasoning per reply, ended by its first closing tag (vLLM's reasoning parsers partition at
      // the first end token; llama.cpp alike): a later </think> is the reply's text.
      ['<think>a</think>b <<<1>>> </think>c', false],
      ['<think>a</think>b <<<1>>> </think>c', true],
      ['x</think>y <<<2>>> </think>z', true],
      // An opening tag counts only at the start: one later is the reply's (or, opened, the reasoning's) text.
      ['Hello <think>x</think> world <<<3>>>', true],
      ['  \n<think>plan</think>Then <think>again</think> so <<<4>>>', false],
      // Double-backtick spans around a closing tag.
      ['<think>``a `</think>` b`` more</think>It is <<<5>>>', false],
      ['<think>``</think>`` more</think>It is <<<5>>>', false],
      ['``a `</think>` b`` more</think>It is <<<5>>>', true],
    ];
    const joined = (pieces: readonly SplitPiece[]): { reasoning: string; text: string } => ({
      reasoning: pieces.flatMap((p) => (p.kind === 'reasoning' ? [p.text] : [])).join(''),
      text: pieces.flatMap((p) => (p.kind === 'text' ? [p.text] : [])).join(''),
    });

    it.each(replies)('%j (opened: %s)', (reply, opened) => {
      const final = splitInlineReasoning(reply);
      const whole = split([reply], opened);
      expect(whole).toEqual({ reasoning: final.reasoning, text: final.reply.trimStart() });
      for (let at = 0; at <= reply.length; at++) expect(split([reply.slice(0, at), reply.slice(at)], opened), `split at ${at}`).toEqual(whole);
      const random = mulberry32(reply.length);
      for (let n = 0; n < 200; n++) {
        const chunks: string[] = [];
        for (let at = 0; at < reply.length;) {
          const size = 1 + Math.floor(random() * 6);
          chunks.push(reply.slice(at, at + size));
          at += size;
        }
        expect(split(chunks, opened), JSON.stringify(chunks)).toEqual(whole);
      }
    });

    it("other reasoning tags too (Mistral's [THINK]), and each piece goes out once the line shows what it is", () => {
      expect(split(['[THINK]See `[/', 'THINK]`.[/THINK]It is <<<7>>>'])).toEqual({ reasoning: 'See `[/THINK]`.', text: 'It is <<<7>>>' });
      const s = new InlineThinkSplitter(true);
      expect(joined(s.push('Use `</think>'))).toEqual({ reasoning: 'Use `', text: '' });
      expect(joined(s.push('` then\n'))).toEqual({ reasoning: '</think>` then\n', text: '' });
      expect(joined([...s.push('</think>It is <<<1>>>'), ...s.end()])).toEqual({ reasoning: '', text: 'It is <<<1>>>' });
    });
  });
});

describe('answers', () => {
  it('searches each stretch on its own: an unclosed fence of an earlier turn hides nothing', () => {
    expect(extractFinalAnswer(['```python\nprint(6*7)\n', 'It printed 42. <<<42>>>'])).toBe('42');
    // Within one stretch the open fence makes it code: a literal marker there is only a fallback
    // (the authors' harness reads the last marker of the reply), and a later stretch's prose wins.
    expect(findFinalAnswer('```python\nprint(6*7)\nIt printed 42. <<<42>>>')).toEqual({ answer: '42', format: 'marked' });
    expect(extractFinalAnswer(['```python\nprint("<<<7>>>")\n', 'It printed 7, so <<<42>>>'])).toBe('42');
  });

  it('ignores reasoning tags, the instruction placeholder, quoted lines and inline code', () => {
    expect(findFinalAnswer('<think>say <<<9>>></think>\\boxed{4}')).toEqual({ answer: '4', format: 'boxed' });
    expect(findFinalAnswer('Use <<<answer content>>>. So \\boxed{5}')).toEqual({ answer: '5', format: 'boxed' });
    expect(extractFinalAnswer('> <<<1>>>\nwrite `<<<2>>>`; result <<<3>>>')).toBe('3');
    // The template opened <think> itself (deepseek-r1 without a reasoning parser): only the close arrives.
    expect(findFinalAnswer('Format is <<<answer>>>, try <<<8>>>? no.\n</think>\n\nSo \\boxed{9}')).toEqual({ answer: '9', format: 'boxed' });
  });

  it('reads an answer printed by the code', () => {
    expect(answerInOutput('log\n<<< 17 >>>\n')).toBe('17');
    expect(answerInOutput('no marker')).toBeNull();
  });
});

describe('tools and protocol', () => {
  it('reads python calls and explains unusable ones', () => {
    expect(readPythonCall({ id: 'a', name: 'python', arguments: '{"code":"print(1)"}' })).toEqual({ code: 'print(1)' });
    expect(readPythonCall({ id: 'a', name: 'python', arguments: '"print(2)"' })).toEqual({ code: 'print(2)' });
    expect(readPythonCall({ id: 'a', name: 'python', arguments: '{"code":' })).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    // The one string property under another name is the script (other interpreters' schemas); with more, or none, which one is unknown.
    expect(readPythonCall({ id: 'a', name: 'python', arguments: '{"script":"print(5)"}' })).toEqual({ code: 'print(5)' });
    expect(readPythonCall({ id: 'a', name: 'python', arguments: '{"python_code":"```python\\nprint(6)\\n```"}' })).toEqual({ code: 'print(6)' });
    for (const args of ['{"script":"x","timeout":5}', '{"a":"x","b":"y"}', '{"script":5}', '{}', '["print(1)"]', '{"code":7,"script":"x"}'])
      expect(readPythonCall({ id: 'a', name: 'python', arguments: args }), args).toMatchObject({ error: expect.stringMatching(/no "code"/) });
    expect(readPythonCall({ id: 'a', name: 'bash', arguments: '{}' })).toMatchObject({ error: expect.stringMatching(/no tool named "bash"/) });
    // Markdown around the script is removed; a script that writes Markdown in its strings is left alone.
    expect(readPythonCall({ id: 'a', name: 'python', arguments: JSON.stringify({ code: '~~~\nprint(3)\n~~~' }) })).toEqual({ code: 'print(3)' });
    expect(readPythonCall({ id: 'a', name: 'python', arguments: JSON.stringify({ code: 'Run:\n```py\nprint(4)\n```\ndone' }) })).toEqual({ code: 'print(4)' });
    const writesMarkdown = 's = """\n```python\nx = 1\n```\n"""\nprint(s)';
    expect(readPythonCall({ id: 'a', name: 'python', arguments: JSON.stringify({ code: writesMarkdown }) })).toEqual({ code: writesMarkdown });
  });

  it('reads arguments a server streamed and then resent whole once (vLLM xlam parser, vllm-project/vllm#51697)', () => {
    const whole = JSON.stringify({ code: 'print("}{\\"")' });
    const read = (args: string): unknown => readPythonCall({ id: 'a', name: 'python', arguments: args });
    for (const prefix of [whole, '{', whole.slice(0, 9), ` ${whole.slice(0, 20)} `]) expect(read(`${prefix}${whole}`), prefix).toEqual({ code: 'print("}{\\"")' });
    // Two different objects, or a prefix that is not the object's, stay an error.
    expect(read('{"code": "print(1)"}{"code": "print(2)"}')).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(read('[{"code": "print(1)"}')).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(read('{"code": "print(1)"}]')).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(read(`${'\\'.repeat(50_000)}"}`)).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
  });

  it("reads Mistral's calls written as text: several, brackets inside their strings, and an incomplete one kept as it is", () => {
    const list = '[TOOL_CALLS] [{"name": "python", "arguments": {"code": "print([1, 2][0])"}}, {"name": "python", "arguments": {"code": "print(\\"}\\")"}}]';
    expect(toolCallsInText(list).map((c) => c.arguments)).toEqual(['{"code":"print([1, 2][0])"}', '{"code":"print(\\"}\\")"}']);
    const two = '[TOOL_CALLS]python[ARGS]{"code": "a = {1: [2]}"}[TOOL_CALLS]python[ARGS]{"code": "print(a)"} done';
    expect(toolCallsInText(two).map((c) => [c.name, c.arguments])).toEqual([
      ['python', '{"code":"a = {1: [2]}"}'],
      ['python', '{"code":"print(a)"}'],
    ]);
    expect(toolCallsInText('[TOOL_CALLS]python[ARGS]{"code": "print(1')).toEqual([{ id: expect.stringMatching(/^[a-zA-Z0-9]{9}$/), name: 'python', arguments: '{"code": "print(1' }]);
  });

  it("reads a reply that is nothing but calls in Llama's JSON form (markers, several, parameters or arguments), and no prose quoting one", () => {
    const code = 'print({"a": [1]}["a"])';
    const json = JSON.stringify({ name: 'python', parameters: { code } });
    for (const text of [
      json,
      `<|python_tag|>${json}`,
      `<|python_start|>${json}<|python_end|>`,
      `\n${json.replace('parameters', 'arguments')}\n<|eom_id|>`,
      JSON.stringify({ type: 'function', name: 'python', parameters: { code } }),
    ])
      expect(
        toolCallsInText(text).map((c) => [c.name, c.arguments]),
        text,
      ).toEqual([['python', JSON.stringify({ code })]]);
    expect(toolCallsInText(`${json}; ${json}`)).toHaveLength(2);
    for (const text of [`Here it is: ${json}`, `${json} and then`, '{"name": "Alice", "age": 3}', '{"name": "python", "parameters": "print(1)"}', '{"name": "python", "parameters": {'])
      expect(toolCallsInText(text), text).toEqual([]);
  });

  it('reads a reply that is nothing but a JSON list of calls after its marker (Granite, Nemotron, Phi-4-mini, xLAM) or in a <tool_call>, and the pythonic list between LFM2’s tokens', () => {
    const code = 'print([1, 2][0])';
    const one = { name: 'python', arguments: { code } };
    const list = JSON.stringify([one, { name: 'python', parameters: { code: 'print(2)' } }]);
    for (const text of [list, `<|tool_call|>${list}`, `<tool_call>${list}`, `<tool_call>\n${list}\n</tool_call>`, `<TOOLCALL>${list}</TOOLCALL>`, `functools${list}`])
      expect(
        toolCallsInText(text).map((c) => [c.name, c.arguments]),
        text,
      ).toEqual([
        ['python', JSON.stringify({ code })],
        ['python', JSON.stringify({ code: 'print(2)' })],
      ]);
    expect(toolCallsInText('<|tool_call_start|>[python(code="print(6 * 7)")]<|tool_call_end|>').map((c) => c.arguments)).toEqual([JSON.stringify({ code: 'print(6 * 7)' })]);
    for (const text of [`Here: ${list}`, `${list} then`, '[{"name": "Alice"}]', '[]', `<TOOLCALL>${list}`, '<|tool_call|>[{"name": "python", "arguments": {']) expect(toolCallsInText(text), text).toEqual([]);
    // Bare, a list is an answer unless every item names the python tool: function schemas or
    // people with "arguments" that a user asked for are not calls (behind a call tag they are).
    const schemas = JSON.stringify([{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]);
    for (const text of [schemas, '[{"name": "Alice", "arguments": "She argued for it."}]', JSON.stringify([one, { name: 'get_weather', arguments: {} }])]) expect(toolCallsInText(text), text).toEqual([]);
    expect(toolCallsInText(`<tool_call>${schemas}</tool_call>`).map((c) => c.name)).toEqual(['get_weather']);
  });

  it("reads a reply that is nothing but a Python list of calls (Llama 3.2 / Llama 4's pythonic form): every quoting and escape, several calls", () => {
    const args = (text: string): unknown[] => toolCallsInText(text).map((c) => JSON.parse(c.arguments) as unknown);
    expect(args('[python(code="print(6 * 7)")]')).toEqual([{ code: 'print(6 * 7)' }]);
    expect(args("[python(code='s = \"x\"\\nprint(s, \\'y\\')\\tz\\x41\\u00e9')]")).toEqual([{ code: 's = "x"\nprint(s, \'y\')\tzAé' }]);
    expect(args('<|python_start|>[python(code="""a = 1\nprint(a)""")]<|python_end|>')).toEqual([{ code: 'a = 1\nprint(a)' }]);
    expect(args("[python(code=r'\\d+', n=3, on=True, x=None, l=[1, 'a'], d={'k': (1, 2)},)]")).toEqual([{ code: '\\d+', n: 3, on: true, x: null, l: [1, 'a'], d: { k: [1, 2] } }]);
    expect(toolCallsInText('[python(code="print(1)"), python(code="print(2)")]').map((c) => c.name)).toEqual(['python', 'python']);
    for (const text of ['[1, 2, 3]', '[python("print(1)")]', '[python(code="print(1)")] and more', 'Call [python(code="x")]', '[python(code="unterminated)]']) expect(toolCallsInText(text), text).toEqual([]);
  });

  it('reads calls in the XML forms of newer templates (Qwen3-Coder and Qwen3.5+, GLM-4.5+), inside <tool_call> or, for Qwen, without it', () => {
    const code = 'for i in range(2):\n    print(f"<{i}>")';
    const qwen = `<function=python>\n<parameter=code>\n${code}\n</parameter>\n</function>`;
    const glm = `python\n<arg_key>code</arg_key>\n<arg_value>${code}</arg_value>\n`;
    for (const text of [`Let me run it.\n<tool_call>\n${qwen}\n</tool_call>`, `<tool_call>${glm}</tool_call>`, `Running:\n${qwen}`, `<tool_call>\n<function=python>\n<parameter=code>\n${code}\n</tool_call>`])
      expect(
        toolCallsInText(text).map((c) => [c.name, JSON.parse(c.arguments) as unknown]),
        text,
      ).toEqual([['python', { code }]]);
    // A JSON body that quotes the XML form is read as JSON.
    expect(toolCallsInText(`<tool_call>${JSON.stringify({ name: 'python', arguments: { code: 'print("<function=x>")' } })}</tool_call>`).map((c) => c.arguments)).toEqual(['{"code":"print(\\"<function=x>\\")"}']);
    expect(toolCallsInText('<tool_call>not a call</tool_call>').map((c) => c.arguments)).toEqual(['not a call']);
  });

  it('auto: r1ci by name, tools by capability, chat otherwise; a forced mode wins', () => {
    expect(protocolForModel('R1-Code-Interpreter-7B', 'auto', ['completion', 'tools'])).toBe('r1ci');
    expect(protocolForModel('qwen3:8b', 'auto', ['completion', 'tools', 'thinking'])).toBe('tools');
    expect(protocolForModel('deepseek-r1:8b', 'auto', ['completion', 'thinking'])).toBe('chat');
    expect(protocolForModel('qwen3:8b', 'chat', ['tools'])).toBe('chat');
  });
});

describe('ContextWatch (reported, OpenAI-compatible)', () => {
  it('flags a prompt_tokens below the lower bound of what is new, but not a cached prefix', () => {
    const watch = new ContextWatch(undefined, 'reported');
    const first = [{ role: 'user' as const, content: 'x'.repeat(1200) }];
    expect(watch.observe(watch.estimate(first), 210, 10).truncated).toBe(false);
    // A cached prefix: only the new 600 characters were counted (≥ 100 tokens) — not truncation.
    const second = [...first, { role: 'user' as const, content: 'y'.repeat(600) }];
    expect(watch.observe(watch.estimate(second), 110, 10).truncated).toBe(false);
    const third = [...second, { role: 'user' as const, content: 'z'.repeat(60_000) }];
    expect(watch.observe(watch.estimate(third), 4096, 10).truncated).toBe(true);
    expect(watch.message(10_000)).toMatch(/counted only 4,096 prompt tokens/);
  });
});

describe('reasoning in records', () => {
  const events = [
    { type: 'start', question: 'q', model: 'm', maxCodeCalls: 2 },
    { type: 'turn-start', turn: 0 },
    { type: 'reasoning', turn: 0, text: 'think <b>' },
    { type: 'reasoning', turn: 0, text: 'ing' },
    { type: 'token', turn: 0, text: 'Reply' },
    { type: 'code', index: 0, turn: 0, language: 'python', code: 'print(1)', offsetInTurn: 5, source: 'tool-call' },
    { type: 'done', reason: 'answer', answer: '1', answerSource: 'code-output', codeCalls: 1, turns: 1 },
  ] as const;

  it('the trajectory keeps reasoning, code source and answer source, and its schema accepts them', () => {
    const b = new TrajectoryBuilder();
    for (const e of events) b.add(e);
    expect(b.trajectory.turns[0]).toMatchObject({ reasoning: 'think <b>ing', text: 'Reply', cell: { source: 'tool-call' } });
    expect(b.trajectory.answerSource).toBe('code-output');
    const parsed = parseTrajectory(JSON.parse(JSON.stringify(b.trajectory)));
    expect(parsed.ok && parsed.trajectory.turns[0]?.reasoning).toBe('think <b>ing');
    const cells = solutionCells(b.trajectory);
    expect(cells[1]).toMatchObject({ kind: 'markdown', source: expect.stringMatching(/^<details><summary>Reasoning<\/summary>[\s\S]*think &lt;b>ing/) });
    expect(cells.map((c) => c.kind)).toEqual(['markdown', 'markdown', 'markdown', 'code', 'markdown']);
  });

  it('the CLI prints reasoning set apart under a thinking header, and says where the answer came from', () => {
    let out = '';
    const print = createPrinter({ write: (t) => (out += t) }, false);
    for (const e of events) print(e);
    expect(out).toContain('┌ thinking\n│ think <b>ing\n└\nReply');
    expect(out).toContain('── python tool call ──\nprint(1)');
    expect(out).toContain('Final answer: 1 (printed by the code)');
  });

  it('SFT exports carry reasoning_content and tool_calls in the common chat format', () => {
    const record = {
      id: 'x',
      task: 't',
      question: 'q',
      answer: '1',
      correct: true,
      reason: 'ok',
      turns: 2,
      codeCalls: 1,
      usedCode: true,
      durationMs: 1,
      model: 'm',
      temperature: 0,
      textOnly: false,
      trajectory: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '', reasoning: 'r', toolCalls: [{ id: 'c1', name: 'python', arguments: '{"code":"print(1)"}' }] },
        { role: 'tool', content: '1', toolCallId: 'c1', toolName: 'python' },
        { role: 'assistant', content: '<<<1>>>' },
      ],
    } satisfies ResultRecord;
    const line = JSON.parse(sftJsonl([record], { format: 'chat' }).text.trim()) as { messages: Array<Record<string, unknown>> };
    expect(line.messages[1]).toEqual({ role: 'assistant', content: '', reasoning_content: 'r', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'python', arguments: '{"code":"print(1)"}' } }] });
    expect(line.messages[2]).toEqual({ role: 'tool', content: '1', tool_call_id: 'c1' });
  });
});
