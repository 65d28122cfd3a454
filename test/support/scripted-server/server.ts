// The scripted model server: a real node:http server speaking Ollama's API and the
// OpenAI-compatible API, replying from scenario files instead of a model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseJsonBody, readBody, sendJson, sendText } from './http';
import { assertUniqueIds, loadScenarios } from './loadScenarios';
import { DEFAULT_MODELS, ModelRegistry, type ModelSpec } from './models';
import { handleOllama } from './ollamaRoutes';
import { handleOpenAi } from './openaiRoutes';
import { errorBodyIn, openAiErrorBody, type ErrorForm } from './openaiWire';
import type { ReplyPlan } from './replyPlan';
import { RequestLog, type ApiKind, type RecordedRequest } from './requestLog';
import type { RouteContext } from './route';
import type { Scenario } from './scenarioSchema';
import type { ServerState } from './state';
import { TimerRegistry } from './timers';

export interface ScriptedServerOptions {
  /** Scenarios, or a scenario file, or a folder of them. */
  readonly scenarios: Scenario[] | string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Installed models (default: r1-code-interpreter:7b and qwen2.5-coder:7b). */
  readonly models?: readonly ModelSpec[];
  /** Names /api/pull accepts (default: any name). */
  readonly pullable?: 'any' | readonly string[];
  /** When set, /v1/* answers 401 unless `Authorization: Bearer <apiKey>` is sent. */
  readonly apiKey?: string;
  /** Ollama context window when a request sets no num_ctx (default 4096, as Ollama 0.12). */
  readonly defaultContextTokens?: number;
  /** Delay between /api/pull progress lines (default 0). */
  readonly pullStepDelayMs?: number;
  /**
   * The first N requests that arrive on a connection which already carried a request get no
   * reply: their connection is reset (RST). This is what a client sees when the server closes an
   * idle kept-alive connection just as the client sends on it (uvicorn, and so vLLM, closes idle
   * connections after 5 s; Node's own server after 5 s). Default 0.
   */
  readonly resetReusedConnections?: number;
  /**
   * The model listings and metadata (/api/tags, /api/ps, /api/version, /api/show, /v1/models) and /api/pull
   * answer HTTP 200 with a body that is only this error, as a proxy in front of the server may:
   * `{"error": message}` (`form` string, default) or `{"error": {"message", "type", "code"}}` (object).
   */
  readonly listingError?: { readonly message: string; readonly form?: ErrorForm };
}

export interface ScriptedServer {
  /** e.g. "http://127.0.0.1:43121" (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received so far, in order; entries keep filling in while a reply streams. */
  readonly requests: readonly RecordedRequest[];
  /** Only the /api/chat and /v1/chat/completions requests. */
  chatRequests(): RecordedRequest[];
  /** Resolves with the first request (now or later) satisfying `predicate`. */
  waitForRequest(predicate: (r: RecordedRequest) => boolean, signal?: AbortSignal): Promise<RecordedRequest>;
  /** Replaces the scenarios with those of a file or folder; returns them. */
  loadScenarios(pathOrDir: string): Scenario[];
  setScenarios(scenarios: Scenario[]): void;
  clearRequests(): void;
  /** Timers the server has pending (0 when idle: nothing leaks). */
  readonly activeTimers: number;
  /** Open client connections. */
  readonly openConnections: number;
  /** Stops listening, aborts every reply in progress and destroys every socket. */
  close(): Promise<void>;
}

