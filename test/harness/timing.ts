// Runner log lines carry the elapsed time so slow phases stand out in CI output.
const started = Date.now();

export function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(1)}s`;
}

export function step(message: string): void {
  console.log(`[harness ${elapsed()}] ${message}`);
}
