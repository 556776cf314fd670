/** One HTTP answer: status, parsed JSON body (or null) and how long it took. */
export interface Answer {
  status: number;
  body: any;
  nodeIndex: number;
  ms: number;
}

/**
 * What a load balancer with no session affinity does: each request goes to the next node in turn, so a
 * conversation's successive runs land wherever the rotation points.
 */
export class RoundRobinClient {
  #next = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly apiKey: string,
  ) {}

  /** Sends to the next node in the rotation, or to `nodeIndex` when given. */
  async request(method: string, urlPath: string, body?: unknown, nodeIndex?: number): Promise<Answer> {
    const index = nodeIndex ?? this.#next++ % this.urls.length;
    const started = performance.now();
    const res = await fetch(`${this.urls[index]}${urlPath}`, {
      method,
      headers: {
        'x-api-key': this.apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text === '' ? null : (JSON.parse(text) as unknown),
      nodeIndex: index,
      ms: performance.now() - started,
    };
  }
}
