import { digitCount, writeDigits } from '../common/decimal-digits.js';
import type { RunEventBody } from '../runs/run-events.js';

/** What the log writes after a run's event body: `,"runId":<id>,"seq":`, made once per run. */
export class RunKey {
  readonly text: string;
  readonly size: number;
  readonly ascii: boolean;

  constructor(runId: string) {
    this.text = `,"runId":${JSON.stringify(runId)},"seq":`;
    this.size = Buffer.byteLength(this.text);
    this.ascii = this.size === this.text.length;
  }
}

/** What ends every event of one millisecond: `,"timestamp":"<ISO time>"}` (ASCII). */
export function stampSuffix(now: number): string {
  return `,"timestamp":"${new Date(now).toISOString()}"}`;
}

/**
 * One run event's JSON, `JSON.stringify({ ...body, runId, seq, timestamp })` byte for byte, written as UTF-8
 * into the log's buffer from its parts: the body's own JSON, then the run's key, the seq's digits and the
 * millisecond's stamp. Every model delta is appended: joining the parts into one object and one string per
 * event cost the relay a copy of both on the heap, and its collector their scavenges.
 *
 * One instance is reused for every append (`set`, then the chunk's `writeTo`); bodies never carry `runId`,
 * `seq` or `timestamp` (the log's own fields), and always a `type`.
 */
export class EventJson {
  #body = '';
  /** UTF-8 bytes of the body's JSON without its closing brace. */
  #bodySize = 0;
  #bodyAscii = true;
  #run: RunKey | undefined;
  #seq = 0;
  #digits = 0;
  #stamp = '';
  #size = 0;

  /** Prepares the event; returns its size in bytes. */
  set(body: RunEventBody, run: RunKey, seq: number, stamp: string): number {
    const json = JSON.stringify(body);
    const bytes = Buffer.byteLength(json);
    this.#body = json;
    this.#bodySize = bytes - 1;
    this.#bodyAscii = bytes === json.length;
    this.#run = run;
    this.#seq = seq;
    this.#digits = digitCount(seq);
    this.#stamp = stamp;
    this.#size = this.#bodySize + run.size + this.#digits + stamp.length;
    return this.#size;
  }

  get size(): number {
    return this.#size;
  }

  /** Writes the prepared event at `at` (the caller has room for `size` bytes). */
  writeTo(target: Buffer, at: number): void {
    const run = this.#run as RunKey;
    // Up to the byte before the body's closing brace: a brace is one byte, so no character is cut.
    at += target.write(this.#body, at, this.#bodySize, this.#bodyAscii ? 'latin1' : 'utf8');
    at += target.write(run.text, at, run.size, run.ascii ? 'latin1' : 'utf8');
    at = writeDigits(target, at, this.#seq, this.#digits);
    target.write(this.#stamp, at, this.#stamp.length, 'latin1');
  }
}
