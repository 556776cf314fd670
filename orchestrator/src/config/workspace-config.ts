import path from 'node:path';
import type { EnvReader } from './env-reader.js';

export type WorkspaceStoreConfig =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      /**
       * `when_required` for S3-compatible endpoints: with the SDK's default flexible checksums a streamed
       * upload to some of them (s3rver, verified) stores the aws-chunked framing inside the object.
       */
      checksums: 'when_required' | 'when_supported';
      /** Attempts per request, with the SDK's standard retry strategy (exponential backoff with jitter). */
      maxAttempts: number;
    };

export interface WorkspaceConfig {
  store: WorkspaceStoreConfig;
  /** Files per workspace: every file is one object (one request to store, one to restore). */
  maxFiles: number;
  /** Bytes per file (the sandbox's workspace size caps it too). */
  maxFileBytes: number;
  syncTimeoutMs: number;
}

const GiB = 1024 * 1024 * 1024;
/** S3 copies in one request up to 5 GiB; agentd promotes staged files with a single CopyObject. */
const MAX_FILE_BYTES = 5 * GiB;

/**
 * S3 when S3_BUCKET_NAME is set (credentials from the standard AWS chain), else a local directory in the
 * state dir: the embedded default.
 */
export function loadWorkspaceConfig(r: EnvReader, stateDir: string): WorkspaceConfig {
  const bucket = r.optionalString('S3_BUCKET_NAME');
  const endpoint = r.optionalString('S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint))
    r.issues.push(`S3_ENDPOINT: must be an http(s) URL (got "${endpoint}")`);
  const prefix = r.string('S3_PREFIX', 'agentd').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix) || prefix.length > 128)
    r.issues.push(
      `S3_PREFIX: 1-128 characters of [A-Za-z0-9!_.*'()-] in '/'-separated segments (got "${prefix}")`,
    );
  const store: WorkspaceStoreConfig =
    bucket === undefined
      ? {
          kind: 'local',
          dir: path.resolve(r.string('AGENTD_WORKSPACE_DIR', path.join(stateDir, 'workspaces'))),
        }
      : {
          kind: 's3',
          bucket,
          prefix,
          region: r.string('AWS_REGION', r.string('AWS_DEFAULT_REGION', 'us-east-1')),
          endpoint,
          forcePathStyle: r.boolean('S3_FORCE_PATH_STYLE', false),
          // S3-compatible endpoints (s3rver, verified) store aws-chunked framing inside objects otherwise.
          checksums: r.oneOf(
            'S3_CHECKSUMS',
            ['when_required', 'when_supported'],
            endpoint === undefined ? 'when_supported' : 'when_required',
          ),
          maxAttempts: r.integer('S3_MAX_ATTEMPTS', 5, 1, 20),
        };
  return {
    store,
    maxFiles: r.integer('AGENTD_WORKSPACE_MAX_FILES', 20_000, 1, 1_000_000),
    maxFileBytes: r.integer('AGENTD_WORKSPACE_MAX_FILE_BYTES', GiB, 1, MAX_FILE_BYTES),
    syncTimeoutMs: r.durationMs('AGENTD_WORKSPACE_SYNC_TIMEOUT', 10 * 60_000, 1000),
  };
}
