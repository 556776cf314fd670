import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from './error-handler.js';
import { installTextGuard } from './text-guard.js';

describe('installTextGuard', () => {
  const app = Fastify();
  installErrorHandler(app);
  installTextGuard(app);
  app.post('/json', async (request) => ({ got: request.body }));
  app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    raw.put('/upload', async (request) => ({ stream: request.body instanceof Readable }));
  });

  const post = (body: string, url = '/json') =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });

  it('refuses NUL and unpaired surrogates anywhere in a JSON body, naming where', async () => {
    for (const [body, at] of [
      ['{"name":"a\\u0000b"}', '/body/name'],
      ['{"a":[{"b":"\\ud800"}]}', '/body/a/0/b'],
      ['{"x":"\\udfffz"}', '/body/x'],
      ['{"\\u0000":1}', '/body/%00'],
    ] as const) {
      const res = await post(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { issues: [`${at}: contains NUL or an unpaired surrogate`] },
      });
    }
  });

  it('refuses them in query strings', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/json?user=%00',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(400);
  });

  it('lets valid Unicode through, surrogate pairs included', async () => {
    const res = await post('{"name":"😀 \\ud83d\\ude00 ü 中文","deep":[[["x"]]]}');
    expect(res.statusCode).toBe(200);
    expect(res.json().got.name).toBe('😀 😀 ü 中文');
  });

  it('does not walk a streamed body', async () => {
    const res = await app.inject({ method: 'PUT', url: '/upload', payload: 'raw bytes \u0000' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stream: true });
  });

  it('survives a deeply nested body', async () => {
    const res = await post(`${'['.repeat(3000)}"\\u0000"${']'.repeat(3000)}`);
    expect(res.statusCode).toBe(400);
  });
});
