import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import { IdSchema, MessageBody } from './schemas.js';

/** A chat's content is bounded exactly like the `message` of POST …/stream. */
const CONTENT = MessageBody.properties.message;

/** A frame larger than this gets an `error` reply (the connection stays open); one too large for ws is 1009. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;

export const WsChatMessage = Type.Object(
  { type: Type.Literal('chat'), content: CONTENT },
  { additionalProperties: false, description: 'Starts a run on the conversation.' },
);
export const WsCancelMessage = Type.Object(
  { type: Type.Literal('cancel') },
  { additionalProperties: false, description: "Cancels this connection's active run." },
);
export const WsPingMessage = Type.Object(
  { type: Type.Literal('ping') },
  { additionalProperties: false, description: 'Answered with `pong`.' },
);
export const WsResumeMessage = Type.Object(
  {
    type: Type.Literal('resume'),
    runId: IdSchema,
    /** The last `seq` received (an SSE `Last-Event-ID`); 0 replays from the start. */
    lastEventId: Type.Union([
      Type.Integer({ minimum: 0, maximum: 999_999_999_999 }),
      Type.String({ pattern: '^[0-9]{1,12}$' }),
    ]),
  },
  {
    additionalProperties: false,
    description: 'Follows a run of this conversation after `lastEventId` (from any node, any transport).',
  },
);

export const WsClientMessage = Type.Union([WsChatMessage, WsCancelMessage, WsPingMessage, WsResumeMessage]);
export type WsClientMessage = Static<typeof WsClientMessage>;

const CLIENT_TYPES = ['chat', 'cancel', 'ping', 'resume'] as const;
const SCHEMAS = {
  chat: WsChatMessage,
  cancel: WsCancelMessage,
  ping: WsPingMessage,
  resume: WsResumeMessage,
};
const CHECKS = {
  chat: Compile(WsChatMessage),
  cancel: Compile(WsCancelMessage),
  ping: Compile(WsPingMessage),
  resume: Compile(WsResumeMessage),
};

/** Parses one text frame; a ValidationError names what is wrong (the caller answers it, the socket stays). */
export function parseClientMessage(data: string | Buffer): WsClientMessage {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > MAX_CLIENT_MESSAGE_BYTES)
    throw new ValidationError('message too large', [
      `(root): ${size} bytes, at most ${MAX_CLIENT_MESSAGE_BYTES}`,
    ]);
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    throw new ValidationError('invalid message', ['(root): not JSON']);
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const known = CLIENT_TYPES.find((t) => t === type);
  if (known === undefined)
    throw new ValidationError('unknown message type', [
      `/type: must be one of ${CLIENT_TYPES.join(', ')} (got ${type === undefined ? 'nothing' : JSON.stringify(type)})`,
    ]);
  if (CHECKS[known].Check(value)) return value;
  throw new ValidationError(`invalid ${known} message`, schemaIssues(SCHEMAS[known], value));
}

/** The sequence number a resume starts after. */
export function resumeAfter(message: Static<typeof WsResumeMessage>): number {
  return typeof message.lastEventId === 'number' ? message.lastEventId : Number(message.lastEventId);
}
