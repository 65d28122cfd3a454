// Reasoning-Gym loading and the places where we knowingly score differently from RG.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { scoreAnswer } from '../../../src/eval/score';
import { scoreReasoningGym, reasoningGymSupport } from '../../../src/eval/reasoningGym';

const item = (dataset: string, answer: string | null, metadata: Record<string, unknown>, question = 'Q?'): string =>
  JSON.stringify({ question, answer, metadata: { source_dataset: dataset, source_index: 0, ...metadata } });

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'r1ci-rg-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

describe('Reasoning-Gym loader', () => {
  it('loads items with ids <file>#<line>, the dataset as task, and the answer instruction', async () => {
    const dir = await folderWith({
      'puzzle24.jsonl': [item('puzzle24', '10*(8 - 5) - 6', { numbers: [8, 5, 10, 6] }), '', item('puzzle24', '5*6*1 - 6', { numbers: [5, 6, 1, 6] })].join('\n'),
    });
    const { records, problems } = await loadTasks(dir);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(['puzzle24.jsonl#0', 'puzzle24.jsonl#2']);
    expect(records[0]?.task).toBe('puzzle24');
    expect(records[0]?.question).toMatch(/<<<answer>>>/);
    const first = records[0];
    if (!first) throw new Error('no record');
    expect(scoreAnswer(first, '10*(8 - 5) - 6')).toMatchObject({ correct: true, score: 1 });
    expect(scoreAnswer(first, '"10*(8 - 5) - 6"')).toMatchObject({ correct: false, score: 0.01 });
  });

  it('names an unsupported dataset with its reason and loads none of its items', async () => {
    const mix = (n: number): string => item('composite', 'x', { version_id: n, entry_id: `0_${n}` });
    const dir = await folderWith({ 'composite.jsonl': [mix(0), mix(1)].join('\n') });
    const { records, problems, unsupported } = await loadTasks(dir);
    expect(records).toEqual([]);
    expect(problems).toEqual([]);
    expect(unsupported?.map((u) => [u.id, u.task])).toEqual([
      ['composite.jsonl#0', 'composite'],
      ['composite.jsonl#1', 'composite'],
    ]);
    expect(unsupported?.[0]?.reason).toMatch(/Reasoning-Gym dataset "composite": .*mix of other datasets/);
  });

  it('names a dataset it has never heard of as unsupported rather than guessing a scorer', async () => {
    const { records, unsupported } = await loadTasks(await folderWith({ 'x.jsonl': item('brand_new_dataset', 'a', {}) }));
    expect(records).toEqual([]);
    expect(unsupported?.[0]).toMatchObject({ id: 'x.jsonl#0', task: 'brand_new_dataset' });
    expect(unsupported?.[0]?.reason).toMatch(/no scorer/);
  });

  it('leaves our own JSONL task files alone', async () => {
    const dir = await folderWith({ 'mine.jsonl': JSON.stringify({ id: 'a', question: 'Capital of France?', answer: 'Paris', metadata: { note: 1 } }) });
    const { records, problems } = await loadTasks(dir);
    expect(problems).toEqual([]);
    expect(records[0]?.scorer.kind).toBe('exact');
  });

  it('reports a malformed item by line and keeps the others', async () => {
    const dir = await folderWith({ 'gcd.jsonl': [item('gcd', '6', {}), '{"question": "Q", "answer": 3, "metadata": {"source_dataset": "gcd"}}'].join('\n') });
    const { records, problems } = await loadTasks(dir);
    expect(records).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2 });
  });
});

describe('where we score differently from Reasoning-Gym (documented in docs/task-files.md)', () => {
  const p24 = (numbers: number[], answer: string): number => scoreReasoningGym('puzzle24', answer, { answer: null, metadata: { numbers } }).score;

  it('puzzle24: the given numbers must be the ones used', () => {
    expect(p24([8, 5, 10, 6], '(1+2+3)*4')).toBe(0.01);
    expect(p24([8, 5, 10, 6], '(8*(5*6))/10')).toBe(1);
  });

  it('puzzle24: the value must be exactly 24, not truncated to it', () => {
    expect(p24([7, 7, 1, 2], '7*7*1/2')).toBe(0.01);
  });

  it('puzzle24: only the allowed operators', () => {
    expect(p24([2, 3, 3, 1], '2**3*3*1')).toBe(0.01);
    expect(p24([2, 3, 3, 1], '2*3*(3+1)')).toBe(1);
  });

  it('propositional_logic: more names than its truth table can hold (over 30) score 0 instead of stalling; 20 are scored as RG scores them', () => {
    const disjunction = (count: number): string => Array.from({ length: count }, (_, i) => `v${i}`).join(' ∨ ');
    const score = (answer: string): number => scoreReasoningGym('propositional_logic', answer, { answer: null, metadata: { variables: ['P'], premises: ['P'] } }).score;
    expect(score(disjunction(31))).toBe(0);
    // Well formed but not implied by the premises: RG's 0.05, in a 2^20-row table.
    expect(score(disjunction(20))).toBe(0.05);
  });
});

