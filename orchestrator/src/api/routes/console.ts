import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { NotFoundError } from '../../common/errors.js';
import type { ConsoleAsset } from '../console-assets.js';

/**
 * The console shows untrusted sandbox output (tool results, model text) to administrators holding an admin
 * key: only its own scripts and styles run, nothing inline, nothing fetched or framed from elsewhere, and
 * Trusted Types make any string-to-HTML sink (innerHTML and friends) throw.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types',
].join('; ');

/** Serves the web console's static files at `/console/` (public: the page holds no data; its calls need a key). */
export const consoleRoutes: FastifyPluginAsyncTypebox<{ assets: Map<string, ConsoleAsset> }> = async (
  app,
  { assets },
) => {
  const config = { access: 'public' as const };
  const schema = { hide: true };
  const send = (reply: FastifyReply, name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new NotFoundError('console file', name);
    return reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('cache-control', 'no-cache')
      .header('referrer-policy', 'no-referrer')
      .type(asset.contentType)
      .send(asset.body);
  };
  app.get('/console', { schema, config }, async (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/*', { schema, config }, async (request, reply) =>
    send(reply, request.params['*'] === '' ? 'index.html' : request.params['*']),
  );
};
