// Scorers for the Reasoning-Gym datasets the shared conformance corpus has no items of (bf,
// group_anagrams, game_of_life, game_of_life_halting, zebra_puzzles, figlet_font, arc_agi).
// Items are built as RG's generators build them (reasoning-gym commit 49b07130; the file and
// function are named at each item), and every expected score is the one RG's `score_answer`
// gives, with the reason taken from its source.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { scoreAnswer } from '../../../src/eval/score';
import { scoreReasoningGym, type RgEntry } from '../../../src/eval/reasoningGym';
import { parseJson, pyEquals, type J } from '../../../src/eval/reasoningGym/codeio';
import { pySorted } from '../../../src/eval/reasoningGym/jsonAnswers';

interface RgItem extends RgEntry {
  readonly question: string;
  readonly answer: string;
}

const score = (dataset: string, item: RgItem, answer: string): number => scoreReasoningGym(dataset, answer, item).score;

// reasoning_gym/code/bf.py, BFDataset.__getitem__ (difficulty 1): `answer` is the program's output
// (`bfi.interpret(bf_program, buffer_output=True)`) and is stored, so nothing is interpreted when
// scoring. The program here is a hand-written stand-in for the BF-it compiler's output (which the
// scorer never reads); it prints "cigar".
const BF_PROGRAM = '++++++++++[>++++++++++<-]>-.++++++.--.------.+++++++++++++++++.';
const bfItem: RgItem = {
  question: `This is a BF (Brainf*ck) computer program. What is the output?\n\n${BF_PROGRAM}\n\nRespond only with the exact output of the program.`,
  answer: 'cigar',
  metadata: {
    source_dataset: 'bf',
    source_index: 0,
    bfit_code: '\nint main() {\n    print("cigar");\n}\n',
    bf_program: BF_PROGRAM,
    difficulty: { difficulty: 1 },
  },
};

// reasoning_gym/algorithmic/group_anagrams.py, GroupAnagramsDataset.__getitem__: `words` as drawn,
// `solution` = `_group_anagrams(words)` (each group sorted, groups sorted by first word), `answer` =
// `json.dumps(solution)`.
const anagramSolution = [
  ['ate', 'eat', 'tea'],
  ['nat', 'tan'],
];
const anagramsItem: RgItem = {
  question: 'An anagram is a word formed by rearranging the letters ...\nGroup the following list of words into anagrams:\n["eat", "tea", "ate", "tan", "nat"]\n',
  answer: '[["ate", "eat", "tea"], ["nat", "tan"]]',
  metadata: {
    source_dataset: 'group_anagrams',
    source_index: 0,
    words: ['eat', 'tea', 'ate', 'tan', 'nat'],
    solution: anagramSolution,
    anagram_groups: 2,
    difficulty: { anagram_groups: [2, 10], words_per_group: [2, 5] },
  },
};

// reasoning_gym/algorithmic/game_of_life.py, GameOfLifeDataset.__getitem__ with grid_size_x =
// grid_size_y = 5, simulation_steps = 1: the cells placed are a horizontal blinker (row 2, columns
// 1-3), which one step turns vertical (column 2, rows 1-3); `answer` is
// `json.dumps(final_step_list, separators=(",", ":"))`.
const golGold = '[[0,0,0,0,0],[0,0,1,0,0],[0,0,1,0,0],[0,0,1,0,0],[0,0,0,0,0]]';
const golItem: RgItem = {
  question:
    'What will this Game of Life board look like after 1 steps of simulation? Assume a Moore neighborhood and wrapping topology. Reply as array of arrays representing rows in the grid from top to bottom in JSON format. (An empty 3x3 grid would look like this: [[0,0,0],[0,0,0],[0,0,0]])\n\n[[0,0,0,0,0],\n [0,0,0,0,0],\n [0,1,1,1,0],\n [0,0,0,0,0],\n [0,0,0,0,0]].',
  answer: golGold,
  metadata: {
    source_dataset: 'game_of_life',
    source_index: 0,
    grid_size_x: 5,
    grid_size_y: 5,
    filled_cells: 3,
    simulation_steps: 1,
    difficulty: { grid_size_x: 5, grid_size_y: 5, filled_cells_weights: 0.1, simulation_steps: 1 },
  },
};

