import Type from 'typebox';
import { RunEventSchemas } from './event-schemas.js';
import { WsClientMessage } from './ws-messages.js';

/** Every message of the connection carries these (run events: `id` is `<runId>:<seq>`). */
const Framing = {
  id: Type.String({
    description: 'Unique per message; for a run event `<runId>:<seq>`, the same on every replay',
  }),
  timestamp: Type.String({ format: 'date-time' }),
};

function own(type: string, properties: Record<string, ReturnType<typeof Type.String>>, description: string) {
  return Type.Object(
    { type: Type.Literal(type), ...Framing, ...properties },
    { title: `ws ${type}`, description, additionalProperties: true },
  );
}

/** What the server sends over a WebSocket: every run event (as SSE's `data:`) plus the connection's own. */
export const WsServerMessage = Type.Union(
  [
    ...RunEventSchemas,
    own('end', { runId: Type.String(), status: Type.String() }, 'The followed run has ended'),
    own('pong', {}, 'The answer to a JSON `ping`'),
    own(
      'server_shutdown',
      { message: Type.String() },
      'This node stops: the connection closes with 1001; reconnect and `resume`',
    ),
  ],
  { description: 'JSON text frames from agentd; errors use the `error` event shape (with `requestId`)' },
);

/** The OpenAPI `101` answer of the WebSocket routes: the messages in both directions after the upgrade. */
export const WsUpgradeResponse = {
  description:
    'Switching Protocols: then JSON text frames. agentd sends the messages below; the client sends `chat`, `cancel`, `ping` or `resume` (schema `WsClientMessage` in components).',
  content: { 'application/json': { schema: WsServerMessage } },
};

/** Registered as an OpenAPI component: the client's messages (a GET has no request body to carry them). */
export const WsClientMessageComponent = { $id: 'WsClientMessage', ...WsClientMessage };
