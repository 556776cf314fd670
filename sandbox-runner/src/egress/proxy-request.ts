/** A client's first request to the sandbox's egress proxy, parsed as far as the proxy needs it. */
export type ProxyRequest =
  | { kind: 'connect'; host: string; port: number }
  | { kind: 'http'; host: string; port: number; head: Buffer }
  | { kind: 'bad'; status: number; message: string };

/** Bounds on what a client may send before the proxy knows where it goes. */
export const MAX_REQUEST_LINE = 8 * 1024;
export const MAX_HEAD_BYTES = 16 * 1024;

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'upgrade',
]);

/** Where the head ends (after its blank line), or -1 while incomplete. */
export function headEnd(buffer: Buffer): number {
  const end = buffer.indexOf('\r\n\r\n');
  return end < 0 ? -1 : end + 4;
}

/**
 * Reads `CONNECT host:port` or an absolute-URI `http://` request; the latter is rewritten to origin form with
 * `Connection: close`, so one client connection carries one request to one host.
 */
export function parseProxyRequest(head: Buffer): ProxyRequest {
  const text = head.toString('latin1');
  const lines = text.slice(0, -4).split('\r\n');
  const requestLine = lines[0] ?? '';
  if (requestLine.length > MAX_REQUEST_LINE)
    return { kind: 'bad', status: 414, message: 'request line too long' };
  const match = /^([A-Z]{1,16}) (\S+) (HTTP\/1\.[01])$/.exec(requestLine);
  if (!match) return { kind: 'bad', status: 400, message: 'not an HTTP/1.x request' };
  const [, method = '', target = '', version = ''] = match;
  if (method === 'CONNECT') {
    const authority = splitAuthority(target);
    if (!authority) return { kind: 'bad', status: 400, message: `CONNECT needs host:port (got ${target})` };
    return { kind: 'connect', ...authority };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { kind: 'bad', status: 400, message: 'a proxy request needs an absolute http:// URL' };
  }
  if (url.protocol !== 'http:')
    return { kind: 'bad', status: 400, message: `${url.protocol} URLs go through CONNECT (https) only` };
  if (url.username !== '' || url.password !== '')
    return { kind: 'bad', status: 400, message: 'credentials in the URL are not forwarded' };
  const headers: string[] = [];
  let hasHost = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'bad', status: 400, message: 'bad header line' };
    const name = line.slice(0, colon).trim().toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'host') {
      hasHost = true;
      headers.push(`Host: ${url.host}`);
      continue;
    }
    headers.push(line);
  }
  if (!hasHost) headers.unshift(`Host: ${url.host}`);
  headers.push('Connection: close');
  const rewritten = `${method} ${url.pathname}${url.search} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    kind: 'http',
    host,
    port: url.port === '' ? 80 : Number(url.port),
    head: Buffer.from(rewritten, 'latin1'),
  };
}

function splitAuthority(target: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):([0-9]{1,5})$/.exec(target);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}
