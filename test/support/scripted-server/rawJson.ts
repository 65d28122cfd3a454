// JSON text written as it is inside a reply: a scripted tool call's arguments nested deeper than
// JSON.stringify can recurse (tens of thousands of arrays, a hostile or broken model's output)
// still go out, as a real server would forward them.

/** JSON text to be written verbatim where this object stands in a value given to `jsonWithRaw`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `value` as JSON text (like JSON.stringify), each RawJson in it written as its own text. */
export function jsonWithRaw(value: unknown, space?: number): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => (item instanceof RawJson ? `\u0000raw${raws.push(item.text) - 1}\u0000` : item), space);
  return raws.length === 0 ? text : text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)] ?? 'null');
}

/** The scripted arguments text as a RawJson when it is a JSON object (sent as the object itself), else undefined. */
export function rawJsonObject(text: string): RawJson | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    JSON.parse(text);
    return new RawJson(text);
  } catch {
    return undefined;
  }
}
