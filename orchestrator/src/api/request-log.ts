import type { FastifyRequest } from 'fastify';
import { redactUrl } from '../common/redact-url.js';

/**
 * Fastify's request serializer with the URL's credentials redacted: browsers send tickets as `?ticket=`, and
 * an info-level "incoming request" line would otherwise write them to every log sink.
 */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
  };
}
