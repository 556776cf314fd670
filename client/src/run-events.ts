import type { ResponseBody } from './api-types.js';

/** One event of a run, as SSE sends it in `data:` (and the WebSocket as a message): a union on `type`. */
export type RunEvent = ResponseBody<
  'POST /api/tenants/{tenantId}/conversations/{conversationId}/stream',
  'text/event-stream'
>;

/** The event type names (`run_start`, `text`, `tool_call`, `final`, `usage`, `error` …). */
export type RunEventType = RunEvent['type'];

/** The event of one type, e.g. `RunEventOf<'tool_call'>`. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
