import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One high-level step of a scripted ConverseStream response; the server turns it into event-stream frames. */
export type FakeStep =
  | { text: string }
  | { thinking: string; signature?: string }
  | { toolUse: { id: string; name: string; input: unknown } }
  | { stop: string }
  | { usage: { inputTokens: number; outputTokens: number; cacheRead?: number; cacheWrite?: number } }
  /** A `:message-type: exception` frame (e.g. `modelStreamErrorException`); the stream ends after it. */
  | { exception: { type: string; message: string } }
  /** An HTTP error instead of a stream (e.g. 400 `ValidationException`); only valid as the first step. */
  | { httpError: { status: number; type: string; message: string } }
  | { delayMs: number };

/** The steps of one response (one model call). */
export type FakeResponse = FakeStep[];

export interface RecordedRequest {
  method: string;
  path: string;
  modelId: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body the SDK sent. */
  body: unknown;
}

export interface FakeBedrockOptions {
  /** Pause between frames, to make a stream observable mid-way (default 0). */
  frameDelayMs?: number;
}

export interface FakeBedrock extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: give it to the SDK as `endpoint`. */
  url: string;
  requests: RecordedRequest[];
  /** Queues responses, answered in order, one per request; an unscripted request gets a 500. */
  script(...responses: FakeResponse[]): void;
  close(): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const PATH = /^\/model\/([^/]+)\/converse-stream$/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

interface Reply {
  head(status: number, headers: Record<string, string>): void;
  write(chunk: Uint8Array): void;
  end(body?: string): void;
  /** Aborted when the client goes away. */
  closed: AbortSignal;
}

/**
 * A local Bedrock ConverseStream endpoint for tests: real AWS event-stream framing, h2c (the SDK's default,
 * with prior knowledge) and HTTP/1.1 on one loopback port. Signatures are not checked.
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const frameDelayMs = options.frameDelayMs ?? 0;
  const requests: RecordedRequest[] = [];
  const queue: FakeResponse[] = [];
  const sockets = new Set<net.Socket>();

  const handle = async (
    request: http.IncomingMessage | http2.Http2ServerRequest,
    reply: Reply,
  ): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '';
    const match = PATH.exec(path);
    const text = Buffer.concat(chunks).toString('utf8');
    requests.push({
      method: request.method ?? '',
      path,
      modelId: match?.[1] === undefined ? '' : decodeURIComponent(match[1]),
      httpVersion: request.httpVersion,
      headers: request.headers,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    });
    if (request.method !== 'POST' || match === null) {
      sendError(reply, 404, 'ResourceNotFoundException', `no route for ${request.method ?? ''} ${path}`);
      return;
    }
    const response = queue.shift();
    if (response === undefined) {
      sendError(reply, 500, 'InternalServerException', 'fake bedrock: no scripted response left');
      return;
    }
    await play(response, reply, frameDelayMs);
  };

  const onRequest = (request: http.IncomingMessage | http2.Http2ServerRequest, reply: Reply): void => {
    handle(request, reply).catch((err: unknown) => {
      process.stderr.write(`fake bedrock: ${String(err)}\n`);
      if (!reply.closed.aborted) sendError(reply, 500, 'InternalServerException', String(err));
    });
  };

  const h1 = http.createServer((req, res) => onRequest(req, toReply(res)));
  const h2 = http2.createServer((req, res) => onRequest(req, toReply(res)));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    routeByPreface(socket, h1, h2);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...responses) => queue.push(...responses),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Peeks at a connection's first bytes: the HTTP/2 preface goes to the h2c server, anything else to HTTP/1.1. */
