import { connect } from 'node:net';
import { expect } from 'vitest';
import { ERROR_CODES } from '../../orchestrator/src/common/errors.js';
import type { TestDaemon } from '../support/test-daemon.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** `fetch` with any headers (the test daemon's `api` always sends the admin key and JSON). */
export async function request(
  d: TestDaemon,
  method: string,
  urlPath: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const res = await fetch(`${d.url}${urlPath}`, {
    method,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: parseJson(text) };
}

/**
 * One request written byte for byte on a fresh socket, so tests can send what `fetch` refuses to: control
 * characters in headers, raw unicode or spaces in the path, oversized header blocks.
 */
export function rawRequest(
  d: TestDaemon,
  method: string,
  target: string,
  headers: [string, string][],
  body: Buffer = Buffer.alloc(0),
  timeoutMs = 20_000,
): Promise<HttpResult> {
  const url = new URL(d.url ?? '');
  const head = [
    `${method} ${target} HTTP/1.1`,
    `host: ${url.host}`,
    'connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
    ...(body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(method)
      ? [`content-length: ${body.length}`]
      : []),
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${method} ${target} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close before reading everything we send (413, 431): that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const response = Buffer.concat(chunks);
      if (response.length === 0) {
        reject(new Error(`the server closed the connection without answering ${method} ${target}`));
        return;
      }
      resolve(parseResponse(response, method));
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

function parseResponse(response: Buffer, method: string): HttpResult {
  const end = response.indexOf('\r\n\r\n');
  const headText = response.subarray(0, end < 0 ? response.length : end).toString('latin1');
  const [statusLine = '', ...lines] = headText.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let payload = end < 0 ? Buffer.alloc(0) : response.subarray(end + 4);
  if (method === 'HEAD') payload = Buffer.alloc(0);
  else if (headers.get('transfer-encoding')?.includes('chunked')) payload = dechunk(payload);
  const text = payload.toString('utf8');
  return { status, headers, text, body: parseJson(text) };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseJson(text: string): any {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

/** Problems with an error body (empty when it has exactly the documented shape). */
export function errorShapeProblems(body: unknown, requestIdHeader?: string | null): string[] {
  const problems: string[] = [];
  const error: unknown = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return [`no "error" object in ${JSON.stringify(body)}`];
  const fields = error as Record<string, unknown>;
  if (!(ERROR_CODES as readonly unknown[]).includes(fields.code))
    problems.push(`unknown code ${String(fields.code)}`);
  if (typeof fields.message !== 'string' || fields.message === '') problems.push('message is not a string');
  if (!['warning', 'error', 'critical'].includes(String(fields.severity))) problems.push('bad severity');
  if (typeof fields.recoverable !== 'boolean') problems.push('recoverable is not a boolean');
  if (typeof fields.requestId !== 'string' || fields.requestId === '') problems.push('no requestId');
  else if (requestIdHeader != null && requestIdHeader !== fields.requestId)
    problems.push(`requestId ${fields.requestId} is not the x-request-id header ${requestIdHeader}`);
  return problems;
}

/** Asserts the status, the stable code and the documented error shape (requestId = the X-Request-ID header). */
export function expectError(
  res: { status: number; body: any; headers: Headers },
  status: number,
  code: string,
): void {
  expect({ status: res.status, code: res.body?.error?.code }, JSON.stringify(res.body)).toEqual({
    status,
    code,
  });
  expect(errorShapeProblems(res.body, res.headers.get('x-request-id'))).toEqual([]);
}

/** Every item of a list endpoint, following `nextCursor` page by page. */
export async function collectPages(
  d: TestDaemon,
  urlPath: string,
  limit: number,
  key = d.adminKey,
): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = urlPath.includes('?') ? '&' : '?';
    const page = `${urlPath}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await d.api('GET', page, undefined, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    if (pages > 1000) throw new Error(`${urlPath} does not stop paging`);
  } while (cursor !== null);
  return { items, pages };
}

/** Creates a tenant and a key scoped to it. */
export async function tenantWithKey(
  d: TestDaemon,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; key: string; keyId: string }> {
  const tenant = await d.api('POST', '/api/tenants', { name, ...extra }, d.adminKey);
  expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
  const key = await d.api(
    'POST',
    '/api/keys',
    { name: `${name} key`, scope: 'tenant', tenantId: tenant.body.id },
    d.adminKey,
  );
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { id: tenant.body.id, key: key.body.key, keyId: key.body.id };
}
