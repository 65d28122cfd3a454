// How deeply JSON nests, counted without recursion. JSON.parse reads any depth (V8's parser does
// not recurse), but JSON.stringify, zod and our own readers do: 100,000 nested arrays (200 kB of a
// model server's reply, a tool call's arguments, a model's own text) would end the run with
// "Maximum call stack size exceeded". Whatever comes from a server or a model is measured here
// before anything recursive walks it.

/**
 * The deepest nesting of arrays and objects read from a server or a model (levels). A tool call's
 * arguments need two or three; far below the depth at which JSON.stringify runs out of stack
 * (some thousands of levels, less inside a deep call stack).
 */
export const MAX_JSON_DEPTH = 512;

/**
 * How deeply `text` nests JSON arrays and objects (`[`/`{` outside strings), in levels: 0 for a
 * scalar. Text that is not JSON is counted all the same (its brackets outside strings). Linear, no recursion.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/**
 * How deeply `value` (as JSON.parse gives it) nests arrays and objects, in levels (0 for a
 * scalar), counted without recursion; the count stops at `limit + 1` (a deeper value is not walked further).
 */
export function valueDepth(value: unknown, limit: number = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return limit + 1;
    for (const item of Array.isArray(next.value) ? next.value : Object.values(next.value)) stack.push({ value: item, depth });
  }
  return deepest;
}

/**
 * `value` (as JSON.parse gives it) as JSON text, like JSON.stringify, at any depth: a value nested
 * deeper than MAX_JSON_DEPTH is written without recursion (so a tool call's arguments pass on
 * whole, to be refused by their reader with the depth named, not lost in a RangeError).
 */
export function jsonTextOf(value: unknown): string {
  if (valueDepth(value) <= MAX_JSON_DEPTH) return JSON.stringify(value) ?? 'null';
  const out: string[] = [];
  const open: Array<{ readonly close: string; readonly items: ReadonlyArray<readonly [string | undefined, unknown]>; at: number }> = [];
  const write = (item: unknown): void => {
    if (Array.isArray(item)) {
      out.push('[');
      open.push({ close: ']', items: item.map((v: unknown) => [undefined, v] as const), at: 0 });
    } else if (typeof item === 'object' && item !== null) {
      out.push('{');
      open.push({ close: '}', items: Object.entries(item), at: 0 });
    } else out.push(JSON.stringify(item) ?? 'null');
  };
  write(value);
  for (let top = open.at(-1); top !== undefined; top = open.at(-1)) {
    const entry = top.items[top.at];
    if (entry === undefined) {
      out.push(top.close);
      open.pop();
      continue;
    }
    if (top.at++ > 0) out.push(',');
    if (entry[0] !== undefined) out.push(JSON.stringify(entry[0]), ':');
    write(entry[1]);
  }
  return out.join('');
}

/** What to say of JSON nested `depth` levels deep (more than MAX_JSON_DEPTH): "nested 100001 levels deep (at most 512 are read)". */
export function tooDeepWords(depth: number): string {
  return `nested ${depth} levels deep (at most ${MAX_JSON_DEPTH} are read)`;
}
