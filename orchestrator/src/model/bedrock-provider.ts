import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { toBedrockError } from './bedrock-error.js';
import { ConverseStreamMapper } from './converse-stream-mapper.js';
import type { ModelEvent, ModelProvider, ModelRequest } from './model-provider.js';
import { toConverseStreamInput } from './to-converse-stream-input.js';
import { untilAborted } from './until-aborted.js';

export interface BedrockProviderOptions {
  region: string;
  /** An explicit endpoint (config fills it from AWS_ENDPOINT_URL_BEDROCK_RUNTIME); the SDK's default otherwise. */
  endpoint?: string;
  logger: Logger;
  /** Attempts per call, retries included (the SDK's standard retry strategy; its default is 3). */
  maxAttempts?: number;
  /** Replaces the SDK's HTTP/2 handler, e.g. with a `NodeHttpHandler` for an HTTP/1.1-only endpoint. */
  requestHandler?: BedrockRuntimeClientConfig['requestHandler'];
}

/**
 * The `bedrock` provider: Converse API streaming through one SDK client, credentials from the standard AWS
 * chain. An aborted request signal ends the iteration promptly with AgentdError RUN_CANCELLED.
 */
export class BedrockProvider implements ModelProvider {
  readonly name = 'bedrock';
  readonly #client: BedrockRuntimeClient;
  readonly #logger: Logger;

  constructor(options: BedrockProviderOptions) {
    this.#logger = options.logger;
    this.#client = new BedrockRuntimeClient({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
    });
  }

  async *converseStream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    const log = this.#logger.child({ provider: this.name, modelId: request.modelId });
    // Also fired when the consumer stops early, so the HTTP stream never outlives the iteration.
    const done = new AbortController();
    const mapper = new ConverseStreamMapper(log);
    try {
      request.signal.throwIfAborted();
      log.debug(
        { messages: request.messages.length, tools: request.tools.length },
        'Calling Bedrock ConverseStream',
      );
      const { stream } = await this.#client.send(new ConverseStreamCommand(toConverseStreamInput(request)), {
        abortSignal: AbortSignal.any([request.signal, done.signal]),
      });
      if (stream === undefined) {
        throw new AgentdError('MODEL_ERROR', 'Bedrock answered without a stream', {
          details: { provider: this.name },
        });
      }
      for await (const event of untilAborted(stream, request.signal)) yield* mapper.map(event);
      mapper.finish();
    } catch (err) {
      const error = toBedrockError(err, request.signal);
      if (error.code !== 'RUN_CANCELLED') log.warn({ err: error }, 'Bedrock ConverseStream failed');
      throw error;
    } finally {
      done.abort();
    }
  }

  /** Closes the client's connections; safe to call twice. */
  close(): void {
    this.#client.destroy();
  }
}