describe('sympy input rules kept by the arithmetic parsers', () => {
  const countdown = (answer: string): number => scoreReasoningGym('countdown', answer, { answer: null, metadata: { numbers: [82, 20, 67, 50], target: 119 } }).score;

  it('a line break outside brackets is a syntax error, inside brackets it is not', () => {
    expect(countdown('82 + 20 + 67 - 50')).toBe(1);
    expect(countdown('82\n+ 20 + 67 - 50')).toBe(0.01);
    expect(countdown('(82\n+ 20 + 67 - 50)')).toBe(1);
    expect(countdown('\n82 + 20 + 67 - 50\n')).toBe(1);
  });

  it('a byte order mark is not whitespace (Python strip() keeps it; JavaScript trim() and \\s do not)', () => {
    expect(countdown('\u00a082 + 20 + 67 - 50\u3000')).toBe(1);
    expect(countdown('\ufeff82 + 20 + 67 - 50')).toBe(0.01);
    expect(scoreReasoningGym('gcd', '\ufeff1', { answer: '1', metadata: {} }).score).toBe(0.5); // RG: the gold inside a longer answer
    const integ = (answer: string): number => scoreReasoningGym('intermediate_integration', answer, { answer: null, metadata: { integrand: 'x*cos(x)', variable: 'x' } }).score;
    expect(integ('\u00a0x*sin(x) + cos(x) + C\u00a0')).toBe(1);
    expect(integ('\ufeffx*sin(x) + cos(x) + C')).toBe(0);
    expect(integ('x*sin(x) +\u00a0cos(x) + C')).toBe(0);
  });

  it('an integer with a leading zero is a syntax error', () => {
    expect(countdown('82 + 020 + 67 - 50')).toBe(0.01);
  });
});

describe('scorer robustness', () => {
  it('refuses answers that would explode instead of stalling', () => {
    expect(scoreReasoningGym('polynomial_multiplication', '(a+b+c+d+e+f)**200', { answer: 'x**2', metadata: {} }).score).toBe(0);
    expect(scoreReasoningGym('simple_integration', '(a+b+c+d+e+f)**200', { answer: null, metadata: { integrand: 'x', variable: 'x' } }).score).toBe(0);
    expect(scoreReasoningGym('countdown', '9**9**9', { answer: null, metadata: { numbers: [9, 9, 9], target: 1 } }).score).toBe(0.01);
  });

  it('turns missing metadata into score 0 with the reason, never a throw', () => {
    const out = scoreReasoningGym('sudoku', '1 2\n2 1', { answer: '1 2\n2 1', metadata: {} });
    expect(out).toEqual({ score: 0, error: 'metadata.solution is missing' });
  });

  it('knows every dataset of the shared sample except the documented ones', () => {
    expect(reasoningGymSupport('rush_hour').supported).toBe(true);
    expect(reasoningGymSupport('rubiks_cube').supported).toBe(true);
    expect(reasoningGymSupport('composite').supported).toBe(false);
  });
});

