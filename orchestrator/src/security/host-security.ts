import { readFile } from 'node:fs/promises';
import type { EngineInfo } from '../docker/docker-engine.js';

export interface AppArmorFacts {
  /** True only when the running kernel enforces AppArmor — never inferred from Docker's word. */
  enforced: boolean;
  /** Whether the named agentd profile is loaded into the kernel (null when AppArmor is not enforced). */
  profileLoaded: boolean | null;
  reason: string;
}

export interface HostSecurityFacts {
  /** Active LSMs from /sys/kernel/security/lsm, or null when that file cannot be read. */
  lsms: string[] | null;
  apparmor: AppArmorFacts;
  userns: { remapped: boolean; reason: string };
  seccomp: { engineSupports: boolean };
  engine: EngineInfo;
}

export interface HostFileReader {
  read(path: string): Promise<string | undefined>;
}

export const hostFiles: HostFileReader = {
  read: (path) => readFile(path, 'utf8').catch(() => undefined),
};

/** Reads isolation facts from the host kernel and the engine (docs/architecture.md: hardening — detect, never assume). */
export async function detectHostSecurity(
  engine: EngineInfo,
  apparmorProfileName: string,
  files: HostFileReader = hostFiles,
): Promise<HostSecurityFacts> {
  const lsmText = await files.read('/sys/kernel/security/lsm');
  const lsms = lsmText === undefined ? null : lsmText.trim().split(',').filter(Boolean);
  const moduleEnabled = (await files.read('/sys/module/apparmor/parameters/enabled'))?.trim();
  const apparmor = await detectAppArmor(lsms, moduleEnabled, apparmorProfileName, files);
  return {
    lsms,
    apparmor,
    userns: engine.usernsRemap
      ? { remapped: true, reason: 'the engine reports name=userns in SecurityOptions' }
      : {
          remapped: false,
          reason: 'the engine does not remap user namespaces (set "userns-remap" in daemon.json)',
        },
    seccomp: { engineSupports: engine.seccomp },
    engine,
  };
}

async function detectAppArmor(
  lsms: string[] | null,
  moduleEnabled: string | undefined,
  profileName: string,
  files: HostFileReader,
): Promise<AppArmorFacts> {
  if (lsms !== null && !lsms.includes('apparmor')) {
    return {
      enforced: false,
      profileLoaded: null,
      reason: `the kernel's active LSMs are ${lsms.join(',')}: no AppArmor`,
    };
  }
  if (lsms === null && moduleEnabled === undefined) {
    return {
      enforced: false,
      profileLoaded: null,
      reason:
        'cannot read /sys/kernel/security/lsm (securityfs not mounted) and the kernel has no apparmor module',
    };
  }
  if (moduleEnabled !== undefined && moduleEnabled !== 'Y') {
    return { enforced: false, profileLoaded: null, reason: 'the apparmor module is present but disabled' };
  }
  const profiles = await files.read('/sys/kernel/security/apparmor/profiles');
  const profileLoaded = profiles?.split('\n').some((line) => line.startsWith(`${profileName} `)) ?? false;
  return {
    enforced: true,
    profileLoaded,
    reason: profileLoaded
      ? `the kernel enforces AppArmor and profile ${profileName} is loaded`
      : `the kernel enforces AppArmor but profile ${profileName} is not loaded (apparmor_parser -r deployment/apparmor/${profileName})`,
  };
}
