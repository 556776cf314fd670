/**
 * The call-home protocol between agentd (server, listening on the per-sandbox socket) and the runner
 * (client). This file is the only thing the orchestrator shares with the runner, and it shares types only:
 * paths are string literal types so both sides fail to compile when one changes.
 *
 * Everything the runner sends is untrusted: agentd validates it against its own schemas, and every limit
 * that matters (steps, tokens, time, sizes) is enforced by agentd, not here.
 */

export const PROTOCOL_VERSION = 1;
export type ProtocolVersion = typeof PROTOCOL_VERSION;

/** Where the runner finds agentd's socket inside the container (the read-only /run/agentd bind). */
export type SocketPathEnv = 'AGENTD_SOCKET';

// ---------------------------------------------------------------------------------------------------------
// Paths the runner calls (HTTP/1.1 over the Unix socket)

/** Long-poll: 200 with a RunnerJob, or 204 when nothing arrived before the poll timeout. */
export type NextJobPath = '/v1/runner/next';
/** `/v1/jobs/{jobId}/result`, body: JobResult. */
export type JobResultPathPrefix = '/v1/jobs/';
/** `POST /v1/runs/{runId}/events`: the request body is a `text/event-stream` of RunnerEvent, sent as they happen. */
export type RunEventsPath = `/v1/runs/${string}/events`;
/** `GET /v1/runs/{runId}/control`: long-poll; 200 with a ControlSignal, or 204 on timeout (poll again). */
export type RunControlPath = `/v1/runs/${string}/control`;
/** `POST` a ConverseStreamRequest; the response body is NDJSON, one ModelStreamChunk per line. */
export type ModelConverseStreamPath = '/v1/model/converse-stream';

/**
 * `POST /v1/workspace/inbound?sync={syncId}` (sync_in): the body is a WorkspaceScan of what /workspace holds;
 * the response is a tar stream whose first entry is an InboundHeader (JSON), then exactly `header.write`, in
 * that order, as regular files.
 */
export type WorkspaceInboundPath = '/v1/workspace/inbound';
/** `POST /v1/workspace/outbound?sync={syncId}` (sync_out): the body is a WorkspaceScan; the answer an OutboundPlan. */
export type WorkspaceOutboundPath = '/v1/workspace/outbound';
/**
 * `POST /v1/workspace/outbound/early?sync={syncId}` (sync_out, optional, at most once, its body ended before the
 * scan is sent): a tar of small files (at most EARLY_FILE_BYTES each) the runner hashed during this scan, in any
 * order, each with a PAX record EarlyHashPaxKey holding its SHA-256. agentd stores them while the scan goes on
 * and answers 204 once all are stored; the runner reports the job done only after that 204. The scan may
 * follow as soon as the tar ends: agentd plans once it has read the tar, the scan must list each early file
 * with the same size and hash, and the plan leaves them out. Runners that never send it are served as before.
 */
export type WorkspaceOutboundEarlyPath = '/v1/workspace/outbound/early';
export type EarlyHashPaxKey = 'agentd.sha256';
export const EARLY_FILE_BYTES = 1024 * 1024;
/** `POST /v1/workspace/outbound/files?sync={syncId}`: a tar of exactly `OutboundPlan.need`, in order; 204 when stored. */
export type WorkspaceOutboundFilesPath = '/v1/workspace/outbound/files';
/** Query parameter naming the sync a workspace request belongs to (the job's `syncId`). */
export type WorkspaceSyncParam = 'sync';

/**
 * `GET /v1/skills/{syncId}/{name}` (skills_sync): a tar of the skill's regular files, to unpack under
 * `/skills/{name}/`. agentd serves only the skills the job named, only to the sandbox it sent the job to.
 */
export type SkillArchivePathPrefix = '/v1/skills/';

/** Header the runner sets on every request. */
export type RunnerVersionHeader = 'x-agentd-runner';

// ---------------------------------------------------------------------------------------------------------
// Conversation content: Bedrock Converse content blocks, stored and exchanged as they are.

export interface TextBlock {
  text: string;
}
export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}
/** An image in a tool result (an MCP tool's); `bytes` is base64 in JSON, raw bytes on the way to Bedrock. */
export interface ImageBlock {
  image: { format: ImageFormat; source: { bytes: string } };
}
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type ToolResultContent = TextBlock | ImageBlock;
export interface ToolResultBlock {
  toolResult: {
    toolUseId: string;
    content: ToolResultContent[];
    status: 'success' | 'error';
  };
}
export interface ReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } };
}
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | ReasoningBlock;

export interface ConversationMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