// reasoning_gym/algorithmic/game_of_life_halting.py, GameOfLifeHaltingDataset.__getitem__:
// `answer` = `str(not should_oscillate)`, "True" or "False".
const haltingItem = (halts: boolean): RgItem => ({
  question:
    "This is a 'Game of Life' grid. We consider a game halted if there are no cells alive.\nWill this game halt at or before 20 steps? ... If it will halt, reply 'True'. If it won't halt, reply 'False'.\n\nInitial board:\n[[0 0 0]...]",
  answer: halts ? 'True' : 'False',
  metadata: {
    source_dataset: 'game_of_life_halting',
    source_index: 0,
    grid_size_x: 12,
    grid_size_y: 12,
    placed_patterns: [{ name: halts ? 'non-oscillator' : 'blinker', position: [3, 4] }],
    simulation_steps: 20,
    should_oscillate: !halts,
    difficulty: { grid_size_x: 12, grid_size_y: 12, difficulty: 1, num_oscillators: 5 },
  },
});

// reasoning_gym/logic/zebra_puzzles.py, ZebraDataset.__getitem__: `answer` is the name asked for
// (names from logic/contrib/logic_puzzle/literals.py).
const zebraItem: RgItem = {
  question: 'This is a logic puzzle. There are 4 houses ...\nWhat is Name of the person who lives in House 1?? Provide only the name of the person as your final answer.',
  answer: 'Arnold',
  metadata: { source_dataset: 'zebra_puzzles', source_index: 0, difficulty: { num_people: 4, num_characteristics: 4 } },
};

// reasoning_gym/cognition/figlet_fonts.py, FigletFontDataset.__getitem__: `answer` is the word,
// upper-cased; the question shows it rendered with pyfiglet (letters spaced by default).
const figletItem = (word: string): RgItem => ({
  question: 'What word does this say?\n\n<figlet rendering>',
  answer: word,
  metadata: { source_dataset: 'figlet_font', source_index: 0, font: 'standard', space_letters: true, difficulty: { word_len: [3, 7] } },
});

// reasoning_gym/arc/arc_agi.py, ArcAgiDataset.__getitem__: `answer` = `format_board(output)`
// (default options: digits, " " between cells, "\n" between rows); `metadata.output` is the
// board as a tuple of tuples, which a JSON item holds as lists.
const arcItem: RgItem = {
  question: 'Find the common rule that maps an input grid to an output grid ...',
  answer: '1 0 2\n0 3 0',
  metadata: {
    source_dataset: 'arc_agi',
    source_index: 0,
    input: [
      [2, 0, 1],
      [0, 3, 0],
    ],
    output: [
      [1, 0, 2],
      [0, 3, 0],
    ],
    task_id: '3c9b0459',
    difficulty: { rotations_weights: [0.25, 0.25, 0.25, 0.25], mirrors_weights: [0.2, 0.2, 0.2, 0.2, 0.2] },
  },
};

describe('bf (RG: the default score_answer; bf.py does not override it)', () => {
  it('scores the stored output exactly, a longer answer holding it len(gold)/len(answer), else 0', () => {
    expect(score('bf', bfItem, 'cigar')).toBe(1); // answer == oracle_answer
    expect(score('bf', bfItem, 'cigar\n')).toBe(5 / 6); // oracle in answer → len(oracle)/len(answer)
    expect(score('bf', bfItem, 'Output: cigar')).toBe(5 / 13);
    expect(score('bf', bfItem, 'CIGAR')).toBe(0); // case matters: neither equal nor a substring
    expect(score('bf', bfItem, 'ciga')).toBe(0); // the gold is not inside a shorter answer
    expect(score('bf', bfItem, 'Love is a battlefield')).toBe(0); // RG's tests/test_bf.py expects 0.0
    expect(score('bf', bfItem, '')).toBe(0); // len(answer) > 0 is required
  });
});

