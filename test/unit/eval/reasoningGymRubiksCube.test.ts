// rubiks_cube: our cube simulator and scorer against Reasoning-Gym's (reasoning_gym/cognition/
// rubiks_cube.py at reasoning-gym 49b07130, on magiccube 0.3.0 as RG pins it). The shared
// conformance corpus has no rubiks_cube items, so test/fixtures/reasoning_gym_rubiks_cube.jsonl was
// made by running RG's own RubiksCubeDataset (generation and score_answer) and magiccube's Cube:
// "state" rows give the faces (`get_face_flat` for L R D U B F) after random moves in magiccube's
// full notation, sizes 2-6; "score" rows give RG's score for items it generated (sizes 2-6, 1-2 and
// 3-10 scramble steps) and candidates: RG's example solution (3×3), the scramble undone, the same
// with whole-cube turns, counts ("U2", "U٤"), dropped tokens ("2R", "U2'"), bad notation, and
// random moves.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { scoreAnswer } from '../../../src/eval/score';
import { scoreReasoningGym } from '../../../src/eval/reasoningGym';
import { cubeFaces, cubeSolved, parseCubeMoves, solvedCube, turnCube } from '../../../src/eval/reasoningGym/rubiksCube';
import { mulberry32 } from '../../support/seeded';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

type StateRow = { kind: 'state'; cube_size: number; moves: string; faces: string };
type ScoreRow = { kind: 'score'; metadata: Record<string, unknown>; candidate: string; rg_score: number };
const rows = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'reasoning_gym_rubiks_cube.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as StateRow | ScoreRow);

const score = (answer: string, cubeSize: number, scramble: string): number => scoreReasoningGym('rubiks_cube', answer, { answer: null, metadata: { cube_size: cubeSize, scramble_moves: scramble } }).score;

/** The cube after `moves` (magiccube notation), or an error when they do not parse. */
function turned(size: number, moves: string): ReturnType<typeof solvedCube> {
  const cube = solvedCube(size);
  const parsed = parseCubeMoves(moves, size);
  if (!parsed) throw new Error(`unparsable: ${moves}`);
  for (const m of parsed) turnCube(cube, m);
  return cube;
}

/** A seeded integer source (mulberry32): seeded(s)(n) is in [0, n), so a failing case can be replayed. */
function seeded(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}

interface ScrambleMove {
  readonly face: string;
  readonly reversed: boolean;
  readonly wide: boolean;
  readonly layer: number;
}

/** A scramble as RubiksCubeDataset._generate_random_moves draws it: wide moves and layers 1..size/2 only from size 4. */
function rgScramble(rand: (n: number) => number, size: number, steps: number): ScrambleMove[] {
  const wideCube = size > 3;
  return Array.from({ length: steps }, () => ({
    face: 'LRDUBF'[rand(6)] ?? 'L',
    reversed: rand(2) === 1,
    wide: wideCube ? rand(2) === 1 : false,
    layer: wideCube ? 1 + rand(Math.floor(size / 2)) : 1,
  }));
}

/** magiccube's `str(CubeMove)`, as RG stores the scramble in metadata.scramble_moves. */
function moveText(m: ScrambleMove): string {
  const layer = (m.wide && m.layer === 2) || (!m.wide && m.layer === 1) ? '' : String(m.layer);
  return `${layer}${m.face}${m.wide ? 'w' : ''}${m.reversed ? "'" : ''}`;
}

/** The scramble undone in notation an answer can use (no layer numbers: expand_moves drops them); null if impossible. */
function undoAsAnswer(scramble: readonly ScrambleMove[]): string | null {
  const out: string[] = [];
  for (const m of [...scramble].reverse()) {
    const back = m.reversed ? '' : "'";
    const same = m.reversed ? "'" : '';
    if (m.layer === 1)
      out.push(`${m.face}${back}`); // "R" and "1Rw" both turn the outer layer
    else if (m.wide && m.layer === 2) out.push(`${m.face}w${back}`);
    else if (m.layer === 2)
      out.push(`${m.face}w${back}`, `${m.face}${same}`); // the inner slice: two layers less the outer one
    else return null;
  }
  return out.join(' ');
}

