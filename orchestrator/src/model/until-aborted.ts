/**
 * Iterates `source` but rejects with the signal's reason as soon as it fires, even while the source is stuck
 * waiting for its next item (a stalled HTTP stream would otherwise keep a cancelled run waiting).
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  let finished = false;
  try {
    for (;;) {
      const result = await Promise.race([iterator.next(), aborted]);
      if (result.done === true) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    // Not awaited: after an abort the source may still be waiting on its next item.
    if (!finished) iterator.return?.().catch(() => undefined);
  }
}
