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
