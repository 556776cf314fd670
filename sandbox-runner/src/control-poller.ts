import { setTimeout as sleep } from 'node:timers/promises';
import type { CallHomeClient } from './call-home-client.js';
import { log } from './log.js';
import type { ControlSignal, RunControlPath } from './protocol.js';

/** agentd holds a control poll for a while before its 204; give it room before calling the connection dead. */
const POLL_TIMEOUT_MS = 40_000;
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;

/** Long-polls a run's control endpoint until agentd says cancel or the run ends. */
export class ControlPoller {
  readonly #stop = new AbortController();
  readonly #path: RunControlPath;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly client: CallHomeClient,
    runId: string,
    private readonly onSignal: (signal: ControlSignal) => void,
  ) {
    this.#path = `/v1/runs/${encodeURIComponent(runId)}/control`;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let backoff = MIN_BACKOFF_MS;
    let failing = false;
    while (!this.#stopped()) {
      try {
        const res = await this.client.request({
          method: 'GET',
          path: this.#path,
          timeoutMs: POLL_TIMEOUT_MS,
          signal,
        });
        if (res.status === 204) {
          backoff = MIN_BACKOFF_MS;
          failing = false;
          continue;
        }
        const control = res.status === 200 ? parseControlSignal(res.body) : undefined;
        if (control) {
          this.onSignal(control);
          return;
        }
        throw new Error(`unexpected answer ${res.status} from ${this.#path}`);
      } catch (err) {
        if (this.#stopped()) return;
        if (!failing) log('control poll failed', err);
        failing = true;
        await sleep(backoff, undefined, { signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

function parseControlSignal(body: Buffer): ControlSignal | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value !== 'object' || value === null || !('signal' in value) || value.signal !== 'cancel') {
      return undefined;
    }
    const reason = 'reason' in value && typeof value.reason === 'string' ? value.reason : 'cancelled';
    return { signal: 'cancel', reason };
  } catch {
    return undefined;
  }
}
