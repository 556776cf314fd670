import type { ResponseBody } from '../api-types.js';
import type { CallOptions, Http, RequestBodyInit } from '../http.js';

const ONE = '/api/tenants/{tenantId}/skills/{name}';

/** A skill as an archive (tar, tar.gz or zip bytes) or a JSON file map. */
export type SkillContent =
  { archive: RequestBodyInit; contentType: string } | { json: Record<string, unknown> };

/** A tenant's Agent Skills. */
export class Skills {
  constructor(private readonly http: Http) {}

  list(tenantId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/skills', { path: { tenantId }, ...options });
  }
  /** Registers a skill (the archive's or file map's SKILL.md names it). */
  async create(
    tenantId: string,
    content: SkillContent,
    options?: CallOptions,
  ): Promise<ResponseBody<'POST /api/tenants/{tenantId}/skills'>> {
    const url = this.http.url('POST /api/tenants/{tenantId}/skills', { tenantId });
    const res = await this.http.fetch(url, { method: 'POST', ...body(content), ...callInit(options) });
    return (await res.json()) as ResponseBody<'POST /api/tenants/{tenantId}/skills'>;
  }
  get(tenantId: string, name: string, options?: CallOptions) {
    return this.http.json(`GET ${ONE}`, { path: { tenantId, name }, ...options });
  }
  /** Replaces its files (a new version), or `{ json: { enabled } }` switches it on or off. */
  async replace(
    tenantId: string,
    name: string,
    content: SkillContent,
    options?: CallOptions,
  ): Promise<ResponseBody<`PUT ${typeof ONE}`>> {
    const url = this.http.url(`PUT ${ONE}`, { tenantId, name });
    const res = await this.http.fetch(url, { method: 'PUT', ...body(content), ...callInit(options) });
    return (await res.json()) as ResponseBody<`PUT ${typeof ONE}`>;
  }
  async delete(tenantId: string, name: string, options?: CallOptions) {
    await this.http.send(`DELETE ${ONE}`, { path: { tenantId, name }, ...options });
  }
}

function body(content: SkillContent): {
  headers: Record<string, string>;
  body: RequestBodyInit;
  replayable: boolean;
} {
  return 'json' in content
    ? {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(content.json),
        replayable: true,
      }
    : {
        headers: { 'content-type': content.contentType },
        body: content.archive,
        replayable: !(content.archive instanceof ReadableStream),
      };
}

function callInit(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}
