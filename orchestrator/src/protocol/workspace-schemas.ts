import Type, { type Static } from 'typebox';
import type { WorkspaceScan } from '@agentd/sandbox-runner/protocol';

/** What a runner reports about /workspace; untrusted: every path is checked again with pathProblem. */
export const WorkspaceScanSchema = Type.Object(
  {
    files: Type.Array(
      Type.Object(
        {
          path: Type.String({ maxLength: 4096 }),
          size: Type.Integer({ minimum: 0 }),
          sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          mtimeMs: Type.Number(),
          executable: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    skipped: Type.Array(
      Type.Object(
        {
          path: Type.String({ maxLength: 1024 }),
          reason: Type.Union([
            Type.Literal('symlink'),
            Type.Literal('fifo'),
            Type.Literal('socket'),
            Type.Literal('device'),
            Type.Literal('invalid-name'),
            Type.Literal('unreadable'),
          ]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    skippedTotal: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _ScanMatches = Assert<Same<Static<typeof WorkspaceScanSchema>, WorkspaceScan>>;
