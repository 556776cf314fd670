import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';

/** Security teams (admin key): profiles, the isolation audit, the admin log, egress attempts. */
export class Audit {
  constructor(private readonly http: Http) {}

  profiles(options?: CallOptions) {
    return this.http.json('GET /api/audit/profiles', { ...options });
  }
  /** The isolation audit of this node's sandboxes (`format: "markdown"` answers text). */
  sandboxes(query?: QueryOf<'GET /api/audit/sandboxes'>, options?: CallOptions) {
    return this.http.json('GET /api/audit/sandboxes', { query, ...options });
  }
  log(query?: QueryOf<'GET /api/audit/log'>, options?: CallOptions) {
    return this.http.json('GET /api/audit/log', { query, ...options });
  }
  /**
   * The dated report for filing: host facts, every check with its evidence, counts and a sign-off block
   * (`format`: json, the default, or html, markdown, sarif, which answer text).
   */
  report(query?: QueryOf<'GET /api/audit/report'>, options?: CallOptions) {
    return this.http.json('GET /api/audit/report', { query, ...options });
  }
  egress(query?: QueryOf<'GET /api/audit/egress'>, options?: CallOptions) {
    return this.http.json('GET /api/audit/egress', { query, ...options });
  }
}
