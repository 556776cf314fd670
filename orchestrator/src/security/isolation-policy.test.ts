import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../docker/docker-engine.js';
import { detectHostSecurity, type HostFileReader } from './host-security.js';
import { assertIsolation, decideIsolation } from './isolation-policy.js';

const engine = (usernsRemap: boolean): EngineInfo => ({
  serverVersion: '20.10.24',
  apiVersion: '1.41',
  kernelVersion: '6.1',
  operatingSystem: 'Debian',
  cgroupVersion: '1',
  securityOptions: usernsRemap
    ? ['name=seccomp,profile=default', 'name=userns']
    : ['name=seccomp,profile=default'],
  usernsRemap,
  seccomp: true,
  runtimes: ['runc'],
  defaultRuntime: 'runc',
});

const files = (entries: Record<string, string>): HostFileReader => ({
  read: (p) => Promise.resolve(entries[p]),
});

describe('detectHostSecurity', () => {
  it('reports AppArmor as not enforced when the kernel LSM list lacks it', async () => {
    const facts = await detectHostSecurity(
      engine(true),
      'agentd-sandbox',
      files({ '/sys/kernel/security/lsm': 'lockdown,capability,landlock,bpf' }),
    );
    expect(facts.lsms).toEqual(['lockdown', 'capability', 'landlock', 'bpf']);
    expect(facts.apparmor).toMatchObject({ enforced: false, profileLoaded: null });
    expect(facts.apparmor.reason).toContain('no AppArmor');
    expect(facts.userns.remapped).toBe(true);
  });

  it('says why when securityfs is not mounted and there is no apparmor module', async () => {
    const facts = await detectHostSecurity(engine(true), 'agentd-sandbox', files({}));
    expect(facts.lsms).toBeNull();
    expect(facts.apparmor.enforced).toBe(false);
    expect(facts.apparmor.reason).toMatch(/securityfs not mounted/);
  });

  it('sees an enforcing kernel and whether our profile is loaded', async () => {
    const base = {
      '/sys/kernel/security/lsm': 'capability,apparmor',
      '/sys/module/apparmor/parameters/enabled': 'Y\n',
    };
    const unloaded = await detectHostSecurity(engine(true), 'agentd-sandbox', files(base));
    expect(unloaded.apparmor).toMatchObject({ enforced: true, profileLoaded: false });
    const loaded = await detectHostSecurity(
      engine(true),
      'agentd-sandbox',
      files({
        ...base,
        '/sys/kernel/security/apparmor/profiles': 'docker-default (enforce)\nagentd-sandbox (enforce)\n',
      }),
    );
    expect(loaded.apparmor).toMatchObject({ enforced: true, profileLoaded: true });
  });
});

describe('decideIsolation', () => {
  const noAppArmor = files({ '/sys/kernel/security/lsm': 'capability,landlock' });

  it('with preferred: runs without AppArmor, never requests it, and warns', async () => {
    const facts = await detectHostSecurity(engine(true), 'agentd-sandbox', noAppArmor);
    const decision = decideIsolation(facts, { apparmor: 'preferred', userns: 'required' }, 'agentd-sandbox');
    expect(decision.apparmorProfile).toBeNull();
    expect(decision.warnings.join()).toMatch(/AppArmor is not enforced/);
  });

  it('with required: refuses and lists every missing protection at once', async () => {
    const facts = await detectHostSecurity(engine(false), 'agentd-sandbox', noAppArmor);
    const decision = decideIsolation(facts, { apparmor: 'required', userns: 'required' }, 'agentd-sandbox');
    expect(decision.refusals).toHaveLength(2);
    expect(() => assertIsolation(decision)).toThrow(/AppArmor[\s\S]*user namespaces/);
  });

  it('requests the profile when the kernel enforces it and it is loaded', async () => {
    const facts = await detectHostSecurity(
      engine(true),
      'agentd-sandbox',
      files({
        '/sys/kernel/security/lsm': 'apparmor',
        '/sys/kernel/security/apparmor/profiles': 'agentd-sandbox (enforce)',
      }),
    );
    expect(decideIsolation(facts, { apparmor: 'required', userns: 'required' }, 'agentd-sandbox')).toEqual({
      apparmorProfile: 'agentd-sandbox',
      warnings: [],
      refusals: [],
    });
  });
});
