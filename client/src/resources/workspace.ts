import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http, RequestBodyInit } from '../http.js';
import type { WorkspaceFile, WorkspaceFileList } from '../answer-types.js';

const FILE = '/api/tenants/{tenantId}/conversations/{conversationId}/workspace/files/{path}';

/** A conversation's workspace files (they outlive its sandbox). */
export class Workspace {
  constructor(private readonly http: Http) {}

  async list(
    tenantId: string,
    conversationId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/conversations/{conversationId}/workspace/files'>,
    options?: CallOptions,
  ): Promise<WorkspaceFileList> {
    return this.http.json('GET /api/tenants/{tenantId}/conversations/{conversationId}/workspace/files', {
      path: { tenantId, conversationId },
      query,
      ...options,
    });
  }

  /** The file's response, streamed (`res.body`; `ETag`, `Last-Modified`). */
  download(tenantId: string, conversationId: string, path: string, options?: CallOptions): Promise<Response> {
    return this.http.send(`GET ${FILE}`, { path: { tenantId, conversationId, path }, ...options });
  }

  /** The file as text. */
  async readText(
    tenantId: string,
    conversationId: string,
    path: string,
    options?: CallOptions,
  ): Promise<string> {
    return (await this.download(tenantId, conversationId, path, options)).text();
  }

  /** Uploads raw bytes (a stream too); answers the file's metadata (201 new, 200 replaced). */
  async upload(
    tenantId: string,
    conversationId: string,
    path: string,
    content: RequestBodyInit,
    options?: CallOptions,
  ): Promise<WorkspaceFile> {
    const res = await this.http.fetch(this.http.url(`PUT ${FILE}`, { tenantId, conversationId, path }), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...options?.headers },
      body: content,
      replayable: !(content instanceof ReadableStream),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    return (await res.json()) as WorkspaceFile;
  }

  async delete(tenantId: string, conversationId: string, path: string, options?: CallOptions) {
    await this.http.send(`DELETE ${FILE}`, { path: { tenantId, conversationId, path }, ...options });
  }
}
