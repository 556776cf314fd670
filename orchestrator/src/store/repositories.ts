import type { ContentBlock } from '@agentd/sandbox-runner/protocol';
import type {
  ApiKey,
  ApiKeyScope,
  AuditEntry,
  EgressAttempt,
  EgressAuditRecord,
  Conversation,
  ConversationKind,
  ConversationStatus,
  Message,
  MessageRole,
  Model,
  ModelProviderName,
  Run,
  RunUsage,
  RunResources,
  RunStatus,
  StoredReap,
  Tenant,
  TenantPolicy,
  UsageRecord,
  SealedSecret,
  StoredSecret,
} from './entities.js';
import type { SkillRepository } from './skill-repository.js';
import type { McpServerRepository } from './mcp-server.js';

/** A page of a list: `nextCursor` is null on the last page. Cursors are opaque strings. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface TenantRepository {
  create(input: {
    name: string;
    systemPrompt?: string | null;
    defaultModelId?: string | null;
    policy?: TenantPolicy;
  }): Promise<Tenant>;
  get(id: string): Promise<Tenant | undefined>;
  list(page: PageRequest): Promise<Page<Tenant>>;
  update(
    id: string,
    patch: {
      name?: string;
      systemPrompt?: string | null;
      defaultModelId?: string | null;
      policy?: TenantPolicy;
    },
  ): Promise<Tenant | undefined>;
  /** Deletes the tenant and everything it owns (conversations, messages, runs, usage, keys). */
  delete(id: string): Promise<boolean>;
  countConversations(id: string): Promise<number>;
}

