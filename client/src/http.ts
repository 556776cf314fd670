import { AgentdError } from './agentd-error.js';
import type { PathParams, QueryOf, RequestBody, ResponseBody, Route } from './api-types.js';
import { authHeaders, type Credentials } from './credentials.js';
import { DEFAULT_RETRY, retryDelay, sleep, type RetryOptions } from './retry-policy.js';

export interface HttpOptions {
  /** agentd's origin, e.g. `http://127.0.0.1:8080` (no `/api`). */
  baseUrl: string;
  credentials: Credentials;
  retry?: RetryOptions;
  /** Sent with every request (`X-Tenant-ID`, `X-User-ID` …). */
  headers?: Record<string, string>;
  /** Replaces the global `fetch` (tests, instrumentation). */
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** What a route call takes: its path parameters, query and JSON body, typed from the OpenAPI document. */
export type RouteInput<R extends Route> = CallOptions & {
  path?: PathParams<R>;
  query?: QueryOf<R> | undefined;
  body?: RequestBody<R>;
};

/** A request body (`BodyInit`, named without the DOM library so Node-only builds compile too). */
export type RequestBodyInit = NonNullable<RequestInit['body']>;

export interface RawInit extends CallOptions {
  method: string;
  body?: RequestBodyInit;
  /** A body that can be sent again (not a stream), so a retry is possible. */
  replayable?: boolean;
}

/** The transport under every method: URLs, credentials, errors and bounded retries. */
export class Http {
  readonly baseUrl: string;
  readonly credentials: Credentials;
  readonly #retry: Required<RetryOptions>;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(options: HttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#headers = options.headers ?? {};
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The absolute URL of `route` with its parameters filled in (path segments of `{path}` kept). */
  url<R extends Route>(route: R, path?: PathParams<R>, query?: Record<string, unknown>): string {
    const template = route.slice(route.indexOf(' ') + 1);
    const params = (path ?? {}) as Record<string, string>;
    const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === '')
        throw new TypeError(`${route}: missing path parameter ${name}`);
      // A workspace file path keeps its slashes; every other parameter is one segment.
      return name === 'path' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      // Query values are scalars; absent ones (undefined) are left out.
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        search.set(key, String(value));
    }
    const qs = search.toString();
    return `${this.baseUrl}${filled}${qs ? `?${qs}` : ''}`;
  }

  /** Calls a JSON route and answers its typed body (`undefined` for 204). */
  async json<R extends Route>(route: R, input: RouteInput<R> = {}): Promise<ResponseBody<R>> {
    const res = await this.send(route, input);
    if (res.status === 204) return undefined as ResponseBody<R>;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as ResponseBody<R>;
  }

  /** Calls a route and answers the raw response (ok statuses only; errors throw `AgentdError`). */
  send<R extends Route>(route: R, input: RouteInput<R> = {}): Promise<Response> {
    const method = route.slice(0, route.indexOf(' '));
    const hasBody = input.body !== undefined;
    return this.fetch(this.url(route, input.path, input.query as Record<string, unknown> | undefined), {
      method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...input.headers },
      ...(hasBody ? { body: JSON.stringify(input.body) } : {}),
      replayable: true,
      ...(input.signal ? { signal: input.signal } : {}),
    });
  }

  /**
   * `fetch` with the credential, throwing `AgentdError` for a non-ok answer, retrying recoverable errors with
   * backoff (or `Retry-After`). A request that got no answer is retried only when repeating it cannot do
   * something twice (not a POST) and its body can be sent again.
   */
  async fetch(url: string, init: RawInit): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      let error: AgentdError;
      try {
        const res = await this.#fetch(url, {
          method: init.method,
          headers: { ...this.#headers, ...(await authHeaders(this.credentials)), ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.signal ? { signal: init.signal } : {}),
          // Node's fetch needs it for a stream body; browsers ignore it for others.
          ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        });
        if (res.ok || res.status === 304) return res;
        error = await AgentdError.fromResponse(res);
      } catch (err) {
        if (init.signal?.aborted) throw err;
        error = AgentdError.network(err);
      }
      const retryable = init.replayable !== false && (error.status !== 0 || init.method !== 'POST');
      const delay = retryable ? retryDelay(error, attempt, this.#retry) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay, init.signal);
    }
  }
}
