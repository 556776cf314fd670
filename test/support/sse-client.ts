/** A minimal SSE client for tests: POSTs (or GETs) and collects events until `: done` or the stream ends. */
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: Record<string, unknown> & { type: string; seq?: number };
}

export interface SseResult {
  status: number;
  headers: Headers;
  events: SseMessage[];
  comments: string[];
  done: boolean;
  /** The JSON body when the server answered with an error instead of a stream. */
  error?: { error: { code: string; message: string } };
}

export interface SseOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Called for each event as it arrives; return true to stop reading (the connection is then aborted). */
  onEvent?: (event: SseMessage) => unknown;
  signal?: AbortSignal;
}

export async function sse(url: string, options: SseOptions = {}): Promise<SseResult> {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const res = await fetch(url, {
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal,
  });
  const result: SseResult = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    done: false,
  };
  // A resume past a finished run's end: nothing more will come.
  if (res.status === 204) return result;
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    result.error = (await res.json()) as SseResult['error'];
    return result;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let id: string | undefined;
        let event: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            result.comments.push(line.slice(1).trim());
            if (line.trim() === ': done') result.done = true;
          } else if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue;
        const message: SseMessage = { id, event, data: JSON.parse(data.join('\n')) as SseMessage['data'] };
        result.events.push(message);
        if (await options.onEvent?.(message)) {
          controller.abort();
          return result;
        }
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  }
  return result;
}

/** The event types in order, e.g. ['run_start', 'step_start', 'text', …]. */
export function types(result: SseResult): string[] {
  return result.events.map((e) => e.data.type);
}

/**
 * The result less the warnings that a sandbox hit its CPU limit. A busy host can throttle the sandbox's
 * cgroup at any step (a tool's process starting, the runner taking in a long text), and agentd then says so
 * truthfully; tests of event order drop those and keep every other warning, which would be a finding.
 */
export function withoutCpuThrottle(result: SseResult): SseResult {
  const throttled = (e: SseMessage): boolean =>
    e.data.type === 'warning' && e.data.code === 'SANDBOX_LIMIT' && e.data.limit === 'cpu';
  return { ...result, events: result.events.filter((e) => !throttled(e)) };
}

/** Concatenated text deltas. */
export function textOf(result: SseResult): string {
  return result.events.map((e) => (e.data.type === 'text' ? String(e.data.delta) : '')).join('');
}
