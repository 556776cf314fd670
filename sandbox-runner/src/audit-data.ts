import { readFile } from 'node:fs/promises';
import type { AuditData } from './protocol.js';

/** What this process's own /proc/self/status says (agentd compares it with what the host sees). */
export async function readAuditData(): Promise<AuditData> {
  const status = await readFile('/proc/self/status', 'utf8');
  const field = (name: string): string =>
    new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? 'unknown';
  return {
    uid: process.getuid?.() ?? -1,
    capEff: field('CapEff'),
    noNewPrivs: field('NoNewPrivs'),
    seccomp: field('Seccomp'),
  };
}
