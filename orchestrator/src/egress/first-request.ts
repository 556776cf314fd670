import type { Duplex } from 'node:stream';
import { hostWithoutPort, MAX_REQUEST_HEAD_BYTES, parseHttpRequestHead } from './http-request-head.js';
import { MAX_CLIENT_HELLO_BYTES, parseClientHello } from './client-hello.js';

export type FirstRequest =
  | { kind: 'tls'; serverName: string | undefined; bytes: Buffer }
  | { kind: 'request'; host: string; bytes: Buffer }
  | { kind: 'refused'; reason: string; message: string };

const MAX_FIRST_BYTES = Math.max(MAX_CLIENT_HELLO_BYTES + 64, MAX_REQUEST_HEAD_BYTES);

/**
 * Reads a connection's first request (a TLS ClientHello or an HTTP request head), bounded in size and time; the
 * bytes read are returned so they can be sent on. The socket is left paused.
 */
export function readFirstRequest(socket: Duplex, head: Buffer, timeoutMs: number): Promise<FirstRequest> {
  return new Promise((resolve) => {
    let buffer = head;
    const state = { settled: false };
    const finish = (result: FirstRequest): void => {
      if (state.settled) return;
      state.settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(result);
    };
    const judge = (): void => {
      const tls = parseClientHello(buffer);
      if (tls.kind === 'hello') return finish({ kind: 'tls', serverName: tls.serverName, bytes: buffer });
      if (tls.kind === 'malformed')
        return finish({ kind: 'refused', reason: 'bad_tls', message: `bad TLS ClientHello: ${tls.reason}` });
      if (tls.kind === 'incomplete') return;
      const http = parseHttpRequestHead(buffer);
      if (http.kind === 'request')
        return finish({ kind: 'request', host: hostWithoutPort(http.host), bytes: buffer });
      if (http.kind === 'malformed')
        return finish({ kind: 'refused', reason: 'bad_http', message: `bad HTTP request: ${http.reason}` });
      if (http.kind === 'not_http')
        return finish({
          kind: 'refused',
          reason: 'not_http',
          message: 'egress carries HTTP and TLS only',
        });
      if (buffer.length > MAX_FIRST_BYTES)
        finish({ kind: 'refused', reason: 'too_large', message: 'first request too large' });
    };
    const onData = (chunk: Buffer): void => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      judge();
    };
    const onClose = (): void =>
      finish({ kind: 'refused', reason: 'closed', message: 'the client closed before its first request' });
    const timer = setTimeout(
      () => finish({ kind: 'refused', reason: 'first_bytes_timeout', message: 'no request in time' }),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.on('close', onClose);
    if (buffer.length > 0) judge();
    if (!state.settled) socket.resume();
  });
}
