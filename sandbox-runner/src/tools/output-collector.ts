import { cutUtf8, utf8Length } from '../utf8-text.js';

/** Keeps the first `maxBytes` of a tool's output and drops the rest, so a chatty command cannot exhaust memory. */
export class OutputCollector {
  readonly #parts: string[] = [];
  #bytes = 0;
  #truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(text: string): void {
    if (this.#truncated || text === '') return;
    const bytes = utf8Length(text);
    if (this.#bytes + bytes <= this.maxBytes) {
      this.#parts.push(text);
      this.#bytes += bytes;
      return;
    }
    this.#parts.push(cutUtf8(text, this.maxBytes - this.#bytes));
    this.#bytes = this.maxBytes;
    this.#truncated = true;
  }

  get text(): string {
    return this.#parts.join('');
  }

  get truncated(): boolean {
    return this.#truncated;
  }
}