describe('group_anagrams (RG: json.loads, then _sort_nested_list on both sides; 1 if json.dumps equal, 0.01 if parsed, 0 on any exception)', () => {
  const ga = (answer: string): number => score('group_anagrams', anagramsItem, answer);

  it('gives 1 to the groups in any order, words in any order, any JSON spacing', () => {
    expect(ga(anagramsItem.answer)).toBe(1);
    expect(ga('[["tan","nat"],["tea","ate","eat"]]')).toBe(1); // both sides sorted before comparing
    expect(ga('\n [ [ "nat" , "tan" ] ,\n  ["eat", "tea", "ate"] ]\n\t')).toBe(1); // json.loads skips JSON whitespace around values
    // sorted() of a dict is its sorted keys, so a group written as an object counts
    expect(ga('[{"tea": 1, "eat": 2, "ate": 3}, {"tan": 0, "nat": 0}]')).toBe(1);
  });

  it('gives 0.01 to parsable JSON that groups differently or spells words differently', () => {
    expect(ga('[["eat","tea"],["ate"],["tan","nat"]]')).toBe(0.01); // a group split in two
    expect(ga('[["ate","eat","tea","nat","tan"]]')).toBe(0.01); // groups merged
    expect(ga('[["ATE","EAT","TEA"],["NAT","TAN"]]')).toBe(0.01); // case is compared
    expect(ga('[["ate","eat","tea"]]')).toBe(0.01); // a group missing
    expect(ga('[]')).toBe(0.01);
    expect(ga('[["ate", "eat", "tea"], "nat"]')).toBe(0.01); // sorted("nat") is its letters
    expect(ga('"eat"')).toBe(0.01); // iterating a string gives one-letter groups
    expect(ga('[[1, 2], [3]]')).toBe(0.01); // numbers sort fine but are not the words
  });

  it('gives 0 to what json.loads rejects or Python cannot iterate or sort', () => {
    expect(ga("[['ate','eat','tea'],['nat','tan']]")).toBe(0); // a Python literal is not JSON
    expect(ga('[["ate","eat","tea"],["nat","tan"],]')).toBe(0); // trailing comma
    expect(ga('[["ate","eat","tea"],["nat","tan"]] done')).toBe(0); // json.loads: "Extra data"
    expect(ga('Groups: [["ate","eat","tea"],["nat","tan"]]')).toBe(0);
    expect(ga('5')).toBe(0); // int is not iterable (TypeError)
    expect(ga('[["ate", 1]]')).toBe(0); // sorted(): '<' not supported between int and str
    expect(ga('[[], [1]]')).toBe(0); // group keys "" (empty group) and 1 cannot be compared
    expect(ga('[[null, null]]')).toBe(0); // None < None raises
    expect(ga('[[[1, "a"], [1, 2]]]')).toBe(0); // lists compare at their first unequal item: "a" vs 2
    expect(ga('[[[1], [2, "x"]]]')).toBe(0.01); // [1] < [2, "x"] is decided at 1 < 2, no TypeError
    expect(ga('')).toBe(0); // json.loads("") raises
  });
  it('sorts the groups with O(n log n) comparisons, not one per pair (an answer of 100 000 groups took minutes)', () => {
    // Keys that are lists (each group's first item, ["a"]): not all words nor all numbers, where
    // every pair of keys was compared before sorting. Each comparison reads its keys' kind.
    let reads = 0;
    const counted = (key: J): J => new Proxy(key, { get: (target, name, receiver) => (name === 'k' && reads++, Reflect.get(target, name, receiver) as unknown) });
    const n = 4000;
    const keys: J[] = Array.from({ length: n }, (_, i) => counted({ k: 'list', items: [{ k: 'str', v: i % 2 === 0 ? 'a' : 'b' }] }));
    expect(pySorted(keys, (k) => k)).toHaveLength(n);
    expect(reads).toBeLessThan(n * 100); // n log n comparisons: ~12 per key; a check of every pair: n / 2 per key
    expect(ga(`[${Array.from({ length: 20_000 }, (_, i) => (i === 19_999 ? '[[1, "a"]]' : '[[1, 2]]')).join(',')}]`)).toBe(0); // "a" vs 2, the last group, still found
  });
});

