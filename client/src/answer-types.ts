// Names for answers the client's methods return, taken from the generated OpenAPI types (kept as named exports
// so callers can type their own variables).
import type { ResponseBody } from './api-types.js';

/** `GET …/workspace/files`: one page of a workspace's files. */
export type WorkspaceFileList =
  ResponseBody<'GET /api/tenants/{tenantId}/conversations/{conversationId}/workspace/files'>;

/** One file of a workspace (an item of the list, and the answer of an upload). */
export type WorkspaceFile = WorkspaceFileList['items'][number];

/** `GET /api/tenants/{tenantId}/usage`. */
export type UsageReport = ResponseBody<'GET /api/tenants/{tenantId}/usage'>;

/** Tokens, runs and cost of a group (or of all: `total`). Costs are decimal strings in USD. */
export type UsageTotals = UsageReport['total'];
