export type HttpHeadResult =
  | { kind: 'incomplete' }
  | { kind: 'not_http' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'request'; host: string };

/** A request head larger than this is refused (the runner's proxy allows less). */
export const MAX_REQUEST_HEAD_BYTES = 32 * 1024;

const REQUEST_LINE = /^[A-Z]{3,16} \/[\x21-\x7e]* HTTP\/1\.[01]$/;
const METHOD_START = /^[A-Z]{1,16}( |$)/;

/**
 * Reads the first plain-HTTP request on an egress connection far enough to know its Host, which must name the
 * host the connection was allowed for (an origin-form request line: the runner's proxy rewrote it).
 */
export function parseHttpRequestHead(data: Buffer): HttpHeadResult {
  const end = data.indexOf('\r\n\r\n');
  const probe = data.subarray(0, Math.min(data.length, 17)).toString('latin1');
  if (!METHOD_START.test(probe)) return { kind: 'not_http' };
  if (end < 0)
    return data.length > MAX_REQUEST_HEAD_BYTES
      ? { kind: 'malformed', reason: 'request head too large' }
      : { kind: 'incomplete' };
  if (end > MAX_REQUEST_HEAD_BYTES) return { kind: 'malformed', reason: 'request head too large' };
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  if (!REQUEST_LINE.test(lines[0] ?? '')) return { kind: 'malformed', reason: 'bad request line' };
  let host: string | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'malformed', reason: 'bad header line' };
    if (line.slice(0, colon).toLowerCase() !== 'host') continue;
    // Two Host headers could name one host to agentd and another to the origin.
    if (host !== undefined) return { kind: 'malformed', reason: 'duplicate Host header' };
    host = line.slice(colon + 1).trim();
  }
  if (host === undefined || host === '') return { kind: 'malformed', reason: 'no Host header' };
  return { kind: 'request', host };
}

/** `name[:port]` from a Host header, without the port (IPv6 literals are not names and stay as they are). */
export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host;
  const colon = host.lastIndexOf(':');
  return colon >= 0 && /^[0-9]+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}
