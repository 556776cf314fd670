import { readdir, readFile } from 'node:fs/promises';

const FALLBACK = 'http://deb.debian.org/debian';

/** The Debian mirror this machine's apt uses (the only one reachable here), from sources.list(.d). */
export async function detectDebianMirror(): Promise<string> {
  const texts: string[] = [];
  texts.push(await readFile('/etc/apt/sources.list', 'utf8').catch(() => ''));
  const dir = '/etc/apt/sources.list.d';
  for (const name of await readdir(dir).catch(() => [])) {
    if (name.endsWith('.sources') || name.endsWith('.list'))
      texts.push(await readFile(`${dir}/${name}`, 'utf8').catch(() => ''));
  }
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.startsWith('#')) continue;
      const uri = /(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/.exec(trimmed)?.[1];
      if (uri && /\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return FALLBACK;
}
