import { EventSourceParserStream } from 'eventsource-parser/stream';

export const SESSION_HEADER = 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id';

export interface Invocation {
  status: number;
  contentType: string;
  /** The runtime session id the response carries back. */
  sessionId: string | null;
  /** Each `data:` of the stream, parsed as JSON, with its `id:`. */
  events: (Record<string, any> & { type: string; seq?: number; id?: string })[];
  comments: string[];
  /** The JSON body when the answer is not a stream (an error). */
  body: any;
}

export interface InvokeOptions {
  /** The payload, as InvokeAgentRuntime's `payload` (JSON). */
  payload: unknown;
  sessionId?: string;
  /** Sent as `Authorization: Bearer` (what AgentCore's OAuth inbound auth forwards). */
  token: string;
  headers?: Record<string, string>;
  /** Called per event; return true to stop reading. */
  onEvent?: (event: Invocation['events'][number]) => unknown;
}

/**
 * Calls `POST /invocations` the way AgentCore's InvokeAgentRuntime delivers a request to a runtime: JSON
 * payload, `Accept: text/event-stream`, the runtime session header, a bearer token; and reads the answer
 * with a real SSE parser (eventsource-parser), as the SDK's streaming body is read.
 */
export async function invokeAgentRuntime(baseUrl: string, options: InvokeOptions): Promise<Invocation> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/invocations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
      authorization: `Bearer ${options.token}`,
      ...(options.sessionId === undefined ? {} : { [SESSION_HEADER]: options.sessionId }),
      ...options.headers,
    },
    body: JSON.stringify(options.payload),
    signal: controller.signal,
  });
  const result: Invocation = {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    sessionId: res.headers.get(SESSION_HEADER),
    events: [],
    comments: [],
    body: undefined,
  };
  if (!result.contentType.startsWith('text/event-stream') || res.body === null) {
    const text = await res.text();
    result.body = text === '' ? null : JSON.parse(text);
    return result;
  }
  const stream = res.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onComment: (c) => result.comments.push(c.trim()) }));
  try {
    for await (const message of stream) {
      const event = { ...(JSON.parse(message.data) as Invocation['events'][number]), id: message.id };
      result.events.push(event);
      if (options.onEvent?.(event) === true) {
        controller.abort();
        break;
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  }
  return result;
}
