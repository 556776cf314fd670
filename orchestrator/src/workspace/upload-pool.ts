/** Runs uploads concurrently within a count and a byte budget; the first failure wins and stops new ones. */
export class UploadPool {
  readonly #running = new Set<Promise<void>>();
  #bytes = 0;
  #failure: unknown;
  #failed = false;

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxBytes: number,
  ) {}

  /** Waits for room, then starts `task`; throws the first failure of any task. */
  async add(bytes: number, task: () => Promise<void>): Promise<void> {
    while (
      this.#running.size >= this.maxConcurrent ||
      (this.#running.size > 0 && this.#bytes + bytes > this.maxBytes)
    ) {
      await Promise.race(this.#running);
    }
    this.#throwIfFailed();
    this.#bytes += bytes;
    const running: Promise<void> = task()
      .catch((err: unknown) => {
        if (!this.#failed) {
          this.#failed = true;
          this.#failure = err;
        }
      })
      .finally(() => {
        this.#bytes -= bytes;
        this.#running.delete(running);
      });
    this.#running.add(running);
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failure;
  }
}