describe('polynomial datasets (sympy decisions reproduced with exact polynomials)', () => {
  const mult = (gold: string, answer: string): number => scoreReasoningGym('polynomial_multiplication', answer, { answer: gold, metadata: {} }).score;
  const integ = (integrand: string, answer: string, variable = 'x'): number => scoreReasoningGym('simple_integration', answer, { answer: null, metadata: { integrand, variable } }).score;

  it('polynomial_multiplication follows structural equality: expanded in any order, not factored', () => {
    expect(mult('x**2 - 1', '-1 + x**2')).toBe(1);
    expect(mult('2*x**2 + 2*x', '2*(x**2 + x)')).toBe(1); // sympy distributes a number over a sum
    expect(mult('x**2 + x', 'x*(x + 1)')).toBe(0);
    expect(mult('x**2 - 1', '(x + 1)*(x - 1)')).toBe(0);
    expect(mult('4*x**2', '(2*x)**2')).toBe(1);
    expect(mult('x**2 + 2*x + 1', '(x + 1)**2')).toBe(0);
    expect(mult('x**2', 'X**2')).toBe(0);
  });

  it('simple_integration accepts any antiderivative, with or without a constant', () => {
    expect(integ('3*x**2 + 1', 'x**3 + x + C')).toBe(1);
    expect(integ('3*x**2 + 1', 'x + x**3 + 7')).toBe(1);
    expect(integ('3*x**2 + 1', '"x**3 + x + C"')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + C')).toBe(0);
    expect(integ('3*x**2 + 1', '3*x**2 + 1')).toBe(0);
    expect(integ('3*x**2 + 1', 'x^3 + x')).toBe(0);
  });

  it("reads names as sympy's parse_expr: sympy's constants are constants, its functions and objects no symbols", () => {
    expect(integ('3*x**2 + 1', 'x**3 + x + K')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + const')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + E')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + pi')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + I')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + oo')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + CC')).toBe(0); // sympy's ComplexField
    expect(integ('3*x**2 + 1', 'x**3 + x + gamma')).toBe(0); // a function
    expect(integ('3*x**2 + 1', 'x**3 + x + 2*beta')).toBe(0);
    expect(integ('3*x**2 + 1', 'x**3 + x + S')).toBe(0);
    const inter = (answer: string): number => scoreReasoningGym('intermediate_integration', answer, { answer: null, metadata: { integrand: 'cos(x)', variable: 'x' } }).score;
    expect(inter('sin(x) + C')).toBe(1);
    expect(inter('sin(x) + zoo')).toBe(1);
    expect(inter('sin(x) + EulerGamma')).toBe(1);
    expect(inter('sin(x) + CC')).toBe(0);
    expect(inter('sin(x) + zeta')).toBe(0);
    expect(inter('sin(x) + QQ')).toBe(0);
  });

  it('reads factorials as sympy: of a constant name a constant, of the variable never an antiderivative', () => {
    expect(integ('3*x**2 + 1', 'x**3 + x + C!')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + (C)!!')).toBe(1);
    expect(integ('3*x**2 + 1', 'x**3 + x + x!')).toBe(0);
    expect(integ('3*x**2 + 1', 'x**3 + x + D !')).toBe(0);
    expect(mult('x**2', 'x**2 + x!')).toBe(0);
  });
});

describe('codeio JSON similarity (RG: zss tree edit distance with its label costs)', () => {
  const codeio = (gold: string, answer: string): number => scoreReasoningGym('codeio', answer, { answer: gold, metadata: {} }).score;

  it('scores a changed value by its relative difference', () => {
    // distance 1 ("a:1" → "a:2"), json.dumps length 8: 1 − 1 / (0.2 · 8)
    expect(codeio('{"a": 1}', '{"a": 2}')).toBeCloseTo(0.375, 12);
  });

  it('scores an extra key by its label length', () => {
    // insert "b:2" costs 3; json.dumps length 16: 1 − 3 / 3.2
    expect(codeio('{"a": 1}', '{"a": 1, "b": 2}')).toBeCloseTo(0.0625, 12);
  });

  it('gives the length-penalised maximum for the right JSON inside text, and at least 0.01 for other JSON', () => {
    expect(codeio('{"a": 1}', 'Result: {"a": 1.0}')).toBeCloseTo(8 / (8 + 0.5 * 8), 12);
    expect(codeio('{"a": 1}', '{"zzzzzzzz": "completely different"}')).toBe(0.01);
  });
});

