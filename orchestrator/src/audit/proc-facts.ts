import { readFile } from 'node:fs/promises';

/** What the host kernel says about one process (the container's init): never the container's own word. */
export interface ProcFacts {
  capEff: string | null;
  noNewPrivs: string | null;
  seccomp: string | null;
  uid: string | null;
  uidMap: string[] | null;
  /** AppArmor label from attr/current; null when the file cannot be read (no LSM interface). */
  apparmorLabel: string | null;
  rootMountOptions: string | null;
  tmpfs: Record<string, string>;
}

export async function readProcFacts(pid: number, procRoot = '/proc'): Promise<ProcFacts | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const base = `${procRoot}/${pid}`;
  const status = await readFile(`${base}/status`, 'utf8').catch(() => undefined);
  if (status === undefined) return undefined;
  const field = (name: string): string | null =>
    new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? null;
  const uidMap = await readFile(`${base}/uid_map`, 'utf8').then(
    (text) => text.trim().split(/\s+/),
    () => null,
  );
  const apparmorLabel = await readFile(`${base}/attr/current`, 'utf8').then(
    (text) => text.replace(/\0/g, '').trim(),
    () => null,
  );
  const mountinfo = await readFile(`${base}/mountinfo`, 'utf8').catch(() => '');
  let rootMountOptions: string | null = null;
  const tmpfs: Record<string, string> = {};
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 0) continue;
    const target = fields[4] ?? '';
    const options = fields[5] ?? '';
    const fstype = fields[separator + 1] ?? '';
    const superOptions = fields[separator + 3] ?? '';
    if (target === '/') rootMountOptions = options;
    if (fstype === 'tmpfs') tmpfs[target] = `${options},${superOptions}`;
  }
  return {
    capEff: field('CapEff'),
    noNewPrivs: field('NoNewPrivs'),
    seccomp: field('Seccomp'),
    uid: field('Uid'),
    uidMap,
    apparmorLabel,
    rootMountOptions,
    tmpfs,
  };
}
