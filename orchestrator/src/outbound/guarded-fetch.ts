import { connect as tlsConnect, type SecureContextOptions } from 'node:tls';
import { Agent, fetch as undiciFetch, type buildConnector } from 'undici';
import { AgentdError } from '../common/errors.js';
import type { OutboundConnect } from './outbound-types.js';

export interface GuardedFetchOptions {
  connectTimeoutMs?: number;
  /** Same-host redirects followed before giving up. */
  maxRedirects?: number;
  /** Extra trusted CAs (tests with a local HTTPS server); verification always stays on. */
  ca?: SecureContextOptions['ca'];
}

/** A fetch plus `close()`, which ends its pooled connections. */
export type GuardedFetch = typeof fetch & { close(): Promise<void> };

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A fetch whose every TCP connection goes through the outbound guard (so each address is checked and the
 * checked address is the one used), TLS verified against the host name, and redirects followed only within
 * the same host: a redirect to another host (e.g. a metadata address behind an allowed name) is refused.
 */
export function createGuardedFetch(
  connect: OutboundConnect,
  allowAddresses: readonly string[],
  options: GuardedFetchOptions = {},
): GuardedFetch {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const connector: buildConnector.connector = (opts, callback) => {
    const https = opts.protocol === 'https:';
    const port = opts.port === '' ? (https ? 443 : 80) : Number(opts.port);
    connect({ host: opts.hostname, port, allowAddresses, timeoutMs }).then(
      ({ socket }) => {
        if (!https) {
          callback(null, socket);
          return;
        }
        const servername = opts.servername ?? opts.hostname.replace(/^\[|\]$/g, '');
        const tls = tlsConnect({
          socket,
          servername,
          ALPNProtocols: ['http/1.1'],
          rejectUnauthorized: true,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
        });
        const onError = (err: Error): void => {
          tls.destroy();
          callback(err, null);
        };
        tls.once('error', onError);
        tls.once('secureConnect', () => {
          tls.off('error', onError);
          callback(null, tls);
        });
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
  const agent = new Agent({ connect: connector });

  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    const origin = url.host;
    let method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await undiciFetch(url, {
        ...(init as object),
        method,
        body,
        redirect: 'manual',
        dispatcher: agent,
      } as Parameters<typeof undiciFetch>[1]).then(
        (r) => r as unknown as Response,
        (err: unknown) => {
          // undici wraps a connector error in "fetch failed": a refusal surfaces as itself.
          const cause = (err as { cause?: unknown }).cause;
          throw cause instanceof AgentdError ? cause : err;
        },
      );
      if (!REDIRECTS.has(response.status) || init.redirect === 'manual') return response;
      const location = response.headers.get('location');
      if (location === null) return response;
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.host !== origin || next.protocol !== url.protocol) {
        throw new AgentdError('EGRESS_DENIED', `${url.host} redirects to another host (${next.host})`, {
          details: { reason: 'redirect', host: next.host },
        });
      }
      if (init.redirect === 'error' || hop >= maxRedirects)
        throw new AgentdError('EGRESS_DENIED', `too many redirects from ${origin}`, {
          details: { reason: 'redirect' },
        });
      // 303 (and 301/302 after a POST, as browsers do) continue as a GET without a body.
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      } else if (body instanceof ReadableStream) {
        throw new AgentdError('EGRESS_DENIED', `${origin} redirected a streamed request body`, {
          details: { reason: 'redirect' },
        });
      }
      url = next;
    }
  };
  const fetchFn: GuardedFetch = Object.assign(guarded, { close: () => agent.close() });
  return fetchFn;
}
