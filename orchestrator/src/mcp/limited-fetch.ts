import { AgentdError } from '../common/errors.js';

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** A fetch whose response bodies end in an error past `maxBytes`: a server cannot make agentd buffer without end. */
export function limitedFetch(base: typeof fetch, maxBytes: number): typeof fetch {
  const limited = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await base(input, init);
    if (!response.body || NULL_BODY_STATUS.has(response.status)) return response;
    let seen = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes)
            controller.error(new AgentdError('MCP_ERROR', `the server sent more than ${maxBytes} bytes`));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return limited;
}
