import { writeDigits } from '../common/decimal-digits.js';
import type { LoggedEvent } from '../runs/run-event-log.js';

/** `id: ` + the longest seq + `\ndata: ` + `\n\n`, beside the JSON. */
const MAX_FRAMING = 4 + 16 + 7 + 2;

/**
 * A batch of run events as SSE, `id: <seq>\ndata: <json>\n\n` each, for one socket write. When the log holds every
 * event's JSON as UTF-8, the frames are built as bytes, the JSON copied as it is: no string per event is decoded,
 * concatenated and encoded again.
 */
export function sseEventFrames(events: readonly LoggedEvent[]): string | Buffer {
  let bound = 0;
  for (const event of events) {
    if (event.utf8 === undefined) return textFrames(events);
    bound += MAX_FRAMING + event.utf8.size;
  }
  const frames = Buffer.allocUnsafe(bound);
  let at = 0;
  for (const event of events) {
    const utf8 = event.utf8 as NonNullable<LoggedEvent['utf8']>;
    at = writeId(frames, at, event.seq);
    utf8.copy(frames, at);
    at += utf8.size;
    frames[at++] = 0x0a;
    frames[at++] = 0x0a;
  }
  return frames.subarray(0, at);
}

const ID = Buffer.from('id: ');
const DATA = Buffer.from('\ndata: ');

/** `id: <seq>\ndata: ` at `at`, digit by digit (a string per event and its encoding cost more than the copy). */
function writeId(frames: Buffer, at: number, seq: number): number {
  ID.copy(frames, at);
  at += ID.length;
  at = writeDigits(frames, at, seq);
  DATA.copy(frames, at);
  return at + DATA.length;
}

function textFrames(events: readonly LoggedEvent[]): string {
  let text = '';
  for (const event of events) text += `id: ${event.seq}\ndata: ${event.json}\n\n`;
  return text;
}
