import Type from 'typebox';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { validate } from '../common/validate.js';
import type { RunnerView } from './sandbox-checks.js';

const AuditDataSchema = Type.Object(
  {
    uid: Type.Integer(),
    capEff: Type.String({ maxLength: 32 }),
    noNewPrivs: Type.String({ maxLength: 8 }),
    seccomp: Type.String({ maxLength: 8 }),
  },
  { additionalProperties: false },
);

const PROBE_TIMEOUT_MS = 3_000;

/** Asks a sandbox's runner for its own view of its process (the audit's cross-check; untrusted input). */
export async function runnerProbe(
  callHome: CallHomeServer,
  sandboxId: string,
): Promise<RunnerView | 'unreachable' | 'not_connected'> {
  const channel = callHome.channel(sandboxId);
  if (!channel?.isConnected) return 'not_connected';
  const result = await channel.send({ kind: 'audit' }, PROBE_TIMEOUT_MS);
  if (!result.ok) return 'unreachable';
  return validate(AuditDataSchema, result.data, 'runner audit data');
}
