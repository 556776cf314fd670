import {
  InternalServerException,
  ModelStreamErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { AgentdError } from '../common/errors.js';
import { toBedrockError } from './bedrock-error.js';

const live = new AbortController().signal;
const $metadata = { httpStatusCode: 400 };

describe('toBedrockError', () => {
  it.each([
    'Input is too long for requested model.',
    'The model returned the following errors: prompt is too long: 210000 tokens > 200000 maximum',
  ])('maps a validation error saying %j to CONTEXT_EXHAUSTED', (message) => {
    const error = toBedrockError(new ValidationException({ message, $metadata }), live);
    expect(error).toMatchObject({
      code: 'CONTEXT_EXHAUSTED',
      recoverable: false,
      details: { provider: 'bedrock', awsCode: 'ValidationException', httpStatus: 400 },
    });
    expect(error.cause).toBeInstanceOf(ValidationException);
  });

  it.each([
    [new ThrottlingException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }), true],
    [new ServiceUnavailableException({ message: 'unavailable', $metadata: { httpStatusCode: 503 } }), true],
    [new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } }), false],
    [new ModelStreamErrorException({ message: 'stream broke', $metadata: {} }), false],
    [new ValidationException({ message: 'bad tool schema', $metadata }), false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true],
  ])('maps %s to MODEL_ERROR (recoverable: %s)', (err, recoverable) => {
    const error = toBedrockError(err, live);
    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable,
      details: { provider: 'bedrock', awsCode: err.name },
    });
    expect(error.message).toContain(err.message);
  });

  it('maps anything after an abort to RUN_CANCELLED', () => {
    const signal = AbortSignal.abort();
    expect(toBedrockError(new Error('aborted'), signal)).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(toBedrockError(new DOMException('gone', 'AbortError'), live)).toMatchObject({
      code: 'RUN_CANCELLED',
    });
  });

  it('passes an AgentdError through', () => {
    const original = new AgentdError('MODEL_ERROR', 'invalid JSON');
    expect(toBedrockError(original, live)).toBe(original);
  });
});
