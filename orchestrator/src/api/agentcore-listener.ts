import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AgentdError, errorMessage } from '../common/errors.js';

export interface AgentCoreListener {
  url: string;
  close(): Promise<void>;
}

/** The AgentCore Runtime contract's paths; nothing else of the API is reachable on its port. */
const AGENTCORE_PATHS = new Set(['/invocations', '/ping', '/ws']);

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end < 0 ? raw : raw.slice(0, end);
}

/**
 * A second HTTP/1.1 listener (AGENTD_AGENTCORE_PORT, 8080 in AgentCore) in front of the same Fastify app:
 * the contract's routes go through the app's whole pipeline (hooks, auth, limits); every other path answers
 * 404 here, so exposing this port exposes no admin or tenant API.
 */
export async function listenAgentCore(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<AgentCoreListener> {
  const routing = app.routing.bind(app);
  const server = http.createServer((req, res) => {
    if (AGENTCORE_PATHS.has(pathOf(req.url))) {
      routing(req, res);
      return;
    }
    const body = JSON.stringify({
      error: {
        code: 'NOT_FOUND',
        message: 'this port serves only the AgentCore Runtime routes (/invocations, /ping, /ws)',
        severity: 'error',
        recoverable: false,
        requestId: '',
      },
    });
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (pathOf(req.url) === '/ws') app.server.emit('upgrade', req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    throw new AgentdError(
      'VALIDATION_FAILED',
      `AGENTD_AGENTCORE_PORT: cannot listen on ${host}:${port}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
