/** One `<<<…>>>` marker in a text: `index` of its `<<<`, `end` just past its `>>>` (UTF-16 offsets), `inner` between them. */
export interface AnswerMarker {
  readonly index: number;
  readonly end: number;
  readonly inner: string;
}

/**
 * The `<<<…>>>` markers of `text`, in order, as `text.matchAll(/<<<([\s\S]*?)>>>/g)` finds them
 * (each ends at the first `>>>` after its `<<<`; the next is searched after it). Found by
 * `indexOf`, so the cost is linear in the text's length: the regex scanned to the end from every
 * `<<<` of a text that has no `>>>` after them (a looping reply, a cell's output).
 */
export function answerMarkers(text: string): AnswerMarker[] {
  const markers: AnswerMarker[] = [];
  for (let at = text.indexOf('<<<'); at >= 0; at = text.indexOf('<<<', at)) {
    const close = text.indexOf('>>>', at + 3);
    if (close < 0) break;
    markers.push({ index: at, end: close + 3, inner: text.slice(at + 3, close) });
    at = close + 3;
  }
  return markers;
}
