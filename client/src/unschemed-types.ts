// Answers the OpenAPI document gives no schema for yet, written by hand from agentd's routes (the integration
// suite checks them against a live agentd). Every other type comes from generated/openapi.ts.

/** One file of a workspace (`GET …/workspace/files`, and the answer of an upload). */
export interface WorkspaceFile {
  path: string;
  size: number;
  /** Quoted SHA-256 of the content. */
  etag: string;
  modified: string;
  executable: boolean;
}

export interface WorkspaceFileList {
  items: WorkspaceFile[];
  nextCursor: string | null;
}

/** Tokens, runs and cost of a group (or of all: `total`). Costs are decimal strings in USD. */
export interface UsageTotals {
  runs: number;
  resources: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: string;
}

/** `GET /api/tenants/{tenantId}/usage`. */
export interface UsageReport {
  tenantId: string;
  from: string;
  to: string;
  groupBy: 'model' | 'conversation' | 'day';
  groups: (UsageTotals & { key: string })[];
  total: UsageTotals;
}