export interface ModelRepository {
  create(input: {
    id?: string;
    name: string;
    provider: ModelProviderName;
    bedrockModelId?: string | null;
    inputPricePerMTok: string;
    outputPricePerMTok: string;
    cacheReadPricePerMTok?: string;
    cacheWritePricePerMTok?: string;
    maxOutputTokens?: number;
    enabled?: boolean;
  }): Promise<Model>;
  get(id: string): Promise<Model | undefined>;
  list(page: PageRequest): Promise<Page<Model>>;
  update(
    id: string,
    patch: Partial<Omit<Model, 'id' | 'createdAt' | 'updatedAt'>>,
  ): Promise<Model | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface ConversationFilter {
  userId?: string;
  status?: ConversationStatus;
  kind?: ConversationKind;
}

export interface ConversationRepository {
  create(input: {
    tenantId: string;
    modelId: string;
    userId?: string | null;
    title?: string | null;
    workspaceEnabled?: boolean;
    profile?: string | null;
    kind?: ConversationKind;
    systemPrompt?: string | null;
    mcpServers?: string[] | null;
  }): Promise<Conversation>;
  /**
   * The tenant's conversation for an external session id, created with `input` on first use. Two nodes racing
   * on a new session id get the same conversation (the pair is unique in the database).
   */
  ensureForSession(input: Parameters<ConversationRepository['create']>[0] & { sessionId: string }): Promise<{
    conversation: Conversation;
    created: boolean;
  }>;
  /** Scoped by tenant: another tenant's conversation is "not found". */
  get(tenantId: string, id: string): Promise<Conversation | undefined>;
  /** The tenant's conversation mapped to an external session id. */
  findBySession(tenantId: string, sessionId: string): Promise<Conversation | undefined>;
  /**
   * Starts the conversation's history afresh after its last message (messages, usage and the workspace stay);
   * undefined when it does not exist. The caller holds the conversation lock, so no run appends meanwhile.
   */
  clearHistory(tenantId: string, id: string): Promise<Conversation | undefined>;
  list(tenantId: string, filter: ConversationFilter, page: PageRequest): Promise<Page<Conversation>>;
  archive(tenantId: string, id: string): Promise<Conversation | undefined>;
  /** Replaces a chat's system prompt; undefined when it does not exist. */
  setSystemPrompt(
    tenantId: string,
    id: string,
    systemPrompt: string | null,
  ): Promise<Conversation | undefined>;
  /** Deletes the conversation with its messages, runs and usage. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The fencing token of the conversation's newest run (0 before any run); undefined when it does not exist. */
  currentFencingToken(tenantId: string, id: string): Promise<bigint | undefined>;
  /**
   * Commits a workspace version: with the conversation locked against newer runs and only while
   * `fencingToken` is still its newest, calls `write` (which writes the manifest and returns its version)
   * and records that version. False, without calling `write`, when the run was superseded.
   */
  commitWorkspace(
    tenantId: string,
    id: string,
    fencingToken: bigint,
    write: (committedVersion: number) => Promise<number>,
  ): Promise<boolean>;
  /** Records a committed workspace version, only if `fencingToken` is still the newest for the conversation. */
  setWorkspaceVersion(tenantId: string, id: string, version: number, fencingToken: bigint): Promise<boolean>;
}

export interface NewMessage {
  role: MessageRole;
  content: ContentBlock[];
  inputTokens?: number;
  outputTokens?: number;
}

export interface MessageRepository {
  /** The messages since the conversation's last clear, in order (the history handed to a run). */
  history(conversationId: string): Promise<Message[]>;
  list(conversationId: string, page: PageRequest): Promise<Page<Message>>;
}

export interface RunRepository {
  /**
   * Creates a run in `running` with the next fencing token of the deployment (monotonic, from a database
   * sequence) and records it as the conversation's newest run. `sandboxId`: the sandbox claimed for it, when
   * known at the start (one write instead of a second statement on the way to the run's first event).
   */
  start(input: {
    id: string;
    tenantId: string;
    conversationId: string;
    modelId: string;
    nodeId: string;
    sandboxId?: string;
  }): Promise<Run>;
  get(tenantId: string, id: string): Promise<Run | undefined>;
  list(tenantId: string, conversationId: string, page: PageRequest): Promise<Page<Run>>;
  setSandbox(runId: string, sandboxId: string): Promise<void>;
  /**
   * Appends messages of the run after the conversation's last one, only while `fencingToken` is the newest
   * token of the conversation; returns false (and writes nothing) when a newer run has started.
   */
  appendMessages(runId: string, fencingToken: bigint, messages: NewMessage[]): Promise<boolean>;
  /**
   * Terminal state plus usage, and one UsageRecord when any tokens were used; fenced like appendMessages.
   * A run already terminal is left as it is (returns false).
   */
  finish(
    runId: string,
    fencingToken: bigint,
    outcome: {
      status: Exclude<RunStatus, 'queued' | 'running'>;
      errorCode?: string | null;
      errorMessage?: string | null;
      usage: RunUsage;
      resources?: RunResources | null;
    },
  ): Promise<boolean>;
  /** Runs still `running`, optionally of one node or one conversation (crash recovery and takeover). */
  listRunning(filter?: { nodeId?: string; conversationId?: string }): Promise<Run[]>;
}

export interface UsageQuery {
  tenantId: string;
  from: Date;
  to: Date;
  groupBy: 'model' | 'conversation' | 'day';
}

/** Sandbox resources of the runs in a usage group (runs measured; peaks are the highest of any run). */
export interface ResourceTotals {
  measuredRuns: number;
  cpuSeconds: number;
  peakMemoryBytes: number;
  peakPids: number;
  bytesSynced: number;
}

export interface UsageGroup {
  key: string;
  runs: number;
  resources: ResourceTotals;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: string;
}

export interface UsageRepository {
  summarize(query: UsageQuery): Promise<{ groups: UsageGroup[]; total: Omit<UsageGroup, 'key'> }>;
  list(tenantId: string, page: PageRequest): Promise<Page<UsageRecord>>;
}

export interface ReapRepository {
  record(reap: StoredReap): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<StoredReap[]>;
  /** Deletes records older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

export interface ApiKeyRepository {
  create(input: {
    name: string;
    scope: ApiKeyScope;
    tenantId: string | null;
    prefix: string;
    hash: string;
  }): Promise<ApiKey>;
  findByHash(hash: string): Promise<ApiKey | undefined>;
  get(id: string): Promise<ApiKey | undefined>;
  list(page: PageRequest): Promise<Page<ApiKey>>;
  revoke(id: string): Promise<ApiKey | undefined>;
  touch(id: string, at: Date): Promise<void>;
}

export interface AuditRepository {
  record(
    entry: Omit<AuditEntry, 'id' | 'createdAt' | 'person'> & { person?: string | null },
  ): Promise<AuditEntry>;
  list(page: PageRequest, filter?: { actor?: string; action?: string }): Promise<Page<AuditEntry>>;
}

/** Egress connection attempts, written in batches (`GET /api/audit/egress`). */
export interface EgressAuditRepository {
  insertMany(attempts: readonly EgressAttempt[]): Promise<void>;
  list(
    page: PageRequest,
    filter?: { tenantId?: string; runId?: string; verdict?: 'allowed' | 'denied' },
  ): Promise<Page<EgressAuditRecord>>;
}

export interface StoredSetting {
  key: string;
  value: unknown;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Deployment-wide settings every node reads (the lifecycle policy set through the API). */
export interface SettingsRepository {
  get(key: string): Promise<StoredSetting | undefined>;
  put(key: string, value: unknown, updatedBy: string | null): Promise<StoredSetting>;
}

/** Tenant secrets, sealed: the repository never sees a plaintext value. */
export interface SecretRepository {
  list(tenantId: string): Promise<StoredSecret[]>;
  get(tenantId: string, name: string): Promise<StoredSecret | undefined>;
  count(tenantId: string): Promise<number>;
  /** Creates the secret at version 1 or replaces its value with the next version. */
  put(tenantId: string, name: string, sealed: SealedSecret): Promise<StoredSecret>;
  delete(tenantId: string, name: string): Promise<StoredSecret | undefined>;
  /** Secrets not sealed under `keyId`, by (tenant, name) after `after`, at most `limit` (for rotation). */
  listNotSealedWith(
    keyId: string,
    limit: number,
    after?: { tenantId: string; name: string },
  ): Promise<StoredSecret[]>;
  /** Replaces the sealed value only if the secret is still at `version` (a concurrent write wins). */
  reseal(tenantId: string, name: string, version: number, sealed: SealedSecret): Promise<boolean>;
}

/** Every repository, built once in the composition root from one database connection. */
export interface Store {
  tenants: TenantRepository;
  models: ModelRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  runs: RunRepository;
  usage: UsageRepository;
  reaps: ReapRepository;
  apiKeys: ApiKeyRepository;
  audit: AuditRepository;
  egressAudit: EgressAuditRepository;
  settings: SettingsRepository;
  skills: SkillRepository;
  mcpServers: McpServerRepository;
  secrets: SecretRepository;
  /** Round-trip to the database, for health probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
