import { describe, expect, it } from 'vitest';
import type { WorkspaceLimits } from '@agentd/sandbox-runner/protocol';
import { validateScan } from './scan-validation.js';

const LIMITS: WorkspaceLimits = { maxFiles: 3, maxFileBytes: 100, maxTotalBytes: 150, maxPathBytes: 768 };
const file = (path: string, size = 1) => ({
  path,
  size,
  sha256: 'a'.repeat(64),
  mtimeMs: 0,
  executable: false,
});
const scan = (files: unknown[]) => ({ files, skipped: [], skippedTotal: 0 });

describe('validateScan', () => {
  it('accepts a consistent scan', () => {
    const valid = validateScan(scan([file('a'), file('d/b', 100)]), LIMITS);
    expect([...valid.files.keys()]).toEqual(['a', 'd/b']);
    expect(valid.totalBytes).toBe(101);
  });
  it.each([
    [scan([file('a'), file('b'), file('c'), file('d')]), 'WORKSPACE_LIMIT', /4 files; the limit is 3/],
    [scan([file('a', 101)]), 'WORKSPACE_LIMIT', /101 bytes; the limit per file is 100/],
    [scan([file('a', 100), file('b', 100)]), 'WORKSPACE_LIMIT', /more than 150 bytes/],
    [scan([file('../x')]), 'RUNNER_PROTOCOL_ERROR', /has a "\.\." segment/],
    [scan([file('a'), file('a')]), 'RUNNER_PROTOCOL_ERROR', /appears twice/],
    [scan([file('a'), file('a/b')]), 'RUNNER_PROTOCOL_ERROR', /both a file and a directory/],
    [scan([{ ...file('a'), size: -1 }]), 'RUNNER_PROTOCOL_ERROR', /invalid workspace scan/],
    [scan([{ ...file('a'), type: 'symlink' }]), 'RUNNER_PROTOCOL_ERROR', /unknown property/],
    [{ files: 'nope' }, 'RUNNER_PROTOCOL_ERROR', /invalid workspace scan/],
  ])('refuses %#', (body, code, message) => {
    expect(() => validateScan(body, LIMITS)).toThrow(message);
    try {
      validateScan(body, LIMITS);
    } catch (err) {
      expect(err).toMatchObject({ code });
    }
  });
});
