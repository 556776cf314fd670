import net from 'node:net';

export interface CuttingProxy extends AsyncDisposable {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Drops every open connection at once, as a flaky network or a restarting load balancer would. */
  cut(): void;
}

/** A TCP proxy on 127.0.0.1 to `targetPort` whose connections the test can cut. */
export async function cuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return accepted;
    },
    cut() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    async [Symbol.asyncDispose]() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
