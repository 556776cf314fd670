import net from 'node:net';

/**
 * Starts `POST …/stream` on a bare socket, so a test controls reading byte by byte (pause it to play a client
 * that stopped reading). Resolves once the request is written.
 */
export async function rawStream(options: {
  url: string;
  tenantId: string;
  conversationId: string;
  key: string;
  body: string;
}): Promise<net.Socket> {
  const socket = net.connect(Number(new URL(options.url).port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    [
      `POST /api/tenants/${options.tenantId}/conversations/${options.conversationId}/stream HTTP/1.1`,
      'host: 127.0.0.1',
      'connection: close',
      `x-api-key: ${options.key}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(options.body)}`,
      '',
      options.body,
    ].join('\r\n'),
  );
  return socket;
}
