import { describe, expect, it } from 'vitest';
import { ValidationError } from '../common/errors.js';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage, resumeAfter } from './ws-messages.js';

const issuesOf = (frame: string | Buffer): string[] => {
  try {
    parseClientMessage(frame);
  } catch (err) {
    if (err instanceof ValidationError) return [err.message, ...err.issues];
    throw err;
  }
  throw new Error(`accepted ${String(frame).slice(0, 80)}`);
};

describe('parseClientMessage', () => {
  it('accepts the four client messages', () => {
    expect(parseClientMessage('{"type":"chat","content":"hi"}')).toEqual({ type: 'chat', content: 'hi' });
    expect(parseClientMessage(Buffer.from('{"type":"cancel"}'))).toEqual({ type: 'cancel' });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    const resume = parseClientMessage('{"type":"resume","runId":"run_1","lastEventId":"12"}');
    expect(resume.type === 'resume' && resumeAfter(resume)).toBe(12);
  });

  it('names what is wrong: not JSON, unknown or missing type, bad fields, extra fields', () => {
    expect(issuesOf('{oops').join('\n')).toMatch(/not JSON/);
    expect(issuesOf('[]').join('\n')).toMatch(/unknown message type[\s\S]*got nothing/);
    expect(issuesOf('{"type":"launch"}').join('\n')).toMatch(/must be one of chat, cancel, ping, resume/);
    expect(issuesOf('{"type":"chat"}').join('\n')).toMatch(/invalid chat message/);
    expect(issuesOf('{"type":"chat","content":""}').join('\n')).toMatch(/\/content/);
    expect(issuesOf('{"type":"ping","extra":1}').join('\n')).toMatch(/\/extra: unknown property/);
    expect(issuesOf('{"type":"resume","runId":"a/b","lastEventId":0}').join('\n')).toMatch(/\/runId/);
    expect(issuesOf('{"type":"resume","runId":"r","lastEventId":-1}').join('\n')).toMatch(/lastEventId/);
    expect(issuesOf('{"type":"resume","runId":"r","lastEventId":"1e3"}').join('\n')).toMatch(/lastEventId/);
  });

  it('bounds a chat like POST …/stream bounds its message, and a frame by its size before parsing', () => {
    const limit = 200_000;
    expect(parseClientMessage(JSON.stringify({ type: 'chat', content: 'x'.repeat(limit) })).type).toBe(
      'chat',
    );
    expect(issuesOf(JSON.stringify({ type: 'chat', content: 'x'.repeat(limit + 1) })).join('\n')).toMatch(
      /\/content/,
    );
    expect(issuesOf(' '.repeat(MAX_CLIENT_MESSAGE_BYTES + 1))[0]).toMatch(/too large/);
  });
});
