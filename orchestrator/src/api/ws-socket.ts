import type { WebSocket } from '@fastify/websocket';

/** WebSocket close codes (DESIGN: close codes); 4000 and 4001 are ours, so a browser can tell why. */
export const CLOSE = {
  normal: 1000,
  shutdown: 1001,
  policy: 1008,
  internal: 1011,
  heartbeatTimeout: 4000,
  unauthenticated: 4001,
} as const;

/** A peer that does not answer our close frame is cut off after this long, so shutdown never waits on it. */
const CLOSE_HANDSHAKE_MS = 2_000;
/** RFC 6455 limits a close reason to 123 bytes. */
const MAX_REASON_BYTES = 123;

/** Starts the closing handshake, and cuts the connection if the peer does not finish it in time. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === socket.CLOSED) return;
  if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
    let text = reason;
    while (Buffer.byteLength(text) > MAX_REASON_BYTES) text = text.slice(0, -1);
    socket.close(code, text);
  }
  setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_MS).unref();
}

/** Sends one text frame; resolves once ws handed it to the socket (the backpressure point), rejects if closed. */
export function sendText(socket: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(text, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * RFC 6455 liveness: a ping frame every `intervalMs`; a peer that has not answered the previous ping by the next
 * tick is closed with 4000 (a half-open TCP connection would otherwise hold a slot for hours).
 */
export function keepAlive(socket: WebSocket, intervalMs: number): void {
  let answered = true;
  socket.on('pong', () => {
    answered = true;
  });
  const timer = setInterval(() => {
    if (!answered) {
      clearInterval(timer);
      closeSocket(socket, CLOSE.heartbeatTimeout, 'no pong in time');
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
