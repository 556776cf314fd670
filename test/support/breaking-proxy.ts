import net from 'node:net';

export interface ProxiedConnection {
  /** What the client sent (request head and body), as latin1. */
  request: string;
  /** What the server answered so far, as latin1. */
  response: string;
  openedAt: number;
  /** Cuts both sides, as a dropped connection does. */
  break(): void;
}

export interface ProxiedRequest {
  at: number;
  /** The request line and headers (a keep-alive connection carries several requests). */
  head: string;
}

export interface BreakingProxy extends AsyncDisposable {
  url: string;
  connections: ProxiedConnection[];
  requests: ProxiedRequest[];
  /** Called with each chunk the server sends, after it was forwarded. */
  onResponseData: (connection: ProxiedConnection) => void;
  close(): Promise<void>;
}

/** A TCP proxy to a local port that a test can cut mid-response, to drive a client's own reconnects. */
export async function startBreakingProxy(targetPort: number): Promise<BreakingProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: BreakingProxy = {
    url: '',
    connections: [],
    requests: [],
    onResponseData: () => undefined,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    [Symbol.asyncDispose]: () => proxy.close(),
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const connection: ProxiedConnection = {
      request: '',
      response: '',
      openedAt: Date.now(),
      break: () => {
        client.destroy();
        upstream.destroy();
      },
    };
    proxy.connections.push(connection);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      // Bodies here are small and unchunked; a chunk starting with a method is a new request.
      if (/^(GET|POST|PUT|DELETE|HEAD|OPTIONS) /.test(text))
        proxy.requests.push({ at: Date.now(), head: text.split('\r\n\r\n')[0] ?? '' });
      connection.request += text;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      connection.response += chunk.toString('latin1');
      client.write(chunk);
      proxy.onResponseData(connection);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return proxy;
}
