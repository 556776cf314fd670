import type { QueryOf, RequestBody } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';
import type { RunEvent } from '../run-events.js';
import { readSse } from '../sse-reader.js';

/**
 * The session API and AgentCore's contract (one tenant: a tenant key, or an admin key with `X-Tenant-ID`). Their
 * streams are read to `: done` without resuming (a session's run can be followed with `runs.events` once its
 * conversation is known).
 */
export class Sessions {
  constructor(private readonly http: Http) {}

  create(body: RequestBody<'POST /sessions'> = {}, options?: CallOptions) {
    return this.http.json('POST /sessions', { body, ...options });
  }
  list(query?: QueryOf<'GET /sessions'>, options?: CallOptions) {
    return this.http.json('GET /sessions', { query, ...options });
  }
  get(sessionId: string, options?: CallOptions) {
    return this.http.json('GET /sessions/{sessionId}', { path: { sessionId }, ...options });
  }
  async delete(sessionId: string, options?: CallOptions) {
    await this.http.send('DELETE /sessions/{sessionId}', { path: { sessionId }, ...options });
  }
  clear(sessionId: string, options?: CallOptions) {
    return this.http.json('POST /sessions/{sessionId}/clear', { path: { sessionId }, ...options });
  }
  /** Runs a turn in the session (created when absent) and answers it. */
  query(body: RequestBody<'POST /agent/query'>, options?: CallOptions) {
    return this.http.json('POST /agent/query', { body, ...options });
  }
  /** Runs a turn in the session and iterates its events. */
  async *queryStream(
    body: RequestBody<'POST /agent/query-stream'>,
    options?: CallOptions,
  ): AsyncGenerator<RunEvent> {
    yield* events(await this.http.send('POST /agent/query-stream', { body, ...options }));
  }
  /** Tokens and cost of every run of the session. */
  usage(sessionId: string, options?: CallOptions) {
    return this.http.json('GET /agent/usage/{sessionId}', { path: { sessionId }, ...options });
  }
  /** AgentCore Runtime: a turn in the runtime session named by `sessionId`, streamed. */
  async *invoke(
    sessionId: string,
    body: RequestBody<'POST /invocations'>,
    options?: CallOptions,
  ): AsyncGenerator<RunEvent> {
    yield* events(
      await this.http.send('POST /invocations', {
        body,
        ...options,
        headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': sessionId, ...options?.headers },
      }),
    );
  }
}

async function* events(res: Response): AsyncGenerator<RunEvent> {
  for await (const item of readSse(res.body as ReadableStream<Uint8Array>, 45_000)) {
    if (item.kind === 'comment') {
      if (item.text === 'done') return;
    } else yield JSON.parse(item.message.data) as RunEvent;
  }
}
