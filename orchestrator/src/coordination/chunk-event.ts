import type { LoggedEvent } from '../runs/run-event-log.js';
import type { EventChunk } from './event-chunk.js';

/** A logged event read from its chunk: its JSON is decoded only if asked for, and its bytes copied as they are. */
export class ChunkEvent implements LoggedEvent {
  constructor(
    readonly seq: number,
    private readonly chunk: EventChunk,
  ) {}

  get json(): string {
    return this.chunk.json(this.seq);
  }

  /** Itself (it has `size` and `copy`): no object per event read. */
  get utf8(): this {
    return this;
  }

  get size(): number {
    return this.chunk.size(this.seq);
  }

  copy(target: Buffer, offset: number): void {
    this.chunk.copy(this.seq, target, offset);
  }
}
