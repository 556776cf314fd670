import type { CallOptions, Http } from '../http.js';

/** Probes and metrics (public, except `/metrics` in production). */
export class Health {
  constructor(private readonly http: Http) {}

  /** Each dependency with its status and latency. */
  check(options?: CallOptions) {
    return this.http.json('GET /health', { ...options });
  }
  live(options?: CallOptions) {
    return this.http.json('GET /health/live', { ...options });
  }
  /** 200, or `AgentdError` (503) naming what is down. */
  ready(options?: CallOptions) {
    return this.http.json('GET /health/ready', { ...options });
  }
  /** Prometheus text. */
  async metrics(options?: CallOptions): Promise<string> {
    return (await this.http.send('GET /metrics', { ...options })).text();
  }
  /** AgentCore's health: `Healthy` or `HealthyBusy`. */
  ping(options?: CallOptions) {
    return this.http.json('GET /ping', { ...options });
  }
}
