import { AgentdError, errorMessage } from '../common/errors.js';

export interface ApiClientOptions {
  url: string;
  apiKey: string | undefined;
}

/** A small client of agentd's HTTP API for the CLI; API errors come back with their code and request id. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get url(): string {
    return this.options.url;
  }

  async request<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, urlPath, body);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Markdown and other text bodies are returned as they are.
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; requestId?: string } } | null)
        ?.error;
      throw new AgentdError(
        'INTERNAL_ERROR',
        `${method} ${urlPath}: ${res.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim(),
        {
          details: { status: res.status, code: error?.code, requestId: error?.requestId },
        },
      );
    }
    return parsed as T;
  }

  async fetch(
    method: string,
    urlPath: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    if (!this.options.apiKey) {
      throw new AgentdError(
        'UNAUTHENTICATED',
        'no API key: set AGENTD_API_KEY or pass --api-key (a development agentd writes one to <stateDir>/admin.key)',
      );
    }
    try {
      return await fetch(`${this.options.url}${urlPath}`, {
        method,
        headers: {
          'x-api-key': this.options.apiKey,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new AgentdError(
        'DEPENDENCY_UNAVAILABLE',
        `agentd at ${this.options.url} does not answer: ${errorMessage(err)}`,
      );
    }
  }
}
