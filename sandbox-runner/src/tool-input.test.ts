import { describe, expect, it } from 'vitest';
import { parseToolCall } from './tool-input.js';

describe('parseToolCall', () => {
  it('accepts the contract shapes', () => {
    expect(parseToolCall('bash', { command: 'ls', timeoutMs: 5 })).toEqual({
      ok: true,
      call: { name: 'bash', input: { command: 'ls', timeoutMs: 5 } },
    });
    expect(parseToolCall('list_files', {})).toEqual({ ok: true, call: { name: 'list_files', input: {} } });
  });

  it('names the unknown tool', () => {
    const parsed = parseToolCall('rm_rf', {});
    expect(parsed).toMatchObject({ ok: false });
    expect(!parsed.ok && parsed.error).toContain('unknown tool "rm_rf"');
  });

  it('lists every problem with the input', () => {
    const parsed = parseToolCall('read_file', { path: 3, offset: 0, extra: true });
    expect(parsed.ok).toBe(false);
    const error = parsed.ok ? '' : parsed.error;
    expect(error).toContain('"path" must be a string');
    expect(error).toContain('"offset" must be a positive integer');
    expect(error).toContain('unknown field "extra"');
  });

  it('requires required fields and an object input', () => {
    expect(parseToolCall('write_file', { path: 'a' })).toMatchObject({ ok: false });
    expect(parseToolCall('bash', 'ls')).toMatchObject({ ok: false });
    expect(parseToolCall('bash', [])).toMatchObject({ ok: false });
  });

  it('treats null as not given', () => {
    expect(parseToolCall('read_file', { path: 'a', limit: null })).toEqual({
      ok: true,
      call: { name: 'read_file', input: { path: 'a' } },
    });
  });
});
