// A seeded random generator for property tests: a failure names a seed that replays it.

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): returns a function giving numbers in [0, 1),
 * the same sequence for the same `seed` (any number; its low 32 bits are used).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
