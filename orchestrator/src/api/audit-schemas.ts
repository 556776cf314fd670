import Type from 'typebox';

/** A hardening profile as security teams read it (`GET /api/audit/profiles`). */
export const AuditedProfileSchema = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  description: Type.String(),
  runtime: Type.String(),
  network: Type.String(),
  limits: Type.Unknown({ description: 'The profile’s resource limits as its file defines them' }),
  seccomp: Type.Object({
    file: Type.String(),
    sha256: Type.String(),
    content: Type.Unknown({ description: 'The seccomp profile itself (JSON), as the engine receives it' }),
  }),
  apparmor: Type.Object({
    name: Type.String(),
    sha256: Type.String(),
    content: Type.String({ description: 'The AppArmor profile text' }),
  }),
});
