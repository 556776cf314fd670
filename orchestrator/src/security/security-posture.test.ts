import { describe, expect, it } from 'vitest';
import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { ADVISORIES } from './advisories.js';
import { SecurityPosture, type PostureMode } from './security-posture.js';
import type { ComponentVersions } from './version-source.js';

function posture(mode: PostureMode, versions: ComponentVersions) {
  const warnings: string[] = [];
  const logger = {
    warn: (...args: unknown[]) => warnings.push(String(args.at(-1))),
  } as unknown as Logger;
  const source = { read: () => Promise.resolve(versions) };
  return { gate: new SecurityPosture({ mode, source, table: ADVISORIES, logger }), warnings };
}

const PATCHED: ComponentVersions = { runc: { version: '1.3.3' }, containerd: { version: '2.2.0' } };

describe('SecurityPosture.gate', () => {
  it('passes a patched host in either mode, silently', async () => {
    for (const mode of ['required', 'preferred'] as const) {
      const { gate, warnings } = posture(mode, PATCHED);
      await expect(gate.gate()).resolves.toMatchObject({ findings: [], unverified: [] });
      expect(warnings).toEqual([]);
    }
  });

  it('refuses in required mode when a component cannot be verified, and only warns in preferred', async () => {
    const unreported = { runc: { version: '1.3.3' } };
    const required = posture('required', unreported);
    const err = await required.gate.gate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentdError);
    expect((err as AgentdError).code).toBe('SECURITY_POSTURE');
    expect((err as AgentdError).message).toContain('containerd: version not reported');

    const preferred = posture('preferred', { ...unreported, runc: { version: '1.1.11' } });
    const assessment = await preferred.gate.gate();
    expect(assessment.findings).toHaveLength(5);
    expect(preferred.warnings).toHaveLength(6);
    expect(preferred.gate.latest).toBe(assessment);
  });
});
