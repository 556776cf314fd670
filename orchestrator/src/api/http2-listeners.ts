import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Http2Config } from '../config/http2-config.js';

export interface Http2Urls {
  /** `http://host:port` of the cleartext HTTP/2 listener, if configured. */
  h2c: string | undefined;
  /** `https://host:port` of the TLS listener (HTTP/2 and HTTP/1.1), if configured. */
  tls: string | undefined;
}

export interface Http2Listeners {
  urls: Http2Urls;
  /** Stops listening and drops open connections (streams were told `server_shutdown` before). */
  close(): Promise<void>;
}

type Http2AnyServer = http2.Http2Server | http2.Http2SecureServer;

/**
 * Serves the same Fastify app over HTTP/2, beside its HTTP/1.1 listener: a browser gets more than 6
 * concurrent streams per origin. Fastify handles HTTP/2 requests per request (`httpVersionMajor`), so one
 * app serves every listener with the same hooks, auth and routes.
 */
export async function listenHttp2(
  app: FastifyInstance,
  host: string,
  config: Http2Config,
  logger: Logger,
): Promise<Http2Listeners> {
  // Fastify's whole request pipeline (hooks, auth, routes); it accepts HTTP/2 compat requests as they are.
  const routing = app.routing.bind(app) as unknown as (
    req: http2.Http2ServerRequest,
    res: http2.Http2ServerResponse,
  ) => void;
  const handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void => routing(req, res);
  const servers: { server: Http2AnyServer; sockets: Set<Socket> }[] = [];
  const urls: Http2Urls = { h2c: undefined, tls: undefined };
  const closeAll = async (): Promise<void> => {
    await Promise.all(
      servers.map(async ({ server, sockets }) => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      }),
    );
  };
  try {
    if (config.h2cPort !== undefined) {
      const server = http2.createServer({}, handler);
      const port = await listen(server, host, config.h2cPort, servers, logger);
      urls.h2c = `http://${hostForUrl(host)}:${port}`;
    }
    if (config.tls) {
      const [cert, key] = await Promise.all([
        readTlsFile('AGENTD_TLS_CERT_FILE', config.tls.certFile),
        readTlsFile('AGENTD_TLS_KEY_FILE', config.tls.keyFile),
      ]);
      // HTTP/1.1 stays allowed: WebSocket upgrades and clients without ALPN h2 use it on the same origin.
      const server = http2.createSecureServer({ cert, key, allowHTTP1: true }, handler);
      // Upgrades on the TLS port go where the HTTP/1.1 listener's go (the WebSocket routes), if anywhere.
      if (app.server.listenerCount('upgrade') > 0)
        server.on('upgrade', (...args: unknown[]) => app.server.emit('upgrade', ...args));
      const port = await listen(server, host, config.tls.port, servers, logger);
      urls.tls = `https://${hostForUrl(host)}:${port}`;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { urls, close: closeAll };
}

async function listen(
  server: Http2AnyServer,
  host: string,
  port: number,
  servers: { server: Http2AnyServer; sockets: Set<Socket> }[],
  logger: Logger,
): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('sessionError', (err) => logger.debug({ err }, 'HTTP/2 session error'));
  server.on('tlsClientError', (err) => logger.debug({ err }, 'TLS handshake failed'));
  servers.push({ server, sockets });
  server.listen(port, host);
  try {
    // Rejects on 'error' (port taken, address not available).
    await once(server, 'listening');
  } catch (err) {
    throw new AgentdError('VALIDATION_FAILED', `cannot listen on ${host}:${port}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  return (server.address() as AddressInfo).port;
}

async function readTlsFile(variable: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new AgentdError('VALIDATION_FAILED', `${variable}: cannot read ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
