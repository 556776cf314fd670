import { describe, expect, it } from 'vitest';
import { AgentdError } from './agentd-error.js';
import { Http } from './http.js';

type Call = { url: string; init: RequestInit };

/** An Http whose fetch answers from `answers` in turn and records each call. */
function scripted(answers: (() => Response)[], options: Partial<ConstructorParameters<typeof Http>[0]> = {}) {
  const calls: Call[] = [];
  const http = new Http({
    baseUrl: 'http://agentd.test/',
    credentials: { apiKey: 'k' },
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2_000 },
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const next = answers.shift();
      if (!next) throw new TypeError('fetch failed');
      return next();
    }) as typeof fetch,
    ...options,
  });
  return { http, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): (() => Response) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
const busy = json(503, {
  error: {
    code: 'CAPACITY_EXHAUSTED',
    message: 'full',
    severity: 'error',
    recoverable: true,
    requestId: 'r',
  },
});

describe('Http', () => {
  it('fills path parameters (a workspace path keeps its slashes) and the query', () => {
    const { http } = scripted([]);
    expect(
      http.url(
        'GET /api/tenants/{tenantId}/conversations/{conversationId}/workspace/files/{path}',
        { tenantId: 'a b', conversationId: 'c/d', path: 'notes/to do.txt' },
        { limit: 5, cursor: undefined },
      ),
    ).toBe(
      'http://agentd.test/api/tenants/a%20b/conversations/c%2Fd/workspace/files/notes/to%20do.txt?limit=5',
    );
  });

  it('sends the API key, or a bearer token fetched fresh for each request', async () => {
    const { http, calls } = scripted([json(200, {}), json(200, {})]);
    await http.json('GET /api/models');
    expect(new Headers(calls[0]?.init.headers).get('x-api-key')).toBe('k');
    let n = 0;
    const bearer = scripted([json(200, {}), json(200, {})], { credentials: { token: () => `jwt-${++n}` } });
    await bearer.http.json('GET /api/models');
    await bearer.http.json('GET /api/models');
    expect(bearer.calls.map((c) => new Headers(c.init.headers).get('authorization'))).toEqual([
      'Bearer jwt-1',
      'Bearer jwt-2',
    ]);
  });

  it('retries a recoverable error, waiting what Retry-After says', async () => {
    const { http, calls } = scripted([
      json(
        429,
        { error: { code: 'RATE_LIMITED', message: 'x', severity: 'warning', recoverable: true } },
        { 'retry-after': '1' },
      ),
      json(200, { ok: 1 }),
    ]);
    const started = Date.now();
    expect(await http.json('GET /api/models')).toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up after the bounded retries with the last typed error', async () => {
    const { http, calls } = scripted([busy, busy, busy, busy, busy]);
    const err = await http.json('GET /api/models').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentdError);
    expect(err).toMatchObject({ code: 'CAPACITY_EXHAUSTED', status: 503, requestId: 'r' });
    expect(calls).toHaveLength(4);
  });

  it('does not retry an error that is not recoverable', async () => {
    const { http, calls } = scripted([
      json(404, { error: { code: 'NOT_FOUND', message: 'no', severity: 'error', recoverable: false } }),
    ]);
    await expect(http.json('GET /api/models/{modelId}', { path: { modelId: 'x' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    expect(calls).toHaveLength(1);
  });

  it('retries a network failure of a GET but never of a POST (it may have acted)', async () => {
    const get = scripted([
      () => {
        throw new TypeError('fetch failed');
      },
      json(200, { ok: 1 }),
    ]);
    expect(await get.http.json('GET /api/models')).toEqual({ ok: 1 });
    const post = scripted([
      () => {
        throw new TypeError('fetch failed');
      },
      json(201, {}),
    ]);
    await expect(post.http.json('POST /api/tenants', { body: { name: 'x' } })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    });
    expect(post.calls).toHaveLength(1);
  });
});