describe('rubiks_cube simulator (magiccube 0.3.0)', () => {
  it('gives the faces magiccube gives after the same moves, for every size RG generates', () => {
    const states = rows.filter((r): r is StateRow => r.kind === 'state');
    expect(new Set(states.map((r) => r.cube_size))).toEqual(new Set([2, 3, 4, 5, 6]));
    const wrong = states
      .map((r) => ({
        r,
        got: cubeFaces(turned(r.cube_size, r.moves))
          .map((f) => f.join(''))
          .join(' '),
      }))
      .filter(({ r, got }) => got !== r.faces)
      .map(({ r, got }) => `${r.cube_size}: ${r.moves} -> ${got}, magiccube ${r.faces}`);
    expect(wrong).toEqual([]);
  });

  it('starts solved with magiccube colours: L red, R orange, D white, U yellow, B blue, F green', () => {
    expect(cubeFaces(solvedCube(2)).map((f) => f.join(''))).toEqual(['RRRR', 'OOOO', 'WWWW', 'YYYY', 'BBBB', 'GGGG']);
  });

  it('is solved again after any RG scramble and its literal inverse (sizes 2-6, layer numbers included)', () => {
    const rand = seeded(7);
    for (let size = 2; size <= 6; size++)
      for (let trial = 0; trial < 40; trial++) {
        const scramble = rgScramble(rand, size, 1 + rand(30));
        const inverse = [...scramble].reverse().map((m) => moveText({ ...m, reversed: !m.reversed }));
        const cube = turned(size, [...scramble.map(moveText), ...inverse].join(' '));
        expect(cubeSolved(cube), `${size}: ${scramble.map(moveText).join(' ')}`).toBe(true);
      }
  });

  it('turns M with L, E with D, S with F, and X, Y, Z with R, U, F (on a 3×3)', () => {
    expect(cubeSolved(turned(3, "R X' L' M'"))).toBe(true);
    expect(cubeSolved(turned(3, "U Y' D' E'"))).toBe(true);
    expect(cubeSolved(turned(3, "F Z' B' S"))).toBe(true);
    expect(cubeSolved(turned(3, "R X' L M"))).toBe(false);
  });

  it('refuses what magiccube refuses: M, E, S on even cubes, layers outside the cube, lowercase', () => {
    for (const bad of ['M', "E'", 'S2', '5R', '0R', '5Rw', 'r', "R''", 'Rw2x']) expect(parseCubeMoves(bad, 4), bad).toBeNull();
    expect(parseCubeMoves("M 3Rw' 1L2 X0", 3)).not.toBeNull();
  });
});

