import Type from 'typebox';
import { EgressPolicySchema } from '../config/egress-policy.js';
import { IdSchema } from './schemas.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Price = Type.Union([
  Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,6})?$' }),
  Type.Number({ minimum: 0 }),
]);
const Timestamp = Type.String({ format: 'date-time' });

export const LimitsOverride = Type.Object(
  {
    memoryBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    nanoCpus: Type.Optional(Type.Integer({ minimum: 1 })),
    pidsLimit: Type.Optional(Type.Integer({ minimum: 1 })),
    workspaceBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    tmpBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    shmBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    nofile: Type.Optional(Type.Integer({ minimum: 1 })),
    nproc: Type.Optional(Type.Integer({ minimum: 1 })),
    fsizeBytes: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  closed,
);

export const TenantPolicySchema = Type.Object(
  {
    profile: Type.Optional(Type.String({ maxLength: 32 })),
    limits: Type.Optional(LimitsOverride),
    maxSandboxes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    allowedModelIds: Type.Optional(Type.Array(IdSchema, { maxItems: 100 })),
    maxStepsPerRun: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    runTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 86_400_000 })),
    rateLimitPerPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    idleProcesses: Type.Optional(
      Type.Union([Type.Literal('freeze'), Type.Literal('kill'), Type.Literal('keep')]),
    ),
    egress: Type.Optional(EgressPolicySchema),
  },
  closed,
);

export const TenantBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    systemPrompt: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
    defaultModelId: Type.Optional(Nullable(IdSchema)),
    policy: Type.Optional(TenantPolicySchema),
  },
  closed,
);
export const TenantPatch = Type.Partial(TenantBody, closed);

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  systemPrompt: Nullable(Type.String()),
  defaultModelId: Nullable(Type.String()),
  policy: TenantPolicySchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ModelBody = Type.Object(
  {
    id: Type.Optional(IdSchema),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    provider: Type.Union([Type.Literal('bedrock'), Type.Literal('scripted')]),
    bedrockModelId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 256 }))),
    inputPricePerMTok: Price,
    outputPricePerMTok: Price,
    cacheReadPricePerMTok: Type.Optional(Price),
    cacheWritePricePerMTok: Type.Optional(Price),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  closed,
);
export const ModelPatch = Type.Partial(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    provider: Type.Union([Type.Literal('bedrock'), Type.Literal('scripted')]),
    bedrockModelId: Nullable(Type.String({ minLength: 1, maxLength: 256 })),
    inputPricePerMTok: Price,
    outputPricePerMTok: Price,
    cacheReadPricePerMTok: Price,
    cacheWritePricePerMTok: Price,
    maxOutputTokens: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    enabled: Type.Boolean(),
  }),
  closed,
);

export const ModelSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  provider: Type.String(),
  bedrockModelId: Nullable(Type.String()),
  inputPricePerMTok: Type.String(),
  outputPricePerMTok: Type.String(),
  cacheReadPricePerMTok: Type.String(),
  cacheWritePricePerMTok: Type.String(),
  maxOutputTokens: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ConversationKindSchema = Type.Union([Type.Literal('conversation'), Type.Literal('chat')], {
  description: '`chat`: a simple chat, run without a sandbox or tools',
});

export const ConversationBody = Type.Object(
  {
    modelId: Type.Optional(IdSchema),
    title: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    userId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
    profile: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    workspaceEnabled: Type.Optional(Type.Boolean()),
    kind: Type.Optional(ConversationKindSchema),
    /** Only for chats. */
    systemPrompt: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
    /** A subset of the tenant's skills (by name); absent or null = all enabled skills. */
    skills: Type.Optional(
      Nullable(Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,64}$' }), { maxItems: 64 })),
    ),
    /** Names of the tenant's MCP servers its runs use (default: every enabled one). */
    mcpServers: Type.Optional(
      Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64, uniqueItems: true })),
    ),
  },
  closed,
);

export const ConversationSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  userId: Nullable(Type.String()),
  modelId: Type.String(),
  title: Nullable(Type.String()),
  workspaceEnabled: Type.Boolean(),
  profile: Nullable(Type.String()),
  kind: ConversationKindSchema,
  systemPrompt: Nullable(Type.String()),
  status: Type.String(),
  archivedAt: Nullable(Timestamp),
  workspaceVersion: Type.Integer(),
  lastRunAt: Nullable(Timestamp),
  /** When the history was last cleared (the messages before it stay listed but no run sees them). */
  historyClearedAt: Nullable(Timestamp),
  /** The external session id mapped to this conversation (AgentCore, the session API), if any. */
  sessionId: Nullable(Type.String()),
  mcpServers: Nullable(Type.Array(Type.String())),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ConversationListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived')])),
  kind: Type.Optional(ConversationKindSchema),
});

export const MessageSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  runId: Nullable(Type.String()),
  seq: Type.Integer(),
  role: Type.String(),
  content: Type.Array(Type.Unknown()),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  createdAt: Timestamp,
});

export const UsageQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  groupBy: Type.Optional(
    Type.Union([Type.Literal('model'), Type.Literal('conversation'), Type.Literal('day')]),
  ),
});

const UsageTotalsSchema = Type.Object({
  runs: Type.Integer(),
  resources: Type.Object(
    {
      measuredRuns: Type.Integer({
        description: 'Runs whose sandbox use was measured (the others add nothing)',
      }),
      cpuSeconds: Type.Number(),
      peakMemoryBytes: Type.Integer(),
      peakPids: Type.Integer(),
      bytesSynced: Type.Integer(),
    },
    { description: 'What the runs used of their sandboxes, from the host' },
  ),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cacheReadTokens: Type.Integer(),
  cacheWriteTokens: Type.Integer(),
  costUsd: Type.String({ description: 'Decimal string in USD' }),
});

export const UsageReportSchema = Type.Object({
  tenantId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  groupBy: Type.Union([Type.Literal('model'), Type.Literal('conversation'), Type.Literal('day')]),
  groups: Type.Array(Type.Object({ key: Type.String(), ...UsageTotalsSchema.properties })),
  total: UsageTotalsSchema,
});

export const KeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scope: Type.Union([Type.Literal('admin'), Type.Literal('tenant')]),
    tenantId: Type.Optional(Nullable(IdSchema)),
  },
  closed,
);

export const KeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scope: Type.String(),
  tenantId: Nullable(Type.String()),
  prefix: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

export const AuditSchema = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  /** X-Admin-ID of the request, sanitised: who acted through the credential, as the caller says. */
  person: Nullable(Type.String()),
  action: Type.String(),
  target: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  requestId: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
});

export const DeleteTenantQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });

export const ChatStreamBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 200_000 }),
    chatId: Type.Optional(IdSchema),
    modelId: Type.Optional(IdSchema),
    systemPrompt: Type.Optional(Type.String({ maxLength: 100_000 })),
  },
  closed,
);

export const ChatListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived')])),
});

export const ChatParams = Type.Object({ tenantId: IdSchema, chatId: IdSchema });

export const ChatWithMessagesSchema = Type.Object({
  ...ConversationSchema.properties,
  /** The first page of the chat's messages, oldest first; `messagesNextCursor` pages on. */
  messages: Type.Array(MessageSchema),
  messagesNextCursor: Nullable(Type.String()),
});
