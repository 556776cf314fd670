import http from 'node:http';
import type net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface UpstreamAgentOptions {
  host: string;
  /** Dials through agentd's outbound checks (policy, DNS, address rules); resolves to the raw TCP socket. */
  connectUpstream: () => Promise<net.Socket>;
  /** Trusted roots for origins (the system's, plus any configured extra). */
  ca: string[];
}

/**
 * One intercepted client connection's way to its origin: keep-alive, one origin connection at a time (as the
 * client's own connection is one), each dialled through agentd's checks and verified as any HTTPS client
 * would (chain to a trusted root, and the name).
 */
export class UpstreamAgent extends http.Agent {
  readonly #raw = new Set<net.Socket>();
  #bytesIn = 0;
  #bytesOut = 0;

  constructor(private readonly upstream: UpstreamAgentOptions) {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  /** Bytes on the wire to and from origins (TLS included), for the run's egress accounting. */
  get bytes(): { bytesIn: number; bytesOut: number } {
    let bytesIn = this.#bytesIn;
    let bytesOut = this.#bytesOut;
    for (const raw of this.#raw) {
      bytesIn += raw.bytesRead;
      bytesOut += raw.bytesWritten;
    }
    return { bytesIn, bytesOut };
  }

  override createConnection(
    _options: unknown,
    callback: (err: Error | null, socket?: Duplex) => void,
  ): undefined {
    const { host, ca } = this.upstream;
    let answered = false;
    const answer = (err: Error | null, socket?: Duplex) => {
      if (answered) return;
      answered = true;
      callback(err, socket);
    };
    this.upstream.connectUpstream().then(
      (raw) => {
        this.#raw.add(raw);
        raw.once('close', () => {
          this.#raw.delete(raw);
          this.#bytesIn += raw.bytesRead;
          this.#bytesOut += raw.bytesWritten;
        });
        const secure = tls.connect({
          socket: raw,
          servername: host,
          ALPNProtocols: ['http/1.1'],
          minVersion: 'TLSv1.2',
          ca,
        });
        secure.once('secureConnect', () => answer(null, secure));
        secure.once('error', (err: Error) => {
          raw.destroy();
          answer(err);
        });
      },
      (err: unknown) => answer(err instanceof Error ? err : new Error(String(err))),
    );
    return undefined;
  }
}
