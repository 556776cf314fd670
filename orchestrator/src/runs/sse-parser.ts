import { AgentdError } from '../common/errors.js';

/**
 * Incremental, bounded parser for a `text/event-stream` sent by the (untrusted) runner. Returns the `data`
 * payload of each completed event; an event or line larger than `maxEventBytes` is a protocol error.
 */
export class SseParser {
  #pending: Buffer = Buffer.alloc(0);
  #data: string[] = [];
  #eventBytes = 0;

  constructor(private readonly maxEventBytes: number) {}

  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (let newline = buffer.indexOf(10); newline >= 0; newline = buffer.indexOf(10)) {
      let line = buffer.subarray(0, newline);
      buffer = buffer.subarray(newline + 1);
      if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
      this.#line(line, out);
    }
    if (buffer.length > this.maxEventBytes) throw tooLarge(this.maxEventBytes);
    this.#pending = Buffer.from(buffer);
    return out;
  }

  /** The stream ended: a half-sent event is an error, a complete one is returned. */
  end(): string[] {
    if (this.#pending.length > 0)
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'event stream ended in the middle of a line');
    if (this.#data.length > 0)
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'event stream ended in the middle of an event');
    return [];
  }

  #line(line: Buffer, out: string[]): void {
    if (line.length === 0) {
      if (this.#data.length > 0) out.push(this.#data.join('\n'));
      this.#data = [];
      this.#eventBytes = 0;
      return;
    }
    this.#eventBytes += line.length + 1;
    if (this.#eventBytes > this.maxEventBytes) throw tooLarge(this.maxEventBytes);
    if (line[0] === 58) return; // ':' comment
    const text = line.toString('utf8');
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field !== 'event' && field !== 'id' && field !== 'retry') {
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', `unknown event stream field "${field.slice(0, 32)}"`);
    }
  }
}

function tooLarge(max: number): AgentdError {
  return new AgentdError('RUNNER_PROTOCOL_ERROR', `runner event exceeds ${max} bytes`);
}
