import Type, { type Static } from 'typebox';
import type { JobResult, PongData, SkillsSyncData } from '@agentd/sandbox-runner/protocol';

/** Runtime schemas for what the runner sends; the type checks below keep them in step with the protocol file. */
export const JobResultSchema = Type.Union([
  Type.Object(
    { jobId: Type.String({ maxLength: 64 }), ok: Type.Literal(true), data: Type.Unknown() },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      jobId: Type.String({ maxLength: 64 }),
      ok: Type.Literal(false),
      error: Type.Object(
        { code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 4096 }) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);

export const PongDataSchema = Type.Object(
  {
    protocolVersion: Type.Literal(1),
    runnerVersion: Type.String({ maxLength: 64 }),
    pid: Type.Integer({ minimum: 1 }),
    uptimeMs: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const SkillsSyncDataSchema = Type.Object(
  {
    written: Type.Integer({ minimum: 0 }),
    kept: Type.Integer({ minimum: 0 }),
    deleted: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _JobResultMatches = Assert<Same<Static<typeof JobResultSchema>, JobResult>>;
export type _PongMatches = Assert<Same<Static<typeof PongDataSchema>, PongData>>;
export type _SkillsSyncMatches = Assert<Same<Static<typeof SkillsSyncDataSchema>, SkillsSyncData>>;
