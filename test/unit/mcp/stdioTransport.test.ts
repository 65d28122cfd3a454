// StdioJsonRpcTransport on in-memory streams: the framing and the JSON-RPC 2.0 answers to input a
// sloppy or hostile client sends (the CLI-level test is in mcpServer.test.ts).
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { StdioJsonRpcTransport, type RequestScreen } from '../../../src/mcp/stdioTransport';

function harness(options: { screen?: RequestScreen; maxLineBytes?: number } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const written: unknown[] = [];
  let buffered = '';
  stdout.on('data', (b: Buffer) => {
    buffered += b.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      written.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  });
  const transport = new StdioJsonRpcTransport({ stdin, stdout, ...options });
  const received: JSONRPCMessage[] = [];
  const methods = (): (string | undefined)[] => received.map((m) => ('method' in m ? m.method : undefined));
  const errors: string[] = [];
  let closed = false;
  transport.onmessage = (m) => received.push(m);
  transport.onerror = (e) => errors.push(e.message);
  transport.onclose = () => (closed = true);
  const flush = () => new Promise((r) => setImmediate(r));
  /** Runs initialize through the transport, answered with `version`. */
  const initialize = async (version: string): Promise<void> => {
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: {} })}\n`);
    await flush();
    await transport.send({ jsonrpc: '2.0', id: 'init', result: { protocolVersion: version } });
    await flush();
    written.length = 0;
    received.length = 0;
  };
  return { stdin, transport, written, received, methods, errors, flush, initialize, closed: () => closed };
}

describe('StdioJsonRpcTransport', () => {
  it('reads lines split across chunks, CRLF endings and a multi-byte character cut in two; blank lines are skipped', async () => {
    const h = harness();
    await h.transport.start();
    const line = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { text: 'ä€😀' } })}\r\n`);
    h.stdin.write(line.subarray(0, 40));
    h.stdin.write(line.subarray(40, line.indexOf(0x82)));
    h.stdin.write(Buffer.concat([line.subarray(line.indexOf(0x82)), Buffer.from('\n  \n')]));
    await h.flush();
    expect(h.received).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping', params: { text: 'ä€😀' } }]);
    expect(h.written).toEqual([]);
  });

  it('answers what is no JSON-RPC request with its id when it has one, and never answers a malformed response', async () => {
    const h = harness();
    await h.transport.start();
    for (const line of [
      'nope',
      '"text"',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
      '{"jsonrpc":"2.0","id":1.5,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1e300,"method":"ping"}',
      '{"jsonrpc":"1.0","id":"a","method":"ping"}',
      '{"jsonrpc":"2.0","id":2,"method":7}',
      '{"jsonrpc":"2.0","id":3,"result":1}',
    ])
      h.stdin.write(`${line}\n`);
    await h.flush();
    expect(h.written.map((w) => [(w as { id: unknown }).id, (w as { error: { code: number } }).error.code])).toEqual([
      [null, -32700],
      [null, -32600],
      [null, -32600],
      [null, -32600],
      [null, -32600],
      ['a', -32600],
      [2, -32600],
    ]);
    expect(h.received).toEqual([]);
    expect(h.errors.at(-1)).toMatch(/malformed response was ignored/);
  });

  it('answers a request the screen refuses with its error instead of delivering it', async () => {
    const h = harness({ screen: (r) => (r.method === 'tools/call' ? { code: -32602, message: 'Invalid params: no' } : undefined) });
    await h.transport.start();
    h.stdin.write('{"jsonrpc":"2.0","id":1,"method":"tools/call"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    await h.flush();
    expect(h.written).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params: no' } }]);
    expect(h.received.map((m) => ('id' in m ? m.id : undefined))).toEqual([2]);
  });

  it('refuses a batch with one -32600 before initialization and under MCP 2025-06-18; an empty one always', async () => {
    const h = harness();
    await h.transport.start();
    h.stdin.write('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n');
    await h.flush();
    await h.initialize('2025-06-18');
    h.stdin.write('[{"jsonrpc":"2.0","id":2,"method":"ping"}]\n[]\n');
    await h.flush();
    expect(h.methods().filter((m) => m === 'ping')).toEqual([]);
    expect(h.written).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/batches are not accepted \(this session uses MCP 2025-06-18/) as unknown } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: an empty batch' } },
    ]);
  });

  it('under MCP 2025-03-26 answers a batch with one array once every request in it is answered or cancelled', async () => {
    const h = harness();
    await h.transport.start();
    await h.initialize('2025-03-26');
    h.stdin.write(`${JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'slow' }, [], { jsonrpc: '2.0', method: 'notifications/x' }])}\n`);
    await h.flush();
    expect(h.methods()).toEqual(['ping', 'slow', 'notifications/x']);
    // A request that reuses the id of one a batch still waits for is refused (its reply would join the batch).
    h.stdin.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    await h.flush();
    expect(h.written).toEqual([{ jsonrpc: '2.0', id: 2, error: { code: -32600, message: expect.stringMatching(/already in use/) as unknown } }]);
    h.written.length = 0;
    await h.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    await h.flush();
    expect(h.written).toEqual([]);
    // The client cancels the slow one: the SDK sends no response for it, and the batch is answered without it.
    h.stdin.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}\n');
    await h.flush();
    expect(h.written).toEqual([
      [
        { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: a batch inside a batch' } },
        { jsonrpc: '2.0', id: 1, result: {} },
      ],
    ]);
    // A batch of notifications only is answered with nothing.
    h.written.length = 0;
    h.stdin.write('[{"jsonrpc":"2.0","method":"notifications/x"}]\n');
    await h.flush();
    expect(h.written).toEqual([]);
  });

  it('refuses a request that reuses the id of one in progress; the id is free again once answered or cancelled', async () => {
    const h = harness();
    await h.transport.start();
    const ping = (id: number | string): boolean => h.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\n`);
    ping(1);
    ping(1);
    ping('1'); // another id: a string is not the number
    await h.flush();
    expect(h.received.map((m) => ('id' in m ? m.id : undefined))).toEqual([1, '1']);
    expect(h.written).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'Invalid Request: id 1 is already in use by a request in progress' } }]);
    await h.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    h.stdin.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"1"}}\n');
    ping(1);
    ping('1');
    await h.flush();
    expect(h.received.flatMap((m) => ('method' in m && 'id' in m && m.method === 'ping' ? [m.id] : []))).toEqual([1, '1', 1, '1']);
  });

  it('a line over the limit closes the transport: onerror says why, then onclose, and nothing more is read', async () => {
    const h = harness({ maxLineBytes: 64 });
    await h.transport.start();
    h.stdin.write(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(100)}"}}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n`);
    await h.flush();
    expect(h.errors).toEqual(['A message line exceeded maximum size of 64 bytes']);
    expect(h.closed()).toBe(true);
    expect(h.received).toEqual([]);
  });
});