describe('rubiks_cube scorer (RubiksCubeDataset.score_answer)', () => {
  it('agrees with RG on every generated item and candidate of the fixture', () => {
    const scores = rows.filter((r): r is ScoreRow => r.kind === 'score');
    expect(scores.filter((r) => r.rg_score === 1).length).toBeGreaterThan(100);
    const disagreements = scores
      .map((r) => ({ r, got: scoreReasoningGym('rubiks_cube', r.candidate, { answer: null, metadata: r.metadata }) }))
      .filter(({ r, got }) => got.score !== r.rg_score || got.error !== undefined)
      .map(({ r, got }) => `${String(r.metadata.cube_size)} [${String(r.metadata.scramble_moves)}] ${JSON.stringify(r.candidate)}: rg ${r.rg_score}, ours ${JSON.stringify(got)}`);
    expect(disagreements).toEqual([]);
  });

  it("scores RG's example solution 1 for its stored 3×3 items", () => {
    const golds = rows.filter((r): r is ScoreRow => r.kind === 'score' && r.candidate !== '' && r.candidate === r.metadata.example_correct_answer);
    expect(golds.length).toBeGreaterThan(4);
    for (const r of golds) expect(scoreReasoningGym('rubiks_cube', r.candidate, { answer: null, metadata: r.metadata }).score).toBe(1);
  });

  it('gives 0.01 to a wrong answer, a partly right one and an empty one (RG never reaches its partial credit)', () => {
    // RG's test_rubiks_cube.py expects exactly these; partial_score reads `cube.faces`, which
    // magiccube 0.3.0 lacks, and the AttributeError falls into the same `except` as bad notation.
    expect(score("U' R'", 3, 'R U')).toBe(1);
    expect(score('R U', 3, 'R U')).toBe(0.01);
    expect(score("U'", 3, 'R U')).toBe(0.01); // only the last scramble move undone
    expect(score('', 3, 'R U')).toBe(0.01);
    expect(score('a wrong solution', 3, 'R U')).toBe(0.01);
    expect(score("R2 R3 R4 R5 R'2 R'3", 3, 'R U')).toBe(0.01);
    expect(score('', 3, "U U'")).toBe(1); // a scramble that undoes itself is solved by nothing
  });

  it("reads counts and drops layer numbers as RG's expand_moves does", () => {
    expect(score('R3', 3, 'R')).toBe(1); // R R R
    expect(score("R'5", 3, 'R')).toBe(1);
    expect(score('R\u0663', 3, 'R')).toBe(1); // Arabic-Indic 3: Python's \d and int() read it
    expect(score("2R R' U2'", 3, 'R')).toBe(1); // "2R" and "U2'" do not fit <letters><digits>: ignored
    expect(score("R' 4", 3, 'R')).toBe(1); // digits alone repeat an empty move
    expect(score("R' R0", 3, 'R')).toBe(1);
    expect(score("R'\tX\u00a0Y'\nZ2", 3, 'R')).toBe(1); // any whitespace; whole-cube turns keep it solved
    expect(score("R' R99999999999999999999", 3, 'R')).toBe(0.01); // too many repeats for Python's list
  });

  it('gives 0.01 to bad notation, even when the rest would solve the cube', () => {
    expect(score("R' r", 3, 'R')).toBe(0.01);
    expect(score("r'", 3, 'R')).toBe(0.01);
    expect(score("R''", 3, 'R')).toBe(0.01);
    expect(score("R' M M'", 4, 'R')).toBe(0.01); // M only exists on odd cubes
    expect(score("R' M M'", 3, 'R')).toBe(1);
    expect(score("Rw'", 2, 'Rw')).toBe(1); // wide = two layers: the whole 2×2
  });

  it('reports a scramble RG cannot replay, and a bad cube size, as item errors', () => {
    expect(scoreReasoningGym('rubiks_cube', 'R', { answer: null, metadata: { cube_size: 3, scramble_moves: 'R q' } })).toMatchObject({ score: 0, error: expect.stringMatching(/scramble_moves/) });
    expect(scoreReasoningGym('rubiks_cube', 'R', { answer: null, metadata: { cube_size: 1, scramble_moves: 'R' } })).toMatchObject({ score: 0, error: expect.stringMatching(/cube_size/) });
    expect(scoreReasoningGym('rubiks_cube', 'R', { answer: null, metadata: { scramble_moves: 'R' } })).toMatchObject({ score: 0, error: 'metadata.cube_size is missing' });
  });

  it('scores 1 for any RG scramble undone in answer notation (sizes 2-6)', () => {
    const rand = seeded(11);
    let undone = 0;
    for (let size = 2; size <= 6; size++)
      for (let trial = 0; trial < 40; trial++) {
        const scramble = rgScramble(rand, size, 1 + rand(25));
        const answer = undoAsAnswer(scramble);
        if (answer === null) continue; // a third-layer move on a 6×6: no answer can name it
        undone++;
        expect(score(answer, size, scramble.map(moveText).join(' ')), `${size}: ${scramble.map(moveText).join(' ')}`).toBe(1);
      }
    expect(undone).toBeGreaterThan(150);
  });

  it('cannot undo a third-layer move on a 6×6: the answer has no way to write it', () => {
    expect(score("3Rw'", 6, '3Rw')).toBe(0.01); // dropped by expand_moves, so the cube stays scrambled
    expect(cubeSolved(turned(6, "3Rw 3Rw'"))).toBe(true); // the simulator itself knows the move
  });

  it('loads a rubiks_cube task file and scores its items', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'r1ci-rg-cube-'));
    const item = (scramble: string): string =>
      JSON.stringify({
        question: "You are given a 3x3x3 Rubik's cube...",
        answer: null,
        metadata: { source_dataset: 'rubiks_cube', source_index: 0, cube_size: 3, scramble_steps: 2, scramble_moves: scramble, example_correct_answer: '' },
      });
    await writeFile(path.join(dir, 'rubiks_cube.jsonl'), [item('U R'), item('F L')].join('\n'));
    const { records, problems, unsupported } = await loadTasks(dir);
    expect(problems).toEqual([]);
    expect(unsupported ?? []).toEqual([]);
    expect(records.map((r) => r.task)).toEqual(['rubiks_cube', 'rubiks_cube']);
    const first = records[0];
    if (!first) throw new Error('no record');
    expect(scoreAnswer(first, "R' U'")).toMatchObject({ correct: true, score: 1 });
    expect(scoreAnswer(first, "U' R'")).toMatchObject({ correct: false, score: 0.01 });
  });
});
