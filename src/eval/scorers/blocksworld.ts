// Blocksworld: the task text lists stacks bottom→top; an answer is a list of moves
// "Move B from stack2 to stack1". It is right when every move takes a top block and the
// final non-empty stacks equal the goal's (the goal may list fewer stacks).

import { cleanAnswer } from '../answerText';
import type { ScoreResult, Stacks } from '../types';

export interface BlocksworldTask {
  readonly initial: Stacks;
  readonly goal: Stacks;
}

/** Parses "Initial State:\nstack1: A B\n...\nGoal State:\n..."; null with a reason when malformed. */
export function parseBlocksworldTask(text: string): { ok: true; task: BlocksworldTask } | { ok: false; error: string } {
  const initial: Stacks = [];
  const goal: Stacks = [];
  let current: Stacks | null = null;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^initial state:?$/i.test(line)) current = initial;
    else if (/^goal state:?$/i.test(line)) current = goal;
    else {
      const m = /^([A-Za-z0-9_]+)\s*:(.*)$/.exec(line);
      if (!m?.[1] || m[2] === undefined || !current) return { ok: false, error: `line ${i + 1}: unexpected "${line}"` };
      current.push({
        name: m[1],
        blocks: m[2]
          .trim()
          .split(/\s+/)
          .filter((b) => b !== ''),
      });
    }
  }
  if (initial.length === 0) return { ok: false, error: 'no "Initial State:" stacks' };
  if (goal.length === 0) return { ok: false, error: 'no "Goal State:" stacks' };
  const sorted = (s: Stacks): string =>
    s
      .flatMap((x) => x.blocks)
      .sort()
      .join(' ');
  if (sorted(initial) !== sorted(goal)) return { ok: false, error: 'initial and goal states hold different blocks' };
  return { ok: true, task: { initial, goal } };
}

export function formatStacks(stacks: Stacks): string {
  return stacks.map((s) => `${s.name}: ${s.blocks.join(' ')}`.trimEnd()).join('\n');
}

export interface Move {
  readonly block: string;
  readonly from: string;
  readonly to: string;
}

const MOVE = /^move\s+(?:block\s+)?([A-Za-z0-9_]+)\s+from\s+(?:stack\s*)?([A-Za-z0-9_]+)\s+to\s+(?:stack\s*)?([A-Za-z0-9_]+)\s*\.?$/i;

/** One move per line (or separated by ";"); list numbering and bullets are ignored. */
export function parseMoves(answer: string): { ok: true; moves: Move[] } | { ok: false; error: string } {
  const lines = cleanAnswer(answer)
    .split(/\r?\n|;|,(?=\s*move\b)/i)
    .map((l) =>
      l
        .trim()
        .replace(/^(?:\d+[.)]|[-*•])\s*/, '')
        .trim(),
    )
    .filter((l) => l !== '');
  const moves: Move[] = [];
  for (const line of lines) {
    const m = MOVE.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) return { ok: false, error: `not a move: "${line}"` };
    moves.push({ block: m[1], from: m[2], to: m[3] });
  }
  return { ok: true, moves };
}

function findStack(state: Map<string, string[]>, name: string): string[] | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of state) if (k.toLowerCase() === lower || k.toLowerCase() === `stack${lower}`) return v;
  return undefined;
}

export function scoreBlocksworld(task: BlocksworldTask, answer: string): ScoreResult {
  const expected = formatStacks(task.goal);
  const parsed = parseMoves(answer);
  if (!parsed.ok) return { correct: false, score: 0, reason: parsed.error, expected };
  const state = new Map(task.initial.map((s) => [s.name, [...s.blocks]]));
  for (const [i, mv] of parsed.moves.entries()) {
    const from = findStack(state, mv.from);
    const to = findStack(state, mv.to);
    if (!from || !to) return { correct: false, score: 0, reason: `move ${i + 1}: no stack "${!from ? mv.from : mv.to}"`, expected };
    const top = from[from.length - 1];
    if (top === undefined || top.toLowerCase() !== mv.block.toLowerCase()) {
      return { correct: false, score: 0, reason: `move ${i + 1}: ${mv.block} is not on top of ${mv.from}`, expected };
    }
    to.push(from.pop() ?? top);
  }
  const goal = new Map(task.goal.map((s) => [s.name, s.blocks.join(' ')]));
  for (const [name, blocks] of state) {
    const want = goal.get(name) ?? '';
    if (blocks.join(' ') !== want) return { correct: false, score: 0, reason: `${name} ends as "${blocks.join(' ')}", goal "${want}"`, expected };
  }
  for (const [name, want] of goal) {
    if (want !== '' && !state.has(name)) return { correct: false, score: 0, reason: `goal stack ${name} does not exist`, expected };
  }
  return { correct: true, score: 1, reason: `${parsed.moves.length} legal moves reach the goal`, expected };
}
