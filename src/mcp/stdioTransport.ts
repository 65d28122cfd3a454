// The stdio transport of `r1ci mcp`: newline-delimited JSON-RPC 2.0 on stdin and stdout, in place
// of the MCP SDK's StdioServerTransport, which only tells its own onerror about a line it cannot
// use and leaves the client waiting. Here every line gets the answer JSON-RPC 2.0 prescribes:
// - not JSON: -32700 Parse error (id null);
// - JSON but no JSON-RPC 2.0 message (no "jsonrpc": "2.0", a null or fractional id, no method):
//   -32600 Invalid Request, with the message's id when it has a usable one, else null; a
//   malformed response is only logged (responses are never answered);
// - a request the screen refuses (params that do not fit the method): the screen's error;
// - a batch (a JSON array): MCP 2025-03-26 and earlier have batches, so for a session that
//   negotiated one of them each element is handled and the replies come back as one array (none
//   when it held only notifications); MCP 2025-06-18 removed batching, so otherwise (and before
//   initialization) the array is refused with one -32600. An empty array is always -32600;
// - a request with the id of one still in progress (not answered, not cancelled): -32600, as MCP
//   forbids reusing an id; handed over, its reply would carry the same id as the other's, and a
//   cancel could reach only one of them (the SDK keeps one abort controller per id).
// A line over `maxLineBytes` closes the transport (onerror, then onclose), as the SDK's does.
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCErrorResponse, type JSONRPCMessage, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The longest message line read (bytes, without its newline): the SDK's stdio read limit. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/** The last MCP protocol version with JSON-RPC batches. */
const LAST_VERSION_WITH_BATCHES = '2025-03-26';

/** A JSON-RPC error object: code and a one-line message. */
export interface JsonRpcErrorBody {
  readonly code: number;
  readonly message: string;
}

/** Looks at a well-formed request before the server gets it; an error returned answers it instead. */
export type RequestScreen = (request: JSONRPCRequest) => JsonRpcErrorBody | undefined;

export interface StdioJsonRpcTransportOptions {
  /** Default: process.stdin / process.stdout. */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly screen?: RequestScreen;
  /** Default MAX_LINE_BYTES. */
  readonly maxLineBytes?: number;
}

/** The requests of one batch still unanswered (by id key) and the replies so far. */
interface PendingBatch {
  readonly replies: unknown[];
  readonly waiting: Set<string>;
  /** True while its elements are still being handed over. */
  open: boolean;
}

/**
 * A server transport for MCP over stdio that answers malformed input (see the file comment).
 * Messages are delivered to `onmessage`; problems also go to `onerror` (for a log), never to stdout.
 */
