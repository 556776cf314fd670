import { WsClientMessage } from './ws-messages.js';

/** The OpenAPI description of the WebSocket routes: an upgrade has no request or response body to schema. */
export const WS_DESCRIPTION = [
  'Upgrade to a WebSocket (JSON text frames). Credential: `X-API-Key` or `Authorization: Bearer` on the upgrade.',
  '',
  '**Client messages** (schema below): `{"type":"chat","content"}` starts a run (same limits as `/stream`; one',
  'active run per connection, a second `chat` gets `CONVERSATION_BUSY`); `{"type":"cancel"}` cancels it;',
  '`{"type":"ping"}` is answered with `pong`; `{"type":"resume","runId","lastEventId"}` follows a run of this',
  'conversation after that sequence number (started on any node, over SSE or WebSocket).',
  '',
  '**Server messages**, each with `id` and `timestamp`: every run event exactly as SSE sends it in `data:`',
  '(`type`, `runId`, `seq`, … ; `id` is `<runId>:<seq>`; tool_call/tool_result name their tool use in',
  '`toolUseId`); `end {runId, status}` after each run; `pong`; `error {code, message, severity, recoverable,',
  'requestId, runId?, details?}` (an invalid, unknown or oversized message gets one and the connection stays',
  'open; a reader that fell behind gets `STREAM_LAGGED` with `firstSeq`); `server_shutdown` before close 1001.',
  '',
  'Liveness: RFC 6455 ping frames (`WS_PING_INTERVAL`); no pong in time closes with 4000. Close codes: 1000',
  'normal, 1001 shutdown, 1008 policy (origin not in `CORS_ORIGINS`, tenant, a conversation that does not exist',
  'or is archived, over `WS_MAX_CONNECTIONS_PER_PRINCIPAL`; the reason says which), 1011 internal, 4000',
  'heartbeat timeout, 4001 unauthenticated (a browser passes a single-use conversation ticket as `?ticket=`).',
  '',
  'Client message schema:',
  '```json',
  JSON.stringify(WsClientMessage, null, 1),
  '```',
].join('\n');
