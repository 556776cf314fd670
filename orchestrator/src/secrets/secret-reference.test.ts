import { describe, expect, it } from 'vitest';
import { AgentdError } from '../common/errors.js';
import { expandSecretRefs, findSecretRefs, hasSecretRef, SECRET_NAME_PATTERN } from './secret-reference.js';
import type { SecretResolver } from './secret-resolver.js';

const resolver = (values: Record<string, string>): SecretResolver & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    resolve: (tenantId, name) => {
      calls.push(`${tenantId}/${name}`);
      const value = values[name];
      return value === undefined
        ? Promise.reject(new AgentdError('NOT_FOUND', `secret ${name} not found`))
        : Promise.resolve(value);
    },
  };
};

describe('secret references', () => {
  it('finds every distinct reference', () => {
    expect(findSecretRefs('Bearer ${secret:API_TOKEN} and ${secret:a.b-c_1} ${secret:API_TOKEN}')).toEqual([
      'API_TOKEN',
      'a.b-c_1',
    ]);
    expect(hasSecretRef('plain')).toBe(false);
    expect(hasSecretRef('$secret:X')).toBe(false);
    expect(hasSecretRef('x ${secret:X}')).toBe(true);
  });

  it('has the documented name pattern', () => {
    expect(SECRET_NAME_PATTERN.test('a'.repeat(64))).toBe(true);
    expect(SECRET_NAME_PATTERN.test('a'.repeat(65))).toBe(false);
    expect(SECRET_NAME_PATTERN.test('has space')).toBe(false);
    expect(SECRET_NAME_PATTERN.test('')).toBe(false);
  });

  it('expands every reference for the given tenant, values taken literally', async () => {
    const r = resolver({ TOKEN: 'tok$&$1', USER: 'me' });
    await expect(
      expandSecretRefs('Basic ${secret:USER}:${secret:TOKEN}/${secret:USER}', 't1', r),
    ).resolves.toBe('Basic me:tok$&$1/me');
    expect(r.calls).toEqual(['t1/USER', 't1/TOKEN']);
    await expect(expandSecretRefs('no refs', 't1', r)).resolves.toBe('no refs');
  });

  it('a missing secret is NOT_FOUND naming it; a malformed reference is refused', async () => {
    const r = resolver({ TOKEN: 'value-never-shown' });
    const err = await expandSecretRefs('${secret:TOKEN} ${secret:MISSING}', 't1', r).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect((err as Error).message).toContain('MISSING');
    expect((err as Error).message).not.toContain('value-never-shown');
    await expect(expandSecretRefs('${secret:bad name}', 't1', r)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
