import type { ClientRequest, IncomingMessage } from 'node:http';
import type { CallHomeClient } from './call-home-client.js';
import type { RunEventsPath, RunnerEvent } from './protocol.js';
import { parseErrorBody, readBody } from './read-body.js';
import { errorMessage, RunnerError } from './runner-error.js';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The run's events, sent to agentd as one long `text/event-stream` request body while they happen. agentd
 * answers when the body ends, or earlier with an error when it refuses the stream; then the run must stop.
 */
export class EventStream {
  readonly #request: ClientRequest;
  readonly #answered: Promise<void>;
  readonly #onFailure: (failure: RunnerError) => void;
  #failure: RunnerError | undefined;
  #ended = false;

  private constructor(client: CallHomeClient, runId: string, onFailure: (failure: RunnerError) => void) {
    const path: RunEventsPath = `/v1/runs/${encodeURIComponent(runId)}/events`;
    const upload = client.upload({ path, contentType: 'text/event-stream' });
    this.#request = upload.request;
    this.#onFailure = onFailure;
    this.#answered = upload.response
      .then((res) => this.#onResponse(res))
      .catch((err: unknown) =>
        this.#fail('RUNNER_PROTOCOL_ERROR', `event stream failed: ${errorMessage(err)}`),
      );
  }

  /** `onFailure` is told once if agentd refuses the stream or the connection breaks. */
  static open(client: CallHomeClient, runId: string, onFailure: (failure: RunnerError) => void): EventStream {
    return new EventStream(client, runId, onFailure);
  }

  /** Writes one event; waits for the socket to drain, so a slow agentd slows the run instead of growing memory. */
  async send(event: RunnerEvent): Promise<void> {
    this.#throwIfFailed();
    if (this.#ended) throw new RunnerError('INTERNAL_ERROR', 'event after the end of the event stream');
    if (!this.#request.write(`data: ${JSON.stringify(event)}\n\n`)) await this.#drained();
  }

  /** Ends the request body and waits for agentd's answer; throws if agentd refused the stream. */
  async close(): Promise<void> {
    this.#throwIfFailed();
    this.#ended = true;
    this.#request.end();
    await this.#answered;
    this.#throwIfFailed();
  }

  destroy(): void {
    this.#ended = true;
    this.#request.destroy();
  }

  async #onResponse(res: IncomingMessage): Promise<void> {
    const status = res.statusCode ?? 0;
    const body = await readBody(res, MAX_ERROR_BODY_BYTES);
    if (status >= 200 && status < 300) {
      if (!this.#ended)
        this.#fail('RUNNER_PROTOCOL_ERROR', 'agentd closed the event stream before the run ended');
      return;
    }
    const { code, message } = parseErrorBody(body);
    this.#fail(
      code ?? 'RUNNER_PROTOCOL_ERROR',
      `agentd refused the event stream (${status}): ${message ?? ''}`,
    );
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#request.destroyed) {
        reject(this.#failure ?? new RunnerError('RUNNER_PROTOCOL_ERROR', 'event stream closed'));
        return;
      }
      const done = (): void => {
        this.#request.off('drain', done);
        this.#request.off('close', done);
        if (this.#failure) reject(this.#failure);
        else if (this.#request.destroyed)
          reject(new RunnerError('RUNNER_PROTOCOL_ERROR', 'event stream closed'));
        else resolve();
      };
      this.#request.on('drain', done);
      this.#request.on('close', done);
    });
  }

  #fail(code: string, message: string): void {
    if (this.#failure) return;
    this.#failure = new RunnerError(code, message);
    this.#request.destroy();
    this.#onFailure(this.#failure);
  }
}
