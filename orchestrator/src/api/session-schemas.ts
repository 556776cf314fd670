import Type from 'typebox';
import { UsageSchema } from './schemas.js';

/** A session id: a conversation id or an external one (AgentCore session ids are 33 to 256 characters). */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$';
export const SessionIdSchema = Type.String({ pattern: SESSION_ID_PATTERN });

export const SessionParams = Type.Object({ sessionId: SessionIdSchema });

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** The agent-HTTP-server shape (snake_case, as the clients written for it read it). */
export const SessionSchema = Type.Object({
  session_id: Type.String(),
  conversation_id: Type.String(),
  status: Type.String(),
  model_id: Type.String(),
  user_id: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  last_run_at: Nullable(Type.String({ format: 'date-time' })),
  history_cleared_at: Nullable(Type.String({ format: 'date-time' })),
});

export const SessionCreateBody = Type.Object(
  { session_id: Type.Optional(SessionIdSchema) },
  { additionalProperties: false },
);

export const AgentQueryBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 200_000 }),
    session_id: Type.Optional(SessionIdSchema),
  },
  { additionalProperties: false },
);

export const AgentQueryResponse = Type.Object({
  session_id: Type.String(),
  run_id: Type.String(),
  status: Type.String(),
  response: Nullable(Type.String()),
  truncated: Type.Boolean(),
  usage: UsageSchema,
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const SessionUsageSchema = Type.Object({
  session_id: Type.String(),
  conversation_id: Type.String(),
  runs: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  cache_read_tokens: Type.Integer(),
  cache_write_tokens: Type.Integer(),
  cost_usd: Type.String(),
});

/** AgentCore's `/invocations` body: a chat transcript (its last user message is the turn) or a prompt. */
export const InvocationBody = Type.Object({
  prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000 })),
  messages: Type.Optional(
    Type.Array(
      Type.Object({
        role: Type.String({ maxLength: 32 }),
        content: Type.Union([
          Type.String({ maxLength: 200_000 }),
          Type.Array(Type.Object({ text: Type.Optional(Type.String({ maxLength: 200_000 })) }), {
            maxItems: 256,
          }),
        ]),
      }),
      { maxItems: 1_000 },
    ),
  ),
});

export const PingResponse = Type.Object({
  status: Type.Union([Type.Literal('Healthy'), Type.Literal('HealthyBusy')]),
  time_of_last_update: Type.Integer({ description: 'Unix seconds of the last status change' }),
  timestamp: Type.String({ format: 'date-time' }),
  service: Type.String(),
  version: Type.String(),
});
