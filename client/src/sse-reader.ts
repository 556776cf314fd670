import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One thing read from an SSE body: a message or a comment line (`: done`, `: ping`). */
export type SseItem = { kind: 'message'; message: EventSourceMessage } | { kind: 'comment'; text: string };

/**
 * The messages and comments of an SSE body, in order. `idleMs`: a body silent for longer (agentd sends
 * `: ping` every 15 s) counts as a dead connection, so a half-open socket does not hang the reader.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<SseItem> {
  const queue: SseItem[] = [];
  const parser = createParser({
    onEvent: (message) => queue.push({ kind: 'message', message }),
    onComment: (text) => queue.push({ kind: 'comment', text: text.trim() }),
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await readWithin(reader, idleMs);
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift() as SseItem;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data for ${idleMs} ms`)), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
