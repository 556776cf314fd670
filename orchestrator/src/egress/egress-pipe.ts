import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ActiveRun } from '../runs/active-run.js';
import type { EgressConnection } from '../runs/run-egress.js';

/**
 * Carries one allowed connection's bytes both ways, counting them against the run's budget. Closed by either
 * side, by idleness, by the budget (the sandbox's client sees the connection end) or by the run's end.
 */
export class EgressPipe implements EgressConnection {
  #upstream: net.Socket | undefined;
  #closedBy: string | undefined;
  #bytesIn = 0;
  #bytesOut = 0;

  constructor(
    private readonly activeRun: ActiveRun,
    private readonly client: Duplex,
    private readonly idleTimeoutMs: number,
    private readonly onLimit: (limit: string, message: string) => void,
  ) {}

  /** Why agentd closed the connection, if it did. */
  get closedBy(): string | undefined {
    return this.#closedBy;
  }

  close(reason: string): void {
    this.#closedBy ??= reason;
    this.client.destroy();
    this.#upstream?.destroy();
  }

  /** Pipes until both sides are done; resolves with the bytes moved. */
  run(upstream: net.Socket, firstBytes: Buffer): Promise<{ bytesIn: number; bytesOut: number }> {
    this.#upstream = upstream;
    const { client } = this;
    return new Promise((resolve) => {
      let open = 2;
      const done = (): void => {
        if (--open > 0) return;
        resolve({ bytesIn: this.#bytesIn, bytesOut: this.#bytesOut });
      };
      client.once('close', () => {
        upstream.destroy();
        done();
      });
      upstream.once('close', () => {
        client.destroy();
        done();
      });
      client.on('error', () => client.destroy());
      upstream.on('error', () => upstream.destroy());
      upstream.setTimeout(this.idleTimeoutMs, () => this.close('idle_timeout'));
      if (this.#closedBy !== undefined) {
        upstream.destroy();
        client.destroy();
        return;
      }
      this.#count('out', firstBytes.length);
      upstream.write(firstBytes);
      this.#forward(client, upstream, 'out');
      this.#forward(upstream, client, 'in');
    });
  }

  #forward(from: Duplex, to: Duplex, direction: 'in' | 'out'): void {
    from.on('data', (chunk: Buffer) => {
      if (!this.#count(direction, chunk.length)) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.once('end', () => to.end());
    from.resume();
  }

  #count(direction: 'in' | 'out', bytes: number): boolean {
    if (direction === 'in') this.#bytesIn += bytes;
    else this.#bytesOut += bytes;
    if (this.activeRun.egress.addBytes(direction, bytes)) return true;
    const message = `egress limit: ${this.activeRun.egress.policy.maxBytesPerRun} bytes per run reached; connection closed`;
    this.onLimit('max_bytes_per_run', message);
    this.close('max_bytes_per_run');
    return false;
  }
}
