// Small independent solvers used by the tests to build ALTERNATIVE valid answers, so the
// constraint scorers are shown to accept any right answer, not only the stored one.
// Arithmetic here uses plain floats on purpose: it must not share code with the scorer.

export type Pos = [number, number];

export function allQueenSolutions(size: number, placed: readonly Pos[], blocked: readonly Pos[]): Pos[][] {
  const fixed = new Map(placed.map(([r, c]) => [r, c]));
  const blockedSet = new Set(blocked.map(([r, c]) => `${r},${c}`));
  const out: Pos[][] = [];
  const cols: number[] = [];
  const place = (r: number): void => {
    if (r === size) {
      out.push(cols.map((c, i) => [i, c]));
      return;
    }
    const candidates = fixed.has(r) ? [fixed.get(r) ?? 0] : [...Array(size).keys()];
    for (const c of candidates) {
      if (blockedSet.has(`${r},${c}`)) continue;
      if (cols.some((pc, pr) => pc === c || Math.abs(pc - c) === r - pr)) continue;
      cols.push(c);
      place(r + 1);
      cols.pop();
    }
  };
  place(0);
  return out;
}

export interface Stack {
  readonly name: string;
  readonly blocks: readonly string[];
}

type State = string[][];
const stateKey = (s: State): string => s.map((x) => x.join('')).join('|');

/** All plans (move lists) of length ≤ maxLen reaching the goal, found by depth-limited search. */
export function blocksworldPlans(initial: readonly Stack[], goal: readonly Stack[], maxLen: number, limit = 20): string[][] {
  const names = initial.map((s) => s.name);
  const goalMap = new Map(goal.map((g) => [g.name, g.blocks.join('')]));
  const isGoal = (s: State): boolean => s.every((blocks, i) => blocks.join('') === (goalMap.get(names[i] ?? '') ?? ''));
  const plans: string[][] = [];
  const path: string[] = [];
  const onPath = new Set<string>();
  const dfs = (s: State, depth: number): void => {
    if (plans.length >= limit) return;
    if (isGoal(s)) {
      plans.push([...path]);
      return;
    }
    if (depth === maxLen) return;
    for (let from = 0; from < s.length; from++) {
      const top = s[from]?.[s[from]!.length - 1];
      if (top === undefined) continue;
      for (let to = 0; to < s.length; to++) {
        if (to === from) continue;
        const next = s.map((x) => [...x]);
        next[from]!.pop();
        next[to]!.push(top);
        const k = stateKey(next);
        if (onPath.has(k)) continue;
        onPath.add(k);
        path.push(`Move ${top} from ${names[from]} to ${names[to]}`);
        dfs(next, depth + 1);
        path.pop();
        onPath.delete(k);
      }
    }
  };
  const start = initial.map((s) => [...s.blocks]);
  onPath.add(stateKey(start));
  dfs(start, 0);
  return plans.sort((a, b) => a.length - b.length);
}

interface Expr {
  readonly text: string;
  readonly value: number;
}

function combine(a: Expr, b: Expr): Expr[] {
  const out: Expr[] = [
    { text: `(${a.text}+${b.text})`, value: a.value + b.value },
    { text: `(${a.text}-${b.text})`, value: a.value - b.value },
    { text: `(${a.text}*${b.text})`, value: a.value * b.value },
  ];
  if (b.value !== 0) out.push({ text: `(${a.text}/${b.text})`, value: a.value / b.value });
  return out;
}

/** Expressions over the numbers in the given order (any bracketing) that hit the target. */
export function orderedExpressions(numbers: readonly number[], target: number): string[] {
  const memo = new Map<string, Expr[]>();
  const build = (i: number, j: number): Expr[] => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out: Expr[] = [];
    if (i === j) out.push({ text: String(numbers[i]), value: numbers[i] ?? Number.NaN });
    for (let k = i; k < j; k++) for (const a of build(i, k)) for (const b of build(k + 1, j)) out.push(...combine(a, b));
    memo.set(key, out);
    return out;
  };
  return build(0, numbers.length - 1)
    .filter((e) => Math.abs(e.value - target) < 1e-9)
    .map((e) => e.text);
}

/** Expressions using the numbers in any order that hit the target. */
export function anyOrderExpressions(numbers: readonly number[], target: number): string[] {
  const out = new Set<string>();
  const perms = (rest: number[], acc: number[]): void => {
    if (rest.length === 0) {
      for (const e of orderedExpressions(acc, target)) out.add(e);
      return;
    }
    rest.forEach((n, i) => perms([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, n]));
  };
  perms([...numbers], []);
  return [...out];
}

/** Plain float evaluation of + - * / ( ) for the test's own cross-checks (shunting-yard). */
export function floatEval(expr: string): number {
  const tokens = expr.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  const out: number[] = [];
  const ops: string[] = [];
  const prec: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };
  const apply = (): void => {
    const op = ops.pop();
    const b = out.pop() ?? Number.NaN;
    const a = out.pop() ?? Number.NaN;
    out.push(op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
  };
  for (const t of tokens) {
    if (/\d/.test(t)) out.push(Number(t));
    else if (t === '(') ops.push(t);
    else if (t === ')') {
      while (ops.length && ops[ops.length - 1] !== '(') apply();
      ops.pop();
    } else {
      while (ops.length && (prec[ops[ops.length - 1] ?? ''] ?? 0) >= (prec[t] ?? 0)) apply();
      ops.push(t);
    }
  }
  while (ops.length) apply();
  return out[0] ?? Number.NaN;
}

/** A shortest plan by iterative deepening (plain DFS would return any plan first). */
export function shortestBlocksworldPlan(initial: readonly Stack[], goal: readonly Stack[], maxLen: number): string[] | undefined {
  for (let len = 0; len <= maxLen; len++) {
    const found = blocksworldPlans(initial, goal, len, 1)[0];
    if (found) return found;
  }
  return undefined;
}
