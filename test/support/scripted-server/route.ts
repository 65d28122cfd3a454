// What a route handler receives for one request.
import type { ServerResponse } from 'node:http';
import type { ReplyPlan } from './replyPlan';
import type { RecordedRequest } from './requestLog';
import type { ServerState } from './state';
import type { ReplyContext } from './streamReply';

export interface RouteContext {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (undefined when there was none). */
  readonly body: unknown;
  readonly res: ServerResponse;
  readonly state: ServerState;
  readonly entry: RecordedRequest;
  readonly signal: AbortSignal;
  readonly reply: ReplyContext;
  /** Copies the plan's decisions into the request log. */
  recordPlan(plan: ReplyPlan): void;
}