describe('game_of_life (RG: json.loads; the share of cells with answer[i][j] == gold[i][j]; missing or unindexable cells are wrong)', () => {
  const gol = (answer: string): number => score('game_of_life', golItem, answer);

  it('gives 1 to the board in any JSON layout, and to true/false or 1.0 for the cells (Python ==)', () => {
    expect(gol(golGold)).toBe(1);
    expect(gol('[\n  [0, 0, 0, 0, 0],\n  [0, 0, 1, 0, 0],\n  [0, 0, 1, 0, 0],\n  [0, 0, 1, 0, 0],\n  [0, 0, 0, 0, 0]\n]')).toBe(1);
    expect(gol('[[false,false,false,false,false],[0,0,true,0,0],[0,0,1.0,0,0],[0,0,1,0,0],[0,0,0,0,0]]')).toBe(1); // True == 1, 1.0 == 1
    expect(gol('[[0,0,0,0,0,9],[0,0,1,0,0,9],[0,0,1,0,0,9],[0,0,1,0,0,9],[0,0,0,0,0,9],[9]]')).toBe(1); // only the gold's cells are read
  });

  it('gives partial credit per cell', () => {
    expect(gol('[[0,0,0,0,0],[0,0,0,0,0],[0,1,1,1,0],[0,0,0,0,0],[0,0,0,0,0]]')).toBe(21 / 25); // the unstepped board: 4 cells differ
    expect(gol('[[0,0,0,0,0],[0,0,0,0,0],[0,0,0,0,0],[0,0,0,0,0],[0,0,0,0,0]]')).toBe(22 / 25); // all dead: the 3 live cells wrong
    expect(gol('[[0,0,0,0,0],[0,0,1,0,0]]')).toBe(10 / 25); // missing rows: IndexError, counted wrong
    expect(gol('[[0,0,0,0,0],5,null,"0",[0,0,0,0,0]]')).toBe(10 / 25); // 5[j], None[j]: TypeError; "0"[0] == 0 is False
  });

  it('gives 0 to unparsable answers, rows written as strings, and objects (where RG raises KeyError)', () => {
    expect(gol('["00000","00100","00100","00100","00000"]')).toBe(0); // "0" == 0 is False in Python
    expect(gol('[[0,0,0,0,0],[0,0,1,0,0],[0,0,1,0,0],[0,0,1,0,0],[0,0,0,0,0]]\nDone')).toBe(0); // json.loads: Extra data
    expect(gol('((0,0,0,0,0),)')).toBe(0);
    expect(gol('{"0": [0,0,0,0,0]}')).toBe(0); // ans_arr[0] on a dict: KeyError, not caught by RG
    expect(gol('')).toBe(0);
  });
});

describe('zebra_puzzles (RG: lower-cased, newlines removed, then equal)', () => {
  it('accepts any case and newlines, nothing else', () => {
    expect(score('zebra_puzzles', zebraItem, 'Arnold')).toBe(1);
    expect(score('zebra_puzzles', zebraItem, 'ARNOLD')).toBe(1); // .lower() on both sides
    expect(score('zebra_puzzles', zebraItem, 'arnold\n')).toBe(1); // .replace("\n", "")
    expect(score('zebra_puzzles', zebraItem, 'Arn\nold')).toBe(1);
    expect(score('zebra_puzzles', zebraItem, ' Arnold')).toBe(0); // spaces are not removed
    expect(score('zebra_puzzles', zebraItem, 'Arnold.')).toBe(0);
    expect(score('zebra_puzzles', zebraItem, 'Eric')).toBe(0);
    expect(score('zebra_puzzles', zebraItem, '')).toBe(0);
  });
});

describe('figlet_font (RG: spaces removed, stripped, lower-cased; else 0.1 per letter in place, at most 1)', () => {
  const fig = (answer: string, word = 'CIGAR'): number => score('figlet_font', figletItem(word), answer);

  it('gives 1 whatever the case, spaces between letters or surrounding whitespace', () => {
    expect(fig('CIGAR')).toBe(1);
    expect(fig('cigar')).toBe(1);
    expect(fig('C I G A R')).toBe(1); // answer.replace(" ", "")
    expect(fig('\tcigar\n')).toBe(1); // .strip()
  });

  it('gives 0.1 per position where the letters agree', () => {
    expect(fig('CIGAT')).toBe(4 * 0.1); // zip over positions: 4 agree
    expect(fig('CIGXX')).toBe(3 * 0.1); // 0.30000000000000004, as in Python
    expect(fig('CIGARS')).toBe(5 * 0.1); // not equal; the 5 common positions agree
    expect(fig('C-I-G-A-R')).toBe(0.1); // only position 0 agrees
    expect(fig('IGAR')).toBe(0); // shifted: no position agrees
    expect(fig('C\tIGAR')).toBe(0.1); // a tab is not removed like a space
    // RG: min(11 * 0.1, 1.0) = 1 for a wrong answer (needs max_word_len > 10); kept below 1 here.
    expect(fig('ABCDEFGHIJKL', 'ABCDEFGHIJK')).toBe(0.99);
  });

  it('gives 0 to an empty answer', () => {
    expect(fig('')).toBe(0);
  });
});