// ---------------------------------------------------------------------------------------------------------
// Tools (docs/architecture.md: tools — names and inputs are a contract)

export interface BashInput {
  command: string;
  timeoutMs?: number;
}
export interface ReadFileInput {
  path: string;
  /** First line to return, 1-based. */
  offset?: number;
  /** Number of lines to return. */
  limit?: number;
}
export interface WriteFileInput {
  path: string;
  content: string;
}
export interface EditFileInput {
  path: string;
  oldText: string;
  newText: string;
}
export interface ListFilesInput {
  path?: string;
  recursive?: boolean;
}

export interface ToolInputs {
  bash: BashInput;
  read_file: ReadFileInput;
  write_file: WriteFileInput;
  edit_file: EditFileInput;
  list_files: ListFilesInput;
}
export type ToolName = keyof ToolInputs;

// ---------------------------------------------------------------------------------------------------------
// Jobs (agentd → runner, by long-poll)

export interface RunLimits {
  /** Model calls the run may make; agentd's gateway refuses the next one. */
  maxSteps: number;
  /** Default per tool call (bash may ask for less, never more than maxToolTimeoutMs). */
  toolTimeoutMs: number;
  maxToolTimeoutMs: number;
  /** Tool output beyond this is cut, and the result says `truncated: true`. */
  toolOutputBytes: number;
}

export interface RunSpec {
  runId: string;
  /** The conversation so far (without the new message). */
  history: ConversationMessage[];
  /** The new user message. */
  message: string;
  limits: RunLimits;
  /** Present when the run may reach the internet through agentd: the runner starts its local proxy. */
  egress?: {
    enabled: boolean;
    /** A CA bundle agentd wrote into /run/agentd (the system roots plus the sandbox's injection CA). */
    caBundle?: string;
  };
}

export interface PingJob {
  kind: 'ping';
  jobId: string;
}
export interface RunJob {
  kind: 'run';
  jobId: string;
  spec: RunSpec;
}
export interface ShutdownJob {
  kind: 'shutdown';
  jobId: string;
  reason: string;
}

/**
 * Bounds on a workspace, sent with every sync job so an honest runner can stop early. agentd enforces them
 * itself on whatever arrives.
 */
export interface WorkspaceLimits {
  maxFiles: number;
  maxFileBytes: number;
  /** The sum of file sizes: the sandbox's /workspace size (the store's per-conversation quota). */
  maxTotalBytes: number;
  /** UTF-8 bytes of one relative path (S3 keys are at most 1024 bytes with agentd's prefix in front). */
  maxPathBytes: number;
}

/** Makes /workspace hold exactly the store's version `version` (regular files; other entries are left alone). */
export interface SyncInJob {
  kind: 'sync_in';
  jobId: string;
  syncId: string;
  version: number;
  limits: WorkspaceLimits;
}
/** Reports /workspace to agentd and sends the files it asks for. */
export interface SyncOutJob {
  kind: 'sync_out';
  jobId: string;
  syncId: string;
  limits: WorkspaceLimits;
}

/**
 * The runner's own view of its process, for the isolation audit. agentd reads the same facts from the host
 * kernel and only uses this to cross-check: a runner that lies can fail its audit, never pass it.
 */
export interface AuditJob {
  kind: 'audit';
  jobId: string;
}

export interface AuditData {
  uid: number;
  capEff: string;
  noNewPrivs: string;
  seccomp: string;
}

/** A skill a sandbox should hold; `digest` (SHA-256 of its archive) tells content apart across versions. */
export interface SkillRef {
  name: string;
  version: number;
  digest: string;
}

/**
 * Makes /skills hold exactly `skills`: a skill whose digest the runner already holds is kept, a changed one is
 * fetched again (whole), anything else under /skills is removed. Never synced back.
 */
export interface SkillsSyncJob {
  kind: 'skills_sync';
  jobId: string;
  syncId: string;
  skills: SkillRef[];
}

export interface SkillsSyncData {
  written: number;
  kept: number;
  deleted: number;
  bytes: number;
}

/**
 * Starts a run's stdio MCP server (a command in the image or the workspace) under the run's tool limits and
 * relays its stdin and stdout over an upgraded connection to `McpStdioPath` + channelId; agentd speaks MCP.
 * The job succeeds once the channel is open; the server lives until the channel or the run ends.
 */
