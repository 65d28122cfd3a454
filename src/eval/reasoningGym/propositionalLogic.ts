// propositional_logic: RG parses the conclusion with its own splitter (outer parentheses
// dropped; ↔, then →, ∨, ∧ split at the rightmost top-level occurrence; a leading ¬; anything
// else is a variable name, quotes and brackets included) and checks by truth table that the
// premises entail it: 1, or 0.25 for a tautology / bare variable, 0.05 when not entailed.

import { metaArray, RgDataError, type RgScorer } from './entry';
import { pyStrip } from './py';

type Expr = { readonly op: null; readonly name: string } | { readonly op: '¬'; readonly arg: Expr } | { readonly op: '∧' | '∨' | '→' | '↔'; readonly left: Expr; readonly right: Expr };

const LEVELS = ['↔', '→', '∨', '∧'] as const;
/** Truth tables over more variables than this are refused (RG would enumerate 2^n rows). */
const MAX_VARIABLES = 16;
const MAX_DEPTH = 200;

class ParseError extends Error {}

function parse(text: string, depth = 0): Expr {
  if (depth > MAX_DEPTH) throw new ParseError('nested too deeply');
  const expr = pyStrip(text);
  if (expr === '') throw new ParseError('empty expression');
  const chars = [...expr];
  if (chars[0] === '(' && chars[chars.length - 1] === ')') {
    let level = 0;
    let enclosed = true;
    for (const c of chars.slice(1, -1)) {
      if (c === '(') level++;
      else if (c === ')') {
        level--;
        if (level < 0) {
          enclosed = false;
          break;
        }
      }
    }
    if (level === 0 && enclosed) return parse(chars.slice(1, -1).join(''), depth + 1);
  }
  for (const op of LEVELS) {
    let level = 0;
    for (let i = chars.length - 1; i >= 0; i--) {
      const c = chars[i];
      if (c === ')') level++;
      else if (c === '(') level--;
      else if (level === 0 && c === op) {
        return { op, left: parse(chars.slice(0, i).join(''), depth + 1), right: parse(chars.slice(i + 1).join(''), depth + 1) };
      }
    }
  }
  if (chars[0] === '¬') return { op: '¬', arg: parse(chars.slice(1).join(''), depth + 1) };
  return { op: null, name: expr };
}

function evaluate(e: Expr, values: ReadonlyMap<string, boolean>): boolean {
  switch (e.op) {
    case null:
      return values.get(e.name) ?? false;
    case '¬':
      return !evaluate(e.arg, values);
    case '∧':
      return evaluate(e.left, values) && evaluate(e.right, values);
    case '∨':
      return evaluate(e.left, values) || evaluate(e.right, values);
    case '→':
      return !evaluate(e.left, values) || evaluate(e.right, values);
    case '↔':
      return evaluate(e.left, values) === evaluate(e.right, values);
  }
}

function variables(e: Expr, into: Set<string>): Set<string> {
  if (e.op === null) into.add(e.name);
  else if (e.op === '¬') variables(e.arg, into);
  else {
    variables(e.left, into);
    variables(e.right, into);
  }
  return into;
}

/** Every assignment of the variables (RG's order: sorted names, bit j of the row for name j). */
function* assignments(vars: Set<string>): Generator<Map<string, boolean>> {
  const names = [...vars].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < 2 ** names.length; i++) yield new Map(names.map((n, j) => [n, ((i >> j) & 1) === 1]));
}

export const propositionalLogic: RgScorer = (answer, entry) => {
  const valid = new Set(metaArray(entry, 'variables').map(String));
  if ((answer.match(/[A-Z]/g) ?? []).some((v) => !valid.has(v))) return 0;
  let premises: Expr[];
  let conclusion: Expr;
  try {
    premises = metaArray(entry, 'premises').map((p) => {
      if (typeof p !== 'string') throw new RgDataError('metadata.premises is malformed');
      return parse(p);
    });
    conclusion = parse(answer);
  } catch (e) {
    if (e instanceof ParseError) return 0;
    throw e;
  }
  const vars = new Set<string>();
  for (const p of [...premises, conclusion]) variables(p, vars);
  if (vars.size > MAX_VARIABLES) return 0;
  for (const a of assignments(vars)) {
    if (premises.every((p) => evaluate(p, a)) && !evaluate(conclusion, a)) return 0.05;
  }
  if (conclusion.op === null) return 0.25;
  for (const a of assignments(variables(conclusion, new Set()))) if (!evaluate(conclusion, a)) return 1;
  return 0.25;
};
