import type { ContentBlock } from '@agentd/sandbox-runner/protocol';
import type { EgressPolicyDocument } from '../config/egress-policy.js';
import type { SandboxLimitsOverride } from '../sandbox/profile.js';

/** Per-tenant overrides of the deployment's policies (docs/architecture.md: configuration and policies). */
export interface TenantPolicy {
  /** Sandbox profile for this tenant's conversations (a conversation may still pick its own). */
  profile?: string;
  /** Overrides of the profile's limits; any create-time change bypasses the warm pool. */
  limits?: SandboxLimitsOverride;
  maxSandboxes?: number;
  /** Models this tenant may use; absent = every enabled model. */
  allowedModelIds?: string[];
  maxStepsPerRun?: number;
  runTimeoutMs?: number;
  /** Requests per rate-limit period on execution endpoints. */
  rateLimitPerPeriod?: number;
  /** Overrides the lifecycle policy's `idleProcesses` for this tenant's sandboxes. */
  idleProcesses?: 'freeze' | 'kill' | 'keep';
  /** Replaces the profile's egress policy for this tenant's sandboxes. */
  egress?: EgressPolicyDocument;
}

export interface Tenant {
  id: string;
  name: string;
  systemPrompt: string | null;
  defaultModelId: string | null;
  policy: TenantPolicy;
  createdAt: Date;
  updatedAt: Date;
}

export type ModelProviderName = 'bedrock' | 'scripted';

/** Prices are USD per million tokens, as decimal strings (exact: never floating point). */
export interface Model {
  id: string;
  name: string;
  provider: ModelProviderName;
  bedrockModelId: string | null;
  inputPricePerMTok: string;
  outputPricePerMTok: string;
  cacheReadPricePerMTok: string;
  cacheWritePricePerMTok: string;
  maxOutputTokens: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type ConversationStatus = 'active' | 'archived';

export interface Conversation {
  id: string;
  tenantId: string;
  userId: string | null;
  modelId: string;
  title: string | null;
  workspaceEnabled: boolean;
  /** Isolation profile; null = the tenant's or the deployment's default. */
  profile: string | null;
  status: ConversationStatus;
  archivedAt: Date | null;
  /** Workspace version last committed to the store (0 = empty). */
  workspaceVersion: number;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type MessageRole = 'user' | 'assistant';

export interface Message {
  id: string;
  conversationId: string;
  runId: string | null;
  /** Position in the conversation, 1-based, gap-free. */
  seq: number;
  role: MessageRole;
  content: ContentBlock[];
  inputTokens: number;
  outputTokens: number;
  createdAt: Date;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** What a run used: steps and tokens as the provider counted them, and their exact cost. */
export interface RunUsage {
  steps: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** USD, decimal string, exact. */
  costUsd: string;
}

/** A sandbox removal, fleet-wide (`GET /api/admin/reaps`). */
export interface StoredReap {
  sandboxId: string;
  containerId: string;
  node: string;
  reason: string;
  tenantId: string | null;
  conversationId: string | null;
  profile: string;
  at: string;
  ageMs: number;
  idleMs: number;
  hookError?: string;
  deferred: boolean;
  oomKilled: boolean | null;
  exitCode: number | null;
}

/** What a run used of its sandbox (measured on the host; billing and throttling read it). */
export interface RunResources {
  cpuSeconds: number;
  peakMemoryBytes: number;
  peakPids: number;
  /** Workspace file bytes synced in and out. */
  bytesSynced: number;
}

export interface Run extends RunUsage {
  id: string;
  tenantId: string;
  conversationId: string;
  modelId: string;
  status: RunStatus;
  nodeId: string;
  sandboxId: string | null;
  /** Monotonic per deployment; every commit of the run's results checks it (docs/architecture.md: fencing). */
  fencingToken: bigint;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Null until the run ended, and for runs that had no sandbox or whose sandbox could not be read. */
  resources: RunResources | null;
}

export interface UsageRecord {
  id: string;
  tenantId: string;
  conversationId: string;
  runId: string;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: string;
  createdAt: Date;
}

export type ApiKeyScope = 'admin' | 'tenant';

export interface ApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  tenantId: string | null;
  /** First characters of the key, shown to tell keys apart; never enough to use it. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

/** A secret value sealed with AES-256-GCM; the plaintext never reaches the store. */
export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export interface StoredSecret extends SealedSecret {
  tenantId: string;
  name: string;
  /** 1 on creation, +1 on every write of a new value (re-encryption by rotation keeps it). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One egress connection attempt from a sandbox (denials within a short window fold into one, with `count`). */
export interface EgressAttempt {
  tenantId: string;
  conversationId: string;
  runId: string;
  sandboxId: string;
  host: string;
  port: number;
  /** The address connected to (absent when refused before resolution). */
  address: string | undefined;
  verdict: 'allowed' | 'denied';
  /** Why: `allow_rule`, `deny_rule`, `not_allowed`, `sni_mismatch`, `special_address`, `max_connections` … */
  reason: string;
  /** The policy entry that decided (a host pattern), when one did. */
  rule: string | undefined;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  startedAt: Date;
  /** Attempts this record stands for. */
  count: number;
}

export interface EgressAuditRecord extends EgressAttempt {
  id: string;
  createdAt: Date;
}
