import type { CallHomeClient } from './call-home-client.js';
import { readNdjsonLines } from './ndjson-reader.js';
import type {
  ConverseStreamRequest,
  ModelConverseStreamPath,
  ModelStreamChunk,
  StopReason,
} from './protocol.js';
import { parseErrorBody, readBody } from './read-body.js';
import { RunnerError } from './runner-error.js';

const CONVERSE_PATH: ModelConverseStreamPath = '/v1/model/converse-stream';
/** One chunk carries at most one complete tool use; a write_file of a large file is the biggest there is. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** A model may think for minutes before its first token; this only catches a dead connection. */
const IDLE_TIMEOUT_MS = 10 * 60_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

const STOP_REASONS: readonly StopReason[] = [
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'content_filtered',
  'guardrail_intervened',
];

/** One model step, as the runner sees it: a stream of chunks. */
export interface ModelStream {
  converse(request: ConverseStreamRequest, signal: AbortSignal): AsyncIterable<ModelStreamChunk>;
}

/** The model gateway client: agentd calls the model and streams its answer back as NDJSON. */
export class ModelClient implements ModelStream {
  constructor(
    private readonly client: CallHomeClient,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async *converse(request: ConverseStreamRequest, signal: AbortSignal): AsyncGenerator<ModelStreamChunk> {
    const res = await this.client.stream({
      method: 'POST',
      path: CONVERSE_PATH,
      body: JSON.stringify(request),
      timeoutMs: IDLE_TIMEOUT_MS,
      signal,
    });
    try {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const { code, message } = parseErrorBody(await readBody(res, MAX_ERROR_BODY_BYTES));
        throw new RunnerError(
          code ?? 'RUNNER_PROTOCOL_ERROR',
          `model gateway answered ${status}${message === undefined ? '' : `: ${message}`}`,
        );
      }
      for await (const line of readNdjsonLines(res, this.maxLineBytes)) {
        const chunk = parseChunk(line);
        if (chunk) yield chunk;
      }
    } finally {
      if (!res.complete) res.destroy();
    }
  }
}

/** Validates one NDJSON line; chunk types this runner does not know are skipped. */
export function parseChunk(line: string): ModelStreamChunk | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw protocolError('a model stream line is not JSON');
  }
  if (typeof value !== 'object' || value === null || !('type' in value)) {
    throw protocolError('a model stream chunk has no type');
  }
  const fields = value as Record<string, unknown>;
  switch (fields.type) {
    case 'text':
    case 'thinking':
      if (typeof fields.delta !== 'string') throw protocolError(`a ${fields.type} chunk has no delta`);
      return { type: fields.type, delta: fields.delta };
    case 'tool_use':
      if (typeof fields.toolUseId !== 'string' || typeof fields.name !== 'string') {
        throw protocolError('a tool_use chunk needs a toolUseId and a name');
      }
      return { type: 'tool_use', toolUseId: fields.toolUseId, name: fields.name, input: fields.input ?? {} };
    case 'stop': {
      const reason = STOP_REASONS.find((r) => r === fields.stopReason);
      if (!reason) throw protocolError(`unknown stop reason ${String(fields.stopReason)}`);
      return { type: 'stop', stopReason: reason };
    }
    case 'error':
      return {
        type: 'error',
        code: typeof fields.code === 'string' ? fields.code : 'MODEL_ERROR',
        message: typeof fields.message === 'string' ? fields.message : 'model error',
      };
    default:
      return undefined;
  }
}

function protocolError(message: string): RunnerError {
  return new RunnerError('RUNNER_PROTOCOL_ERROR', message);
}
