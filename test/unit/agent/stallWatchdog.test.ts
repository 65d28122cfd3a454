// The stall watchdog judges the server, not the host: a chunk that reached the host's socket while
// the host's own event loop was held (a loaded machine descheduling it, a long synchronous task)
// is a token in time, even when the silence timer comes due in the same turn of the loop.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchForStall } from '../../../src/agent/stallWatchdog';

/** Holds this thread (and so its event loop) for `ms`, as a descheduled process is held. */
function holdEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback connection: `send` writes from the server's side, `received` iterates what the client reads. */
async function loopback(): Promise<{ send: (text: string) => void; received: AsyncIterable<Buffer> }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer((socket) => {
      sockets.push(socket);
      resolve(socket);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = connect(port, '127.0.0.1');
  sockets.push(client);
  const side = await accepted;
  return { send: (text) => side.write(text), received: client };
}

describe('watchForStall', () => {
  it('a chunk that arrived while the host was held is taken, not reported as a stall', async () => {
    const { send, received } = await loopback();
    const chunks: string[] = [];
    const request = new AbortController();
    send('first');
    for await (const chunk of watchForStall(received, request, { firstChunkMs: 60_000, betweenChunksMs: 200, serverName: 'test server' })) {
      chunks.push(chunk.toString());
      if (chunks.length === 1) {
        // Runs once the watchdog waits for the next chunk (its 200 ms timer armed): the server
        // answers at once, then the host is held past the limit. When it resumes, the timer comes
        // due before the loop reads its sockets again; the chunk was in time all the same.
        setImmediate(() => {
          send('second');
          holdEventLoop(600);
        });
      } else break;
    }
    expect(chunks).toEqual(['first', 'second']);
    expect(request.signal.aborted).toBe(false);
  });

  it('a server that really says nothing is still reported as stalled, and its request aborted', async () => {
    const { send, received } = await loopback();
    const request = new AbortController();
    send('first');
    const chunks: string[] = [];
    const watching = (async () => {
      for await (const chunk of watchForStall(received, request, { firstChunkMs: 60_000, betweenChunksMs: 200, serverName: 'test server' })) chunks.push(chunk.toString());
    })();
    await expect(watching).rejects.toThrow('The test server stalled: no token for 0.2 s');
    expect(chunks).toEqual(['first']);
    expect(request.signal.aborted).toBe(true);
  });

  it('after a chunk saying the reply comes whole, the silence of the whole generation is allowed; without it, the same silence is a stall', async () => {
    const limits = { firstChunkMs: 100, betweenChunksMs: 100, serverName: 'test server', awaitsWholeReply: (chunk: string) => chunk === 'whole' };
    async function* server(marker: boolean): AsyncGenerator<string> {
      if (marker) yield 'whole';
      await new Promise((resolve) => setTimeout(resolve, 500));
      yield 'the reply';
    }
    const chunks: string[] = [];
    for await (const chunk of watchForStall(server(true), new AbortController(), limits)) chunks.push(chunk);
    expect(chunks).toEqual(['whole', 'the reply']);
    const quiet = (async () => {
      for await (const chunk of watchForStall(server(false), new AbortController(), limits)) chunks.push(chunk);
    })();
    await expect(quiet).rejects.toThrow('The test server did not start answering within 0.1 s');
  });
});
