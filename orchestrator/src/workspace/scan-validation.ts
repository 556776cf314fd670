import type { WorkspaceLimits, WorkspaceScan } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import { compiledIssues } from '../common/validate.js';
import type { ManifestFile } from './manifest.js';
import { WorkspaceScanSchema } from '../protocol/workspace-schemas.js';
import { pathProblem, treeConflict } from './workspace-path.js';

/** Upper bound of one scan entry in JSON: a path at its limit (JSON escaping at most doubles it), a hash, numbers. */
const SCAN_BYTES_PER_FILE = 2 * 1024;
/** The listed skipped entries (at most 1000, paths of at most 1024 bytes). */
const SKIPPED_BYTES = 1536 * 1024;

/** Compiled once: a scan of 10,000 files walked by the generic checker cost ~250 ms per sync. */
const scanIssues = compiledIssues(WorkspaceScanSchema);

export function maxScanBytes(limits: WorkspaceLimits): number {
  return limits.maxFiles * SCAN_BYTES_PER_FILE + SKIPPED_BYTES;
}

export interface ValidScan {
  files: Map<string, ManifestFile>;
  skipped: WorkspaceScan['skipped'];
  skippedTotal: number;
  totalBytes: number;
}

/**
 * Checks a runner's scan: its shape, every path, no duplicates, a consistent tree, and the limits (file
 * count, bytes per file, total bytes). Limits give WORKSPACE_LIMIT; anything an honest runner never sends is
 * RUNNER_PROTOCOL_ERROR.
 */
export function validateScan(body: unknown, limits: WorkspaceLimits): ValidScan {
  const files = (body as { files?: unknown } | null)?.files;
  if (Array.isArray(files) && files.length > limits.maxFiles)
    throw limit(`the workspace has ${files.length} files; the limit is ${limits.maxFiles}`);
  const issues = scanIssues(body);
  if (issues.length > 0) throw protocol(`invalid workspace scan: ${issues.slice(0, 5).join('; ')}`);
  const scan = body as WorkspaceScan;
  const out = new Map<string, ManifestFile>();
  let totalBytes = 0;
  for (const { path, ...file } of scan.files) {
    const problem = pathProblem(path);
    if (problem !== undefined)
      throw protocol(`workspace path ${JSON.stringify(path.slice(0, 200))} ${problem}`);
    if (out.has(path)) throw protocol(`workspace path ${path} appears twice`);
    if (file.size > limits.maxFileBytes)
      throw limit(`${path} has ${file.size} bytes; the limit per file is ${limits.maxFileBytes}`);
    totalBytes += file.size;
    if (totalBytes > limits.maxTotalBytes)
      throw limit(
        `the workspace holds more than ${limits.maxTotalBytes} bytes (the sandbox's workspace size)`,
      );
    out.set(path, file);
  }
  const conflict = treeConflict(out.keys());
  if (conflict !== undefined) throw protocol(`${conflict} is both a file and a directory`);
  return { files: out, skipped: scan.skipped, skippedTotal: scan.skippedTotal, totalBytes };
}

export function limit(message: string): AgentdError {
  return new AgentdError('WORKSPACE_LIMIT', message);
}

export function protocol(message: string): AgentdError {
  return new AgentdError('RUNNER_PROTOCOL_ERROR', message);
}
