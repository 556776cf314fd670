import Type from 'typebox';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** A sandbox as operators see it (operators/sandbox-view.ts). */
export const SandboxViewSchema = Type.Object({
  id: Type.String(),
  node: Type.String(),
  state: Type.String({ description: 'starting, warm, idle, busy or removing' }),
  frozen: Type.Boolean({ description: 'Idle and paused through the cgroup freezer until its next run' }),
  tenantId: NullableString,
  conversationId: NullableString,
  profile: Type.String(),
  profileVersion: Type.Integer(),
  containerId: Type.String({ description: 'Short (12 characters); empty while the container is created' }),
  createdAt: Type.String(),
  lastUsedAt: Type.String(),
  ageSeconds: Type.Integer(),
  idleSeconds: Type.Integer(),
  workspaceVersion: NullableInteger,
});

/** Live resource use read from the host's cgroup files and /workspace (sandbox/sandbox-usage.ts). */
const SandboxUsageSchema = Type.Object({
  cpuSeconds: Type.Number(),
  memoryBytes: Type.Integer(),
  memoryPeakBytes: NullableInteger,
  memoryLimitBytes: NullableInteger,
  oomKills: Type.Integer(),
  pids: Type.Integer(),
  pidsLimit: NullableInteger,
  pidsRefused: Type.Integer(),
  throttledPeriods: Type.Integer(),
  workspace: Type.Union([Type.Object({ usedBytes: Type.Integer(), sizeBytes: Type.Integer() }), Type.Null()]),
});

export const SandboxDetailSchema = Type.Object({
  ...SandboxViewSchema.properties,
  usage: Type.Union([SandboxUsageSchema, Type.Null()], {
    description: 'Read by the sandbox’s own node; null on other nodes or when the container is gone',
  }),
  limitEvents: Type.Array(
    Type.Object({
      limit: Type.String({ description: 'pids, memory, cpu or workspace' }),
      message: Type.String(),
      runId: Type.String(),
      at: Type.String(),
    }),
  ),
});

/** One removal as the remover made it (sandbox/reap-reason.ts ReapRecord). */
export const ReapRecordSchema = Type.Object({
  sandboxId: Type.String(),
  containerId: Type.String(),
  reason: Type.String(),
  tenantId: NullableString,
  conversationId: NullableString,
  profile: Type.String(),
  at: Type.String(),
  ageMs: Type.Integer(),
  idleMs: Type.Integer(),
  hookError: Type.Optional(Type.String({ description: 'Set when the pre-remove hook failed' })),
  deferred: Type.Boolean({ description: 'Kept for a retry after its pre-remove hook failed' }),
  oomKilled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  exitCode: Type.Optional(NullableInteger),
});

/** A removal as stored for the fleet (`GET /api/admin/reaps`). */
const StoredReapSchema = Type.Object({
  ...ReapRecordSchema.properties,
  node: Type.String(),
  oomKilled: Type.Union([Type.Boolean(), Type.Null()]),
  exitCode: NullableInteger,
});

export const SandboxRemovalSchema = Type.Object({
  sandboxId: Type.String(),
  status: Type.Literal('removed'),
  reap: Type.Optional(ReapRecordSchema),
});

export const SandboxForwardedSchema = Type.Object({
  sandboxId: Type.String(),
  status: Type.Literal('forwarded'),
  node: Type.String({ description: 'The node that owns the sandbox and removes it' }),
});

export const PoolSchema = Type.Object({
  node: Type.String(),
  pools: Type.Array(
    Type.Object({
      profile: Type.String(),
      limitsKey: Type.String(),
      target: Type.Integer(),
      ready: Type.Integer(),
      starting: Type.Integer(),
    }),
  ),
});

export const ReapsSchema = Type.Object({
  node: Type.String(),
  scope: Type.Literal('fleet'),
  items: Type.Array(StoredReapSchema),
});

export const ReapTickSchema = Type.Union([
  Type.Object({
    node: Type.String(),
    dryRun: Type.Literal(true),
    items: Type.Array(Type.Object({ reason: Type.String(), sandbox: SandboxViewSchema })),
  }),
  Type.Object({ node: Type.String(), dryRun: Type.Literal(false), items: Type.Array(ReapRecordSchema) }),
]);

export const NodeSchema = Type.Object({
  nodeId: Type.String(),
  url: NullableString,
  startedAt: Type.String(),
});

/** A profile's resource limits (sandbox/profile.ts SandboxLimits; the API may not import the sandbox layer). */
const LimitsSchema = Type.Object({
  memoryBytes: Type.Integer(),
  nanoCpus: Type.Integer(),
  pidsLimit: Type.Integer(),
  workspaceBytes: Type.Integer(),
  tmpBytes: Type.Integer(),
  shmBytes: Type.Integer(),
  nofile: Type.Integer(),
  nproc: Type.Integer(),
  fsizeBytes: Type.Integer(),
});

/** A profile's egress policy with every default filled in (config/egress-policy.ts EgressPolicy). */
const EffectiveEgressSchema = Type.Object({
  mode: Type.String({ description: 'none or allowlist' }),
  allow: Type.Array(Type.String()),
  deny: Type.Array(Type.String()),
  allowAddresses: Type.Array(Type.String()),
  inject: Type.Array(
    Type.Object({
      host: Type.String(),
      headers: Type.Record(Type.String(), Type.String(), {
        description: 'Header values as written: references to tenant secrets, not their values',
      }),
    }),
  ),
  maxConnections: Type.Integer(),
  maxBytesPerRun: Type.Integer(),
  connectTimeoutMs: Type.Integer(),
});

/** The policy in force: the document as given (open on purpose) and what it resolved to. */
export const PolicyStateSchema = Type.Object({
  document: Type.Unknown({
    description: 'The policy document as it was set (YAML or JSON, any shape agentd accepts)',
  }),
  effective: Type.Object({
    lifecycle: Type.Object(
      {
        poolSize: Type.Record(Type.String(), Type.Integer()),
        idleTtlMs: Type.Integer(),
        maxLifetimeMs: Type.Integer(),
        maxSandboxesPerNode: Type.Integer(),
        maxSandboxesPerTenant: Type.Integer(),
        reapIntervalMs: Type.Integer(),
        idleProcesses: Type.String({ description: 'freeze, kill or keep' }),
        idleCpuLimit: Type.Number(),
      },
      { additionalProperties: true },
    ),
    limits: Type.Record(Type.String(), LimitsSchema, {
      description: 'Each profile’s limits after the overrides',
    }),
    egress: Type.Record(Type.String(), EffectiveEgressSchema, {
      description: 'Each profile’s egress policy (profiles the document does not name have none)',
    }),
  }),
  source: Type.String({ description: 'database, file or environment' }),
  updatedAt: NullableString,
  updatedBy: NullableString,
});
