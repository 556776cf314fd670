import Type from 'typebox';

/** Ids in paths and bodies: safe in labels, logs and object keys. */
export const IdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    severity: Type.String(),
    recoverable: Type.Boolean(),
    requestId: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const TenantParams = Type.Object({ tenantId: IdSchema });
export const ConversationParams = Type.Object({ tenantId: IdSchema, conversationId: IdSchema });
export const RunParams = Type.Object({ tenantId: IdSchema, conversationId: IdSchema, runId: IdSchema });

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

export const MessageBody = Type.Object(
  { message: Type.String({ minLength: 1, maxLength: 200_000 }) },
  { additionalProperties: false },
);

export const UsageSchema = Type.Object({
  type: Type.Literal('usage'),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cacheReadTokens: Type.Integer(),
  cacheWriteTokens: Type.Integer(),
  costUsd: Type.Number(),
  costUsdExact: Type.String(),
  steps: Type.Integer(),
});

/** A queried run's end: 200 once it started (its headers, with X-Run-ID, went out before the run ended). */
export const QueryResponse = Type.Object({
  runId: Type.String(),
  status: Type.Union([
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
    Type.Literal('interrupted'),
  ]),
  final: Type.Union([Type.String(), Type.Null()], {
    description: 'The whole turn’s text (every step), cut at AGENTD_FINAL_MAX_CHARS; null unless succeeded',
  }),
  truncated: Type.Boolean(),
  usage: UsageSchema,
  error: Type.Optional(
    Type.Object({
      type: Type.Literal('error'),
      code: Type.String(),
      message: Type.String(),
      severity: Type.String(),
      recoverable: Type.Boolean(),
    }),
  ),
});

/** 202 `cancelling` while the run goes on (the request reaches its node), else 200 with the status it ended with. */
export const CancelResponse = Type.Object({
  runId: Type.String(),
  status: Type.String({ description: 'cancelling, or the status of a run that already ended' }),
});

export const RunSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  conversationId: Type.String(),
  modelId: Type.String(),
  status: Type.String(),
  nodeId: Type.String(),
  sandboxId: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cacheReadTokens: Type.Integer(),
  cacheWriteTokens: Type.Integer(),
  costUsd: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  errorMessage: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  resources: Type.Union(
    [
      Type.Object({
        cpuSeconds: Type.Number(),
        peakMemoryBytes: Type.Integer(),
        peakPids: Type.Integer(),
        bytesSynced: Type.Integer({ description: 'Workspace file bytes synced in and out' }),
      }),
      Type.Null(),
    ],
    {
      description: 'What the run used of its sandbox, from the host (null before the end or when unmeasured)',
    },
  ),
});

export const ResumeQuery = Type.Object({
  lastEventId: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,12}$', description: 'Used when the Last-Event-ID header is absent' }),
  ),
});

export const ResumeHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      description:
        'The `id:` of the last event received (EventSource sends it on reconnect); events after it are replayed',
    }),
  ),
});

export function page<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