export class StdioJsonRpcTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  /** The protocol version the server answered `initialize` with; undefined before. */
  private protocolVersion: string | undefined;
  private readonly initializeIds = new Set<string>();
  /** Every request handed to the server and neither answered nor cancelled, by id key → its batch (null: none). */
  private readonly inFlight = new Map<string, PendingBatch | null>();

  constructor(private readonly options: StdioJsonRpcTransportOptions = {}) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
    return Promise.resolve();
  }

  /** Writes one message as a line; a response to a request of a batch waits for the rest of its batch. */
  send(message: JSONRPCMessage): Promise<void> {
    if ('id' in message && message.id !== undefined && ('result' in message || 'error' in message)) {
      const key = idKey(message.id);
      if ('result' in message && this.initializeIds.delete(key) && typeof message.result.protocolVersion === 'string') this.protocolVersion = message.result.protocolVersion;
      const batch = this.inFlight.get(key);
      this.inFlight.delete(key);
      if (batch) {
        batch.replies.push(message);
        this.settle(batch, key);
        return Promise.resolve();
      }
    }
    return this.write(message);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.pending = [];
    this.onclose?.();
    return Promise.resolve();
  }

  private readonly onStreamError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onData = (chunk: Buffer | string): void => {
    let rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = rest.indexOf(0x0a); !this.closed; nl = rest.indexOf(0x0a)) {
      const piece = nl < 0 ? rest : rest.subarray(0, nl);
      if (this.pendingBytes + piece.length > this.maxLineBytes) {
        this.onerror?.(new Error(`A message line exceeded maximum size of ${this.maxLineBytes} bytes`));
        void this.close();
        return;
      }
      if (nl < 0) {
        if (piece.length > 0) this.pending.push(piece);
        this.pendingBytes += piece.length;
        return;
      }
      const line = Buffer.concat([...this.pending, piece]).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      rest = rest.subarray(nl + 1);
      this.onLine(line.replace(/\r$/, ''));
    }
  };

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.complain(`Parse error: ${error instanceof Error ? error.message : String(error)}`);
      void this.write(errorReply(null, ErrorCode.ParseError, 'Parse error: the line is not JSON'));
      return;
    }
    const reply = Array.isArray(value) ? this.acceptBatch(value) : this.accept(value, undefined);
    if (reply) void this.write(reply);
  }

  /** A batch handed over element by element, or the single error that refuses it. */
  private acceptBatch(items: readonly unknown[]): JSONRPCErrorResponse | undefined {
    if (items.length === 0) return this.refuse(null, ErrorCode.InvalidRequest, 'Invalid Request: an empty batch');
    const version = this.protocolVersion;
    if (version === undefined || version > LAST_VERSION_WITH_BATCHES) {
      const why = version === undefined ? 'before initialization' : `this session uses MCP ${version}, and batching was removed in 2025-06-18`;
      return this.refuse(null, ErrorCode.InvalidRequest, `Invalid Request: JSON-RPC batches are not accepted (${why}); send one message per line`);
    }
    const batch: PendingBatch = { replies: [], waiting: new Set(), open: true };
    for (const item of items) {
      const reply = Array.isArray(item) ? this.refuse(null, ErrorCode.InvalidRequest, 'Invalid Request: a batch inside a batch') : this.accept(item, batch);
      if (reply) batch.replies.push(reply);
    }
    batch.open = false;
    this.settle(batch, undefined);
    return undefined;
  }

  /** Hands one message to the server; returns the error reply instead when it is not handed over. */
  private accept(value: unknown, batch: PendingBatch | undefined): JSONRPCErrorResponse | undefined {
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const why = whyInvalid(value);
      // A malformed response is not answered: the client sends it in reply to us.
      if (why.response) {
        this.complain(`a malformed response was ignored: ${why.message}`);
        return undefined;
      }
      return this.refuse(why.id, why.code, `${why.code === ErrorCode.InvalidParams ? 'Invalid params' : 'Invalid Request'}: ${why.message}`);
    }
    const message = parsed.data;
    if ('method' in message && 'id' in message) {
      const key = idKey(message.id);
      if (this.inFlight.has(key)) return this.refuse(message.id, ErrorCode.InvalidRequest, `Invalid Request: id ${JSON.stringify(message.id).slice(0, 100)} is already in use by a request in progress`);
      const refusal = this.options.screen?.(message);
      if (refusal) return this.refuse(message.id, refusal.code, refusal.message);
      if (message.method === 'initialize') this.initializeIds.add(key);
      this.inFlight.set(key, batch ?? null);
      batch?.waiting.add(key);
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      // A cancelled request gets no response: its id is free again, its batch stops waiting for it.
      const requestId: unknown = message.params?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        const key = idKey(requestId);
        const batch = this.inFlight.get(key);
        this.inFlight.delete(key);
        if (batch) this.settle(batch, key);
      }
    }
    this.onmessage?.(message);
    return undefined;
  }

  /** Counts the answer (or cancel) of `key` in `batch`; writes the batch's replies once none is awaited. */
  private settle(batch: PendingBatch, key: string | undefined): void {
    if (key !== undefined) batch.waiting.delete(key);
    if (batch.open || batch.waiting.size > 0) return;
    if (batch.replies.length > 0) void this.write(batch.replies);
  }

  private refuse(id: RequestId | null, code: number, message: string): JSONRPCErrorResponse {
    this.complain(message);
    return errorReply(id, code, message);
  }

  private complain(message: string): void {
    this.onerror?.(new Error(message));
  }

  private write(value: unknown): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(value)}\n`)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}

/** JSON-RPC allows a null id only in replies to what had no readable id (the SDK's type does not). */
function errorReply(id: RequestId | null, code: number, message: string): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCErrorResponse;
}

/** String and number ids are distinct ("1" is not 1). */
function idKey(id: RequestId): string {
  return `${typeof id}:${String(id)}`;
}

function isUsableId(id: unknown): id is RequestId {
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
}

/** Why `value` is no JSON-RPC 2.0 message for MCP: the reply's id and code, and whether it is a response (never answered). */
function whyInvalid(value: unknown): { id: RequestId | null; code: number; message: string; response: boolean } {
  if (typeof value !== 'object' || value === null) return { id: null, code: ErrorCode.InvalidRequest, message: 'a message is a JSON object', response: false };
  const record = value as Record<string, unknown>;
  const id = isUsableId(record.id) ? record.id : null;
  const response = !('method' in record) && ('result' in record || 'error' in record);
  const invalid = (message: string, code: number = ErrorCode.InvalidRequest) => ({ id, code, message, response });
  if (record.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"');
  if ('id' in record && !isUsableId(record.id)) return invalid('"id" must be a string or a safe integer (MCP allows no null id)');
  if (!('method' in record) && !response) return invalid('no "method"');
  if ('method' in record && typeof record.method !== 'string') return invalid('"method" must be a string');
  // JSON-RPC allows params by position; MCP's are always named: a well-formed request with an array is invalid params.
  if (Array.isArray(record.params) && id !== null) return invalid('MCP params are an object, not an array', ErrorCode.InvalidParams);
  if ('params' in record && (typeof record.params !== 'object' || record.params === null || Array.isArray(record.params))) return invalid('"params" must be an object');
  return invalid(response ? 'not a well-formed response' : 'not a JSON-RPC 2.0 message');
}