describe('intermediate_integration (derivative checked numerically in complex arithmetic)', () => {
  const integ = (integrand: string, answer: string): number => scoreReasoningGym('intermediate_integration', answer, { answer: null, metadata: { integrand, variable: 'x' } }).score;

  it('accepts any antiderivative, including a different constant or form', () => {
    expect(integ('x*cos(x)', 'x*sin(x) + cos(x) + C')).toBe(1);
    expect(integ('x*cos(x)', 'cos(x) + x*sin(x) - 7')).toBe(1);
    expect(integ('4*sqrt(-2*x - 8)', '-4*(-2*x - 8)**(3/2)/3 + C')).toBe(1);
    expect(integ('3*x**3*cos(3*x)', '3*Integral(x**3*cos(3*x), x) + C')).toBe(1);
    expect(integ('2*exp(x)*cos(x)', "'exp(x)*sin(x) + exp(x)*cos(x) + C'")).toBe(1);
  });

  it('rejects a wrong antiderivative, unknown functions and other syntax', () => {
    expect(integ('x*cos(x)', 'x*sin(x) - cos(x) + C')).toBe(0);
    expect(integ('x*cos(x)', 'X*SIN(X) + COS(X) + c')).toBe(0);
    expect(integ('x*cos(x)', 'x*sin(x) + cos(x) + C.')).toBe(0);
    expect(integ('3*x**3*cos(3*x)', '3*Integral(x**3*cos(3*x), y) + C')).toBe(0);
  });

  it('rejects a Float power of the variable, which sympy never simplifies against a rational one', () => {
    const f = (integrand: string, answer: string): number => scoreReasoningGym('intermediate_integration', answer, { answer: null, metadata: { integrand, variable: 'x' } }).score;
    expect(f('2*x', 'x**2.0 + C')).toBe(0);
    expect(f('sqrt(x)', '2*x**1.5/3')).toBe(0);
    expect(f('sqrt(x)', '2*x**(3/2)/3')).toBe(1);
    expect(f('2*x', '1.0*x**2 + C')).toBe(1);
    expect(f('4*x', '2**2.0*x**2/2')).toBe(1);
    expect(f('x*cos(x)', 'x*sin(x) + cos(x) + C**2.0')).toBe(1);
  });

  it('reads factorials as sympy: of a number or constant name, not of the variable', () => {
    expect(integ('x*cos(x)', 'x*sin(x) + cos(x) + C!')).toBe(1);
    expect(integ('2*x*cos(x)', '2!*x*sin(x) + (2)!!*cos(x) + C')).toBe(1);
    expect(integ('x*cos(x)', 'x*sin(x) + cos(x) + x!')).toBe(0);
    expect(integ('x*cos(x)', 'x*sin(x) + cos(x) + D !')).toBe(0);
  });
});

describe('complex_arithmetic (RG: spaces removed, then Python complex())', () => {
  const cx = (answer: string): number => scoreReasoningGym('complex_arithmetic', answer, { answer: '-9.0 - 8.0i', metadata: { result: [-9, -8] } }).score;

  it('reads the number as Python complex() does: whitespace other than spaces before it, underscores', () => {
    expect(cx('-9.0 - 8.0i')).toBe(1);
    expect(cx('\n-9.0 - 8.0i')).toBe(1); // complex() strips the newline RG's replace(" ", "") left
    expect(cx('\r\n-9.0 - 8.0i')).toBe(1);
    expect(cx('\t-9-8i')).toBe(1);
    expect(cx('\u2003-9-8i')).toBe(1);
    expect(cx('-9_0 - 8_0i')).toBe(Math.exp(-Math.hypot(81, 72)));
    expect(cx('-9.0 - 8.0i\n')).toBe(0); // does not end with j: RG's format check refuses it
    expect(cx('\n(-9.0 - 8.0i)')).toBe(0); // same: the bracket is not removed after a newline
    expect(cx('\ufeff-9-8i')).toBe(0); // not whitespace for Python
    expect(cx('((-9-8i)')).toBe(0);
  });

  it("scores nan 0, where RG's min(1.0, nan) gives it full credit (documented divergence)", () => {
    expect(cx('nan')).toBe(0);
    expect(cx('nanj')).toBe(0);
  });
});