export interface McpStdioJob {
  kind: 'mcp_stdio';
  jobId: string;
  runId: string;
  channelId: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

export type RunnerJob =
  PingJob | RunJob | ShutdownJob | SyncInJob | SyncOutJob | AuditJob | SkillsSyncJob | McpStdioJob;
export type RunnerJobKind = RunnerJob['kind'];

export interface PongData {
  protocolVersion: ProtocolVersion;
  runnerVersion: string;
  pid: number;
  uptimeMs: number;
}

export interface JobFailure {
  code: string;
  message: string;
}

export type JobResult<T = unknown> =
  { jobId: string; ok: true; data: T } | { jobId: string; ok: false; error: JobFailure };

// ---------------------------------------------------------------------------------------------------------
// Workspace sync. Paths are relative to /workspace, '/'-separated, normalised (no '.', '..' or empty
// segments), without NUL, control characters or backslashes. Only regular files travel.

export interface WorkspaceFileEntry {
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  mtimeMs: number;
  executable: boolean;
}

export type SkipReason = 'symlink' | 'fifo' | 'socket' | 'device' | 'invalid-name' | 'unreadable';

/** Something in /workspace that is never exported. */
export interface SkippedEntry {
  path: string;
  reason: SkipReason;
}

/** What /workspace holds, from an lstat walk (symlinks are never followed). */
export interface WorkspaceScan {
  files: WorkspaceFileEntry[];
  /** The first skipped entries; `skippedTotal` counts them all. */
  skipped: SkippedEntry[];
  skippedTotal: number;
}

/** agentd's answer to an outbound scan: the paths whose content it does not have yet. */
export interface OutboundPlan {
  need: string[];
}

/** First entry of the inbound tar (named InboundHeaderName): what to delete, then what follows to write. */
export interface InboundHeader {
  version: number;
  delete: string[];
  write: WorkspaceFileEntry[];
}
export type InboundHeaderName = '.agentd-inbound.json';

export interface SyncInData {
  written: number;
  deleted: number;
  bytes: number;
}

export interface SyncOutData {
  files: number;
  sent: number;
  bytes: number;
}

// ---------------------------------------------------------------------------------------------------------
// Run events (runner → agentd, SSE `data:` lines). agentd sets runId, seq and timestamp; it emits run_start,
// usage and server_shutdown itself, and replaces `final` with its own (from the gateway's record).

export type Severity = 'warning' | 'error' | 'critical';

export type RunnerEvent =
  | { type: 'step_start'; step: number }
  | { type: 'text'; delta: string }
  | { type: 'thinking'; delta: string }
  | { type: 'tool_call'; id: string; name: ToolName; input: unknown }
  | { type: 'tool_result'; id: string; output: string; isError: boolean; truncated: boolean }
  | { type: 'step_complete'; step: number; durationMs: number }
  | { type: 'final'; content: string }
  | { type: 'error'; code: string; message: string; severity: Severity; recoverable: boolean };

export type RunnerEventType = RunnerEvent['type'];

// ---------------------------------------------------------------------------------------------------------
// Control (agentd → runner)

export interface ControlSignal {
  signal: 'cancel';
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------
// Model gateway. agentd picks the model, the system prompt and the tool definitions; it counts steps and
// tokens. The runner sends the whole conversation of the run: agentd keeps its own copy and accepts only an
// appended user message of tool results answering the previous assistant turn's tool uses.

export interface ConverseStreamRequest {
  runId: string;
  messages: ConversationMessage[];
}

export type StopReason =
  'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'content_filtered' | 'guardrail_intervened';

// ---------------------------------------------------------------------------------------------------------
// MCP tools. The model sees them as `mcp__<server>__<tool>`; agentd runs them (remote servers on the host,
// stdio servers through a relayed channel) and only for a tool use its gateway produced in the current turn.

/** `POST` an McpCallRequest; the answer is an McpCallResult (a refused call answers 403). */
export type McpCallPath = '/v1/mcp/call';
/** `GET /v1/mcp/stdio/{channelId}` with `Connection: Upgrade`: a stdio server's pipes (McpStdioJob). */
export type McpStdioPathPrefix = '/v1/mcp/stdio/';
export type McpStdioProtocol = 'agentd-mcp-stdio';
/** Names the model gives MCP tools start with this; the runner hands them to agentd. */
export type McpToolPrefix = 'mcp__';

export interface McpCallRequest {
  runId: string;
  toolUseId: string;
  name: string;
  input: unknown;
}

export interface McpCallResult {
  content: ToolResultContent[];
  /** The text of `content` (images as a short note), for the run's `tool_result` event. */
  output: string;
  isError: boolean;
  truncated: boolean;
}

export type ModelStreamChunk =
  | { type: 'text'; delta: string }
  | { type: 'thinking'; delta: string }
  | { type: 'tool_use'; toolUseId: string; name: string; input: unknown }
  | { type: 'stop'; stopReason: StopReason }
  | { type: 'error'; code: string; message: string };
