import { describe, expect, it } from 'vitest';
import { extractFinalAnswer } from '../../../src/agent/finalAnswer';

describe('extractFinalAnswer', () => {
  it('takes the last <<<...>>>', () => {
    expect(extractFinalAnswer('first <<<1>>> then <<< 2 >>>')).toBe('2');
  });
  it("reads a marker in an inline code span, as the authors' <<<(.*?)>>> does, where it stands", () => {
    expect(extractFinalAnswer('So the answer is `<<<42>>>`')).toBe('42');
    expect(extractFinalAnswer('**Final answer:** `<<< [1, 2] >>>`.')).toBe('[1, 2]');
    // A code span inside the marker is part of the answer, backticks and all (their extraction keeps them).
    expect(extractFinalAnswer('So <<<`42`>>>')).toBe('`42`');
    // Prose, spans and answer-only fences are read by position, the last one answering, as the
    // authors' re.findall(...)[-1] reads the reply (s40: a span after a prose answer used to lose).
    expect(extractFinalAnswer('At first I guessed <<<1>>>, but checking shows more.\n\n**Final answer:** `<<<2>>>`')).toBe('2');
    expect(extractFinalAnswer('So <<<3>>>; then `<<<x>>>`')).toBe('x');
    expect(extractFinalAnswer('Not `<<<1>>>` but <<<2>>>, and `<<<3>>>` is wrong too: <<<4>>>')).toBe('4');
    expect(extractFinalAnswer('Not `<<<1>>>` but <<<2>>>, and <<<3>>> is wrong: `<<<4>>>`')).toBe('4');
    expect(extractFinalAnswer('Guess <<<1>>>\n```\n<<<2>>>\n```')).toBe('2');
    expect(extractFinalAnswer('```\n<<<1>>>\n```\nSo <<<2>>>')).toBe('2');
    expect(extractFinalAnswer('```\n<<<1>>>\n```\nthen `<<<2>>>`')).toBe('2');
    expect(extractFinalAnswer('then `<<<2>>>`\n```\n<<<1>>>\n```')).toBe('1');
    // Spans naming the markers pair with nothing; a template in a span is no answer.
    expect(extractFinalAnswer('use `<<<` and `>>>` around it')).toBeNull();
    expect(extractFinalAnswer('print `f"<<<{x}>>>"` then')).toBeNull();
    expect(extractFinalAnswer('write `<<<answer>>>`')).toBeNull();
  });
  it("reads a literal answer in a fenced block that does not run where it stands, as the authors' last <<<(.*?)>>> does", () => {
    // s40-conf: a block that runs nothing (bare, text, markdown, output) is written for the reader;
    // its answer used to count only when no prose answer existed, so an earlier guess won.
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```\nFinal answer: <<<2>>>\n```')).toBe('2');
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```text\nAnswer: <<<2>>>\n```\nThe end.')).toBe('2');
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```markdown\n**Final Answer:** <<<2>>>\n```')).toBe('2');
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```output\nResult: <<<2>>>\n```')).toBe('2');
    expect(extractFinalAnswer('```text\nAnswer: <<<2>>>\n```\nSo <<<3>>>')).toBe('3');
    // Answer-only blocks: several answers (the last counts), or an answer with a period after it.
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```\n<<<1>>>\n<<<2>>>\n```')).toBe('2');
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```\n<<<2>>>.\n```')).toBe('2');
    expect(extractFinalAnswer('Guess <<<1>>>\n\n```python\n<<<2>>>\n<<<answer>>>\n```')).toBe('2');
    // Python code stays a fallback, a template in a text block no answer, a quoted block no answer.
    expect(extractFinalAnswer('So <<<1>>>\n```python\n# the answer\nprint("<<<2>>>")\n```')).toBe('1');
    expect(extractFinalAnswer('So <<<1>>>\n```text\nprint(f"<<<{x}>>>")\n```')).toBe('1');
    expect(extractFinalAnswer('So <<<1>>>\n> ```\n> Answer: <<<2>>>\n> ```')).toBe('1');
  });
  it('takes braces of data for an answer, not for a template (a JSON plan, a set, a dict), in a code span and in code', () => {
    const plan = '[{"Agent[0.5, 0.5]": "move(box_red, target_red)"}]';
    expect(extractFinalAnswer(`First <<<[]>>>.\n\n**Final answer:** \`<<<${plan}>>>\``)).toBe(plan);
    expect(extractFinalAnswer(`Guess <<<[]>>>, then \`<<<{1, 2}>>>\``)).toBe('{1, 2}');
    expect(extractFinalAnswer(`Guess <<<0>>>, then \`<<<\\frac{1}{2}>>>\``)).toBe('\\frac{1}{2}');
    expect(extractFinalAnswer(`\`\`\`python\nprint('<<<${plan}>>>')\n\`\`\``)).toBe(plan);
    expect(extractFinalAnswer('```python\nprint("<<<{\'a\': 1}>>>")\n```')).toBe("{'a': 1}");
    // A quoted answer in a string is no concatenation: "<<<"abc">>>" answers "abc" as theirs.
    expect(extractFinalAnswer('Guess <<<0>>>; `{"answer": "<<<"abc">>>"}`')).toBe('"abc"');
    expect(extractFinalAnswer('Guess <<<0>>>; `"<<<["B", "C"]>>>"`')).toBe('["B", "C"]');
  });
  it('never takes a template for an answer: f-strings, formatted strings, concatenation, a template kept for later, fields alone', () => {
    for (const code of [
      'print(f"<<<{x}>>>")',
      'print(f\'Final answer: <<<{", ".join(map(str, xs))}>>>\')',
      'print(F"<<<{len(r)}>>>")',
      'print("<<<{}>>>".format(x))',
      'print("Answer: <<<{0}>>>" .format(x))',
      'print("<<<%s>>>" % x)',
      'print("<<<" + str(x) + ">>>")',
      "print('<<<', x, '>>>', sep='')",
      'print("<<<" f"{x}" ">>>")',
      'TEMPLATE = "Answer: <<<{}>>>"',
      'print(f"""\n<<<{x + 1}>>>\n""")',
      '# prints <<<{answer}>>>',
    ]) {
      expect(extractFinalAnswer(`\`\`\`python\n${code}\n\`\`\``), code).toBeNull();
      expect(extractFinalAnswer(`So <<<7>>>, printed by \`${code.split('\n').join(' ')}\`.`), code).toBe('7');
    }
    expect(extractFinalAnswer('So <<<7>>>\n\nFormat: `<<<{answer}>>>`')).toBe('7');
    // An f-string without a field is a literal: the authors read 42.
    expect(extractFinalAnswer('```python\nprint(f"<<<42>>>")\n```')).toBe('42');
  });
  it('pairs backticks as CommonMark does: a double-backtick span holds single backticks, and a run no run of its length closes is text', () => {
    // s40-conf: the span regex paired single backticks, so `b>>>` of ``<<<a`b>>>`` was taken out as
    // a span and the guess's <<< paired with the answer's >>>.
    expect(extractFinalAnswer('A typo: ``<<<`(A)>>>``.\n\nThe answer is <<<(D)>>>.')).toBe('(D)');
    expect(extractFinalAnswer('Final: ``<<<a`b>>>``')).toBe('a`b');
    expect(extractFinalAnswer('So <<<1>>>, not ``print(f"<<<{x}>>>")``')).toBe('1');
    expect(extractFinalAnswer('So <<<1>>>, then ``` `<<<2>>>` ``` inline')).toBe('2');
    // A run that nothing closes is text: the marker after it is prose.
    expect(extractFinalAnswer('Press `` then <<<3>>> and `x`')).toBe('3');
    expect(extractFinalAnswer('So <<<`42`>>>')).toBe('`42`');
  });
  it('reads an answer that spans lines', () => {
    expect(extractFinalAnswer('<<<[[1, 2],\n [3, 4]]>>>')).toBe('[[1, 2],\n [3, 4]]');
  });
  it("does not take \\boxed{} as an answer (the authors' validators reject it)", () => {
    expect(extractFinalAnswer('so \\boxed{\\frac{1}{2}}.')).toBeNull();
  });
  it('reads a marker inside code only when there is none elsewhere', () => {
    expect(extractFinalAnswer('```python\nprint("<<<3>>>")\n```\n')).toBe('3');
    expect(extractFinalAnswer('```python\nprint("<<<3>>>")\n```\nSo <<<4>>>')).toBe('4');
  });
  it('returns null when there is no answer, and an empty string for an empty one', () => {
    expect(extractFinalAnswer('no answer here')).toBeNull();
    expect(extractFinalAnswer('<<<>>>')).toBe('');
  });
  it("strips the answer as Python's str.strip() does (the benchmarks' extraction): a byte order mark is kept, U+001C-U+001F and U+0085 go", () => {
    expect(extractFinalAnswer('<<<\ufeff3>>>')).toBe('\ufeff3');
    expect(extractFinalAnswer('<<<\u200b3 >>>')).toBe('\u200b3');
    expect(extractFinalAnswer('<<<\x1c3\x1f\x85>>>')).toBe('3');
    expect(extractFinalAnswer('<<<\u00a0\u30003\u2028>>>')).toBe('3');
  });
  it('keeps answer lines that start with ">" inside an open <<<...>>>: only a quoted line outside an answer is dropped', () => {
    // BBH dyck_languages targets start with ">": written on their own lines, they are the answer, not a quote.
    expect(extractFinalAnswer('<<<\n> } >\n>>>')).toBe('> } >');
    expect(extractFinalAnswer('The closing sequence:\n<<<\n> ]\n> }\n>>>')).toBe('> ]\n> }');
    expect(extractFinalAnswer('> the prompt says <<<1>>>\n<<<2>>>')).toBe('2');
    expect(extractFinalAnswer('> the prompt says <<<1>>>')).toBeNull();
  });
  it('drops as quoted only the lines CommonMark reads as a blockquote: up to 3 spaces before ">", never a tab or a Unicode space', () => {
    expect(extractFinalAnswer('   > quoted <<<1>>>')).toBeNull();
    expect(extractFinalAnswer('\u00a0> so <<<1>>>')).toBe('1');
    expect(extractFinalAnswer('\u3000> so <<<1>>>')).toBe('1');
    expect(extractFinalAnswer('text\n\t> so <<<1>>>')).toBe('1');
    expect(extractFinalAnswer('    > so <<<1>>>')).toBe('1');
  });
  it('reads a fenced answer as prose is read (each <<< closed by the first >>> after it, the last one counting)', () => {
    expect(extractFinalAnswer('```\n<<<(A)>>>\n<<<(B)>>>\n```')).toBe('(B)');
    expect(extractFinalAnswer('```\n<<<(A)>>> <<<(B)>>>\n```')).toBe('(B)');
    expect(extractFinalAnswer('<<<> } >>>>')).toBe('> }');
    expect(extractFinalAnswer('```\n<<<> } >>>>\n```')).toBe('> }');
    expect(extractFinalAnswer("```\n<<<{'a': 1}>>>\n```")).toBe("{'a': 1}");
  });
});