function routeByPreface(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, HTTP2_PREFACE.length);
    const isHttp2 = head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (isHttp2 && head.length < HTTP2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    socket.unshift(head);
    if (isHttp2) {
      // The HTTP/2 session takes over what is already buffered itself (resuming here breaks the session).
      h2.emit('connection', socket);
    } else {
      // The HTTP/1.1 parser reads the socket natively from now on; resuming hands it the buffered bytes first.
      h1.emit('connection', socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}

async function play(response: FakeResponse, reply: Reply, frameDelayMs: number): Promise<void> {
  const [first] = response;
  if (first !== undefined && 'httpError' in first) {
    sendError(reply, first.httpError.status, first.httpError.type, first.httpError.message);
    return;
  }
  reply.head(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': randomUUID(),
  });
  const send = async (headers: MessageHeaders, body: unknown): Promise<void> => {
    if (frameDelayMs > 0) await sleep(frameDelayMs, undefined, { signal: reply.closed });
    reply.write(codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) }));
  };
  const event = (type: string, body: unknown): Promise<void> => send(eventHeaders(type), body);

  try {
    await event('messageStart', { role: 'assistant' });
    let index = 0;
    for (const step of response) {
      if (reply.closed.aborted) return;
      if ('delayMs' in step) {
        await sleep(step.delayMs, undefined, { signal: reply.closed });
      } else if ('text' in step) {
        const contentBlockIndex = index++;
        for (const text of split(step.text))
          await event('contentBlockDelta', { contentBlockIndex, delta: { text } });
        await event('contentBlockStop', { contentBlockIndex });
      } else if ('thinking' in step) {
        const contentBlockIndex = index++;
        for (const text of split(step.thinking)) {
          await event('contentBlockDelta', { contentBlockIndex, delta: { reasoningContent: { text } } });
        }
        if (step.signature !== undefined) {
          await event('contentBlockDelta', {
            contentBlockIndex,
            delta: { reasoningContent: { signature: step.signature } },
          });
        }
        await event('contentBlockStop', { contentBlockIndex });
      } else if ('toolUse' in step) {
        const contentBlockIndex = index++;
        const { id: toolUseId, name, input } = step.toolUse;
        await event('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId, name } } });
        for (const fragment of split(JSON.stringify(input))) {
          await event('contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input: fragment } } });
        }
        await event('contentBlockStop', { contentBlockIndex });
      } else if ('stop' in step) {
        await event('messageStop', { stopReason: step.stop });
      } else if ('usage' in step) {
        const { inputTokens, outputTokens, cacheRead, cacheWrite } = step.usage;
        await event('metadata', {
          usage: {
            inputTokens,
            outputTokens,
            totalTokens: inputTokens + outputTokens,
            ...(cacheRead === undefined ? {} : { cacheReadInputTokens: cacheRead }),
            ...(cacheWrite === undefined ? {} : { cacheWriteInputTokens: cacheWrite }),
          },
          metrics: { latencyMs: 1 },
        });
      } else if ('exception' in step) {
        await send(
          {
            ':message-type': { type: 'string', value: 'exception' },
            ':exception-type': { type: 'string', value: step.exception.type },
            ':content-type': { type: 'string', value: 'application/json' },
          },
          { message: step.exception.message },
        );
        break;
      } else {
        throw new Error('httpError is only valid as the first step of a response');
      }
    }
  } catch (err) {
    if (reply.closed.aborted) return;
    throw err;
  }
  reply.end();
}

function eventHeaders(eventType: string): MessageHeaders {
  return {
    ':message-type': { type: 'string', value: 'event' },
    ':event-type': { type: 'string', value: eventType },
    ':content-type': { type: 'string', value: 'application/json' },
  };
}

function sendError(reply: Reply, status: number, type: string, message: string): void {
  reply.head(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
  reply.end(JSON.stringify({ message }));
}

/** Up to three pieces, split on code points, so a client has to reassemble them. */
function split(text: string): string[] {
  const chars = Array.from(text);
  const size = Math.max(1, Math.ceil(chars.length / 3));
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += size) parts.push(chars.slice(i, i + size).join(''));
  return parts;
}

/** The HTTP/1 and HTTP/2 compatibility responses share these methods; one adapter serves both. */
interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): unknown;
  end(body: string): unknown;
  once(event: 'close', listener: () => void): unknown;
}

function toReply(res: NodeResponse): Reply {
  const closed = new AbortController();
  res.once('close', () => closed.abort());
  return {
    head: (status, headers) => res.writeHead(status, headers),
    write: (chunk) => res.write(chunk),
    end: (body) => res.end(body ?? ''),
    closed: closed.signal,
  };
}

/** Daemon settings that point the real Bedrock SDK at a fake server, with the dummy credentials it needs. */
export function bedrockEnv(bedrock: Pick<FakeBedrock, 'url'>): Record<string, string> {
  // The SDK's standard credential chain reads these; nothing real is needed for a local endpoint.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret';
  return {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    AWS_REGION: 'us-east-1',
    BEDROCK_MAX_ATTEMPTS: '1',
  };
}