describe('arc_agi (RG: the same parse_board and comparison as rearc)', () => {
  const arc = (answer: string): number => score('arc_agi', arcItem, answer);

  it('gives 1 to the board, also with a Shape line and spaces around rows', () => {
    expect(arc('1 0 2\n0 3 0')).toBe(1);
    expect(arc('Shape: 2x3\n  1 0 2  \n0  3 0\n')).toBe(1); // "Shape: " lines dropped, lines stripped, empty cells skipped
  });

  it('gives 0.05 to another parsable board and 0 to a character outside 0-9', () => {
    expect(arc('2 0 1\n0 3 0')).toBe(0.05); // the input board
    expect(arc('1 0 2')).toBe(0.05);
    expect(arc('102\n030')).toBe(0); // "102" is not in the alphabet: ValueError
    expect(arc('[[1, 0, 2], [0, 3, 0]]')).toBe(0); // array_brackets is off by default
    expect(arc('')).toBe(0.05); // parse_board("") is ((),): parsable, not the output
  });
});

describe('loading these datasets', () => {
  it('no longer reports them unsupported, and scores the stored answer 1', async () => {
    const items: Record<string, RgItem> = {
      bf: bfItem,
      group_anagrams: anagramsItem,
      game_of_life: golItem,
      game_of_life_halting: haltingItem(true),
      zebra_puzzles: zebraItem,
      figlet_font: figletItem('CIGAR'),
      arc_agi: arcItem,
    };
    const dir = await mkdtemp(path.join(tmpdir(), 'r1ci-rg-more-'));
    for (const [name, item] of Object.entries(items)) await writeFile(path.join(dir, `${name}.jsonl`), `${JSON.stringify(item)}\n`);
    const { records, problems, unsupported } = await loadTasks(dir);
    expect(problems).toEqual([]);
    expect(unsupported ?? []).toEqual([]);
    expect(records.map((r) => r.task).sort()).toEqual(Object.keys(items).sort());
    for (const r of records) expect(scoreAnswer(r, items[r.task]?.answer ?? '')).toMatchObject({ correct: true, score: 1 });
  });
});

describe('game_of_life_halting (RG gives 1 to any non-empty answer; here only the gold: docs/task-files.md)', () => {
  it('scores "True"/"False" against the gold exactly', () => {
    expect(score('game_of_life_halting', haltingItem(true), 'True')).toBe(1);
    expect(score('game_of_life_halting', haltingItem(false), 'False')).toBe(1);
    expect(score('game_of_life_halting', haltingItem(true), '')).toBe(0); // RG: bool("") is False → 0.0 too
  });

  it('gives 0 where RG`s bool(answer) == bool(entry["answer"]) gives 1 to a wrong answer', () => {
    expect(score('game_of_life_halting', haltingItem(true), 'False')).toBe(0); // RG: 1.0
    expect(score('game_of_life_halting', haltingItem(false), 'True')).toBe(0); // RG: 1.0
    expect(score('game_of_life_halting', haltingItem(true), 'true')).toBe(0); // RG: 1.0 (the question asks for 'True')
    expect(score('game_of_life_halting', haltingItem(true), 'no idea')).toBe(0); // RG: 1.0
  });
});

describe('Python == on json.loads values (codeio, group_anagrams, game_of_life share it)', () => {
  const eq = (a: string, b: string): boolean => {
    const x = parseJson(a);
    const y = parseJson(b);
    if (x === null || y === null) throw new Error('not JSON');
    return pyEquals(x, y);
  };

  it('NaN equals NaN inside lists and dicts (identity first, one NaN object), never on its own', () => {
    expect(eq('[NaN, 1]', '[NaN, 1.0]')).toBe(true);
    expect(eq('{"x": [NaN]}', '{"x": [NaN]}')).toBe(true);
    expect(eq('NaN', 'NaN')).toBe(false);
    expect(eq('[1, true]', '[1.0, 1]')).toBe(true);
    expect(eq('[1]', '["1"]')).toBe(false);
  });
});