describe('Unicode digits, as Python reads them (int(), float(), Decimal(), re \\d) and numpy does not', () => {
  const rg = (dataset: string, answer: string, gold: string, metadata: Record<string, unknown> = {}): number => scoreReasoningGym(dataset, answer, { answer: gold, metadata }).score;

  it('int()/float() read fullwidth and Arabic-Indic digits', () => {
    expect(rg('chain_sum', '-\u0664', '-4')).toBe(1);
    expect(rg('chain_sum', '\uff0d4', '-4')).toBe(0); // a fullwidth minus is no sign
    expect(rg('decimal_arithmetic', '\uff16.32', '6.32', { decimal_places: 2 })).toBe(1);
    expect(rg('complex_arithmetic', '-\u0661\u0665 + \u0663i', '-15.0 + 3.0i', { result: [-15, 3] })).toBe(1);
  });

  it("gsm_symbolic's \\b-?\\d+ finds a number in any script, bounded by Python's \\w", () => {
    expect(rg('gsm_symbolic', ' \u0662\u0668\u0668 ', '288')).toBe(1);
    expect(rg('gsm_symbolic', 'x288', '288')).toBe(0); // no word boundary before the digits
    expect(rg('gsm_symbolic', '\u00e9288', '288')).toBe(0); // é is a word character for Python too
  });

  it("answers matched with RG's regex \\d read Unicode digits too (fraction_simplification, tsumego, tower_of_hanoi, rush_hour)", () => {
    const frac = { numerator: 3388, denominator: 4354, simplified_numerator: 242, simplified_denominator: 311 };
    expect(rg('fraction_simplification', '$\\dfrac{\uff12\uff14\uff12}{311}$', '$\\dfrac{242}{311}$', frac)).toBe(1);
    expect(rg('tsumego', 'D\uff13', 'C4')).toBe(0.05); // a letter-number move, only wrong
    const hanoi = ['Move disk 1 from Peg 1 to Peg 2', 'Move disk 2 from Peg 1 to Peg 3', 'Move disk 1 from Peg 2 to Peg 3'];
    const hanoiMeta = { num_disks: 2, num_pegs: 3, start_peg: 1, target_peg: 3, solution_length: 3 };
    expect(rg('tower_of_hanoi', hanoi.join('\n'), hanoi.join('\n'), hanoiMeta)).toBe(1);
    expect(rg('tower_of_hanoi', hanoi.join('\n').replace(/1/g, '\u0661'), hanoi.join('\n'), hanoiMeta)).toBe(1);
    const rush = { board_config: 'oBBBoJooxDDJAAoHIooooHIoEEFFIooooGGo' };
    expect(rg('rush_hour', 'B-1 F-1 H+1 I+3 C+1 G-2 A+4', '', rush)).toBe(1);
    expect(rg('rush_hour', 'B-\uff11 F-\uff11 H+\uff11 I+3 C+\uff11 G-2 A+4', '', rush)).toBe(1);
  });

  it('rush_hour: a move of a huge number of steps ends where the car is blocked (RG loops step by step; a blocked step changes nothing), and over 4300 digits scores 0 as int() raises', () => {
    const rush = { board_config: 'oBBBoJooxDDJAAoHIooooHIoEEFFIooooGGo' };
    const solution = 'B-1 F-1 H+1 I+3 C+1 G-2 A+4';
    expect(rg('rush_hour', solution.replace('A+4', `A+${'9'.repeat(30)}`), '', rush)).toBe(1);
    expect(rg('rush_hour', solution.replace('I+3', `I+${'9'.repeat(400)}`), '', rush)).toBe(1); // Number() of it is Infinity
    expect(rg('rush_hour', `B-${'9'.repeat(4300)}`, '', rush)).toBe(0.01);
    expect(rg('rush_hour', `${solution} B-${'9'.repeat(4301)}`, '', rush)).toBe(0);
  });

  it("pool_matrix's numpy loadtxt reads ASCII digits only", () => {
    const meta = {
      solution: [
        [4.5, 4.5],
        [4.75, 5.0],
      ],
    };
    expect(rg('pool_matrix', '4.5 4.5\n4.75 5.0', '4.5 4.5\n4.75 5.0', meta)).toBe(1);
    expect(rg('pool_matrix', '\uff14.5 4.5\n4.75 5.0', '4.5 4.5\n4.75 5.0', meta)).toBe(0);
  });
});

describe("answers split into lines as Python's str.splitlines() does (pool_matrix, tower_of_hanoi)", () => {
  it('splits at \\x85, \\u2028, \\v and the other line boundaries Python knows, not only \\n and \\r', () => {
    const pool = (answer: string): number =>
      scoreReasoningGym('pool_matrix', answer, {
        answer: '4.5 4.5\n4.75 5.0',
        metadata: {
          solution: [
            [4.5, 4.5],
            [4.75, 5.0],
          ],
        },
      }).score;
    expect(pool('4.5 4.5\u00854.75 5.0')).toBe(1);
    expect(pool('4.5 4.5\u20284.75 5.0')).toBe(1);
    expect(pool('4.5\u00854.5\n4.75\u00855.0')).toBe(0); // four rows of one number
    const moves = [
      'Move disk 1 from Peg 1 to Peg 3',
      'Move disk 2 from Peg 1 to Peg 2',
      'Move disk 1 from Peg 3 to Peg 2',
      'Move disk 3 from Peg 1 to Peg 3',
      'Move disk 1 from Peg 2 to Peg 1',
      'Move disk 2 from Peg 2 to Peg 3',
      'Move disk 1 from Peg 1 to Peg 3',
    ];
    const hanoi = (answer: string): number => scoreReasoningGym('tower_of_hanoi', answer, { answer: moves.join('\n'), metadata: { num_disks: 3, num_pegs: 3, start_peg: 1, target_peg: 3, solution_length: 7 } }).score;
    expect(hanoi(moves.join('\n'))).toBe(1);
    expect(hanoi(moves.join('\u2028'))).toBe(1);
    expect(hanoi(moves.join('\u0085'))).toBe(1);
    expect(hanoi(moves.join('\x0c'))).toBe(1);
  });
});
