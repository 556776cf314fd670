import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** Operators (admin key): sandboxes, warm pool, reaps, nodes, the lifecycle policy. */
export class Admin {
  constructor(private readonly http: Http) {}

  /** Every sandbox of the fleet. */
  sandboxes(options?: CallOptions) {
    return this.http.json('GET /api/admin/sandboxes', { ...options });
  }
  /** One sandbox with its live `usage` and `limitEvents`. */
  sandbox(sandboxId: string, options?: CallOptions) {
    return this.http.json('GET /api/admin/sandboxes/{sandboxId}', { path: { sandboxId }, ...options });
  }
  /** Force-removes a sandbox (audited). */
  async removeSandbox(sandboxId: string, options?: CallOptions) {
    await this.http.send('DELETE /api/admin/sandboxes/{sandboxId}', { path: { sandboxId }, ...options });
  }
  pool(options?: CallOptions) {
    return this.http.json('GET /api/admin/pool', { ...options });
  }
  reaps(query?: QueryOf<'GET /api/admin/reaps'>, options?: CallOptions) {
    return this.http.json('GET /api/admin/reaps', { query, ...options });
  }
  /** One reaper tick now (`dryRun: true`: only say what it would do). */
  reap(query?: QueryOf<'POST /api/admin/reap'>, options?: CallOptions) {
    return this.http.json('POST /api/admin/reap', { query, ...options });
  }
  nodes(options?: CallOptions) {
    return this.http.json('GET /api/admin/nodes', { ...options });
  }
  policies(options?: CallOptions) {
    return this.http.json('GET /api/admin/policies', { ...options });
  }
  /** Replaces the lifecycle policy (validated: `VALIDATION_FAILED` lists every problem). */
  setPolicies(body: RequestBody<'PUT /api/admin/policies'>, options?: CallOptions) {
    return this.http.json('PUT /api/admin/policies', { body, ...options });
  }
}