function apiOf(path: string): ApiKind {
  if (path.startsWith('/api/')) return 'ollama';
  if (path.startsWith('/v1/')) return 'openai';
  return 'other';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The paths `listingError` applies to. */
const LISTINGS: ReadonlySet<string> = new Set(['/api/tags', '/api/ps', '/api/version', '/api/show', '/api/pull', '/v1/models']);

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const initial = typeof options.scenarios === 'string' ? loadScenarios(options.scenarios) : [...options.scenarios];
  assertUniqueIds(initial, 'the scenarios given to startScriptedServer');
  const state: ServerState = {
    scenarios: initial,
    models: new ModelRegistry(options.models ?? DEFAULT_MODELS, options.pullable ?? 'any'),
    log: new RequestLog(),
    timers: new TimerRegistry(),
    faultCounters: new Map(),
    defaultContextTokens: options.defaultContextTokens ?? 4096,
    apiKey: options.apiKey,
    pullStepDelayMs: options.pullStepDelayMs ?? 0,
  };
  const sockets = new Set<Socket>();
  /** Requests each connection has carried, for resetReusedConnections. */
  const carried = new WeakMap<Socket, number>();
  let resetsLeft = options.resetReusedConnections ?? 0;
  const inFlight = new Set<AbortController>();
  let closing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://scripted.invalid').pathname;
    const api = apiOf(path);
    const entry = state.log.add({ method, path, api, authorization: headerValue(req.headers['authorization']) });
    const before = carried.get(req.socket) ?? 0;
    carried.set(req.socket, before + 1);
    if (before > 0 && resetsLeft > 0) {
      resetsLeft--;
      entry.dropped = true;
      state.log.changed();
      req.socket.resetAndDestroy();
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('finish', () => {
      entry.status = res.statusCode;
      state.log.changed();
    });
    // 'close' without a finished response means the client went away (or we dropped it).
    res.on('close', () => {
      if (!res.writableFinished && !entry.dropped && !closing) {
        entry.aborted = true;
        entry.abortedAt = Date.now();
      }
      if (res.headersSent) entry.status ??= res.statusCode;
      controller.abort();
      inFlight.delete(controller);
      state.log.changed();
    });

    const body = parseJsonBody(await readBody(req));
    if (body instanceof Error) {
      entry.problems.push(`body is not JSON: ${body.message}`);
      const message = `invalid JSON body: ${body.message}`;
      return sendJson(res, 400, api === 'openai' ? openAiErrorBody(message, 'invalid_request_error', null) : { error: message });
    }
    entry.body = body;
    const ctx: RouteContext = {
      method,
      path,
      headers: req.headers,
      body,
      res,
      state,
      entry,
      signal: controller.signal,
      reply: { res, signal: controller.signal, timers: state.timers, entry, log: state.log },
      recordPlan: (plan: ReplyPlan) => {
        entry.question = plan.question;
        entry.scenarioId = plan.scenarioId;
        if (plan.turnIndex !== null) entry.turnIndex = plan.turnIndex;
        entry.resultCount = plan.resultCount;
        entry.latestResult = plan.latestResult;
        entry.problems.push(...plan.problems);
        state.log.changed();
      },
    };
    if (options.listingError !== undefined && LISTINGS.has(path)) return sendJson(res, 200, errorBodyIn(options.listingError.form ?? 'string', 500, options.listingError.message));
    if ((await handleOllama(ctx)) || (await handleOpenAi(ctx))) return;
    // Ollama answers its root path so clients can probe it; anything else is Go's plain 404.
    if ((method === 'GET' || method === 'HEAD') && path === '/') return sendText(res, 200, 'Ollama is running');
    sendText(res, 404, '404 page not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: `scripted server bug: ${message}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    get requests() {
      return state.log.all;
    },
    chatRequests: () => state.log.all.filter((r) => r.path === '/api/chat' || r.path === '/v1/chat/completions'),
    waitForRequest: (predicate, signal) => state.log.waitFor(predicate, signal),
    loadScenarios(pathOrDir: string) {
      state.scenarios = loadScenarios(pathOrDir);
      return state.scenarios;
    },
    setScenarios(scenarios: Scenario[]) {
      assertUniqueIds(scenarios, 'setScenarios');
      state.scenarios = [...scenarios];
    },
    clearRequests: () => state.log.clear(),
    get activeTimers() {
      return state.timers.active;
    },
    get openConnections() {
      return sockets.size;
    },
    async close() {
      closing = true;
      for (const controller of inFlight) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Wait for every socket's own 'close' so nothing is left open when this resolves.
      const socketsClosed = [...sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.destroyed && !sockets.has(socket)) return resolve();
            socket.once('close', () => resolve());
            socket.destroy();
          }),
      );
      server.closeAllConnections();
      await Promise.all([closed, ...socketsClosed]);
    },
  };
}
