// r1ci's stdout carries only the command's data: a `--json` document, JSONL, the MCP protocol.
// A library that prints with console.log would break that; its words belong on stderr.

/**
 * Points `console.log`, `console.info` and `console.debug` at stderr (as `console.error` writes),
 * so nothing but the command's own output reaches stdout. Why: the `ollama` client (0.6.x)
 * console.logs "Getting text from response" whenever a server answers an error that is not
 * JSON (a proxy's page, a URL with a wrong path), which made `solve --json` print a non-JSON
 * line first and put a stray line into `r1ci mcp`'s JSON-RPC stream on stdio.
 */
export function consoleToStderr(target: Console = console): void {
  const toStderr = target.error.bind(target);
  target.log = toStderr;
  target.info = toStderr;
  target.debug = toStderr;
}
