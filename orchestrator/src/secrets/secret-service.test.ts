import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import type { SealedSecret, StoredSecret } from '../store/entities.js';
import type { SecretRepository } from '../store/repositories.js';
import { SecretKeyring } from './secret-keyring.js';
import { SecretService, type SecretActor } from './secret-service.js';

/** The repository contract in memory (the PostgreSQL one is exercised by the integration suite). */
class MemorySecrets implements SecretRepository {
  readonly rows = new Map<string, StoredSecret>();
  private key = (tenantId: string, name: string): string => `${tenantId}\u0000${name}`;
  list(tenantId: string): Promise<StoredSecret[]> {
    return Promise.resolve([...this.rows.values()].filter((r) => r.tenantId === tenantId));
  }
  get(tenantId: string, name: string): Promise<StoredSecret | undefined> {
    return Promise.resolve(this.rows.get(this.key(tenantId, name)));
  }
  count(tenantId: string): Promise<number> {
    return this.list(tenantId).then((l) => l.length);
  }
  put(tenantId: string, name: string, sealed: SealedSecret): Promise<StoredSecret> {
    const old = this.rows.get(this.key(tenantId, name));
    const now = new Date();
    const row = {
      tenantId,
      name,
      ...sealed,
      version: (old?.version ?? 0) + 1,
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
    };
    this.rows.set(this.key(tenantId, name), row);
    return Promise.resolve(row);
  }
  delete(tenantId: string, name: string): Promise<StoredSecret | undefined> {
    const old = this.rows.get(this.key(tenantId, name));
    this.rows.delete(this.key(tenantId, name));
    return Promise.resolve(old);
  }
  listNotSealedWith(
    keyId: string,
    limit: number,
    after?: { tenantId: string; name: string },
  ): Promise<StoredSecret[]> {
    const sorted = [...this.rows.values()]
      .filter((r) => r.keyId !== keyId)
      .sort((a, b) => (a.tenantId + '\u0000' + a.name < b.tenantId + '\u0000' + b.name ? -1 : 1))
      .filter(
        (r) =>
          !after || r.tenantId > after.tenantId || (r.tenantId === after.tenantId && r.name > after.name),
      );
    return Promise.resolve(sorted.slice(0, limit));
  }
  reseal(tenantId: string, name: string, version: number, sealed: SealedSecret): Promise<boolean> {
    const old = this.rows.get(this.key(tenantId, name));
    if (!old || old.version !== version) return Promise.resolve(false);
    this.rows.set(this.key(tenantId, name), { ...old, ...sealed });
    return Promise.resolve(true);
  }
}

const actor: SecretActor = { actor: 'key:admin', requestId: 'req-1' };
const key = (id: string): { id: string; key: Buffer } => ({ id, key: randomBytes(32) });

function setup(keys = [key('k1')], maxPerTenant = 3) {
  const secrets = new MemorySecrets();
  const audits: { action: string; target: string; details?: Record<string, unknown> }[] = [];
  const make = (ring: SecretKeyring): SecretService =>
    new SecretService({
      secrets,
      tenants: { get: (id) => Promise.resolve(id.startsWith('t') ? ({ id } as never) : undefined) },
      keyring: ring,
      audit: {
        record: (_ctx, action, target, details) => {
          audits.push({ action, target, ...(details ? { details } : {}) });
          return Promise.resolve();
        },
      },
      maxPerTenant,
      logger: silentLogger(),
    });
  return { secrets, audits, service: make(new SecretKeyring(keys)), make };
}

describe('SecretService', () => {
  it('stores new versions, lists metadata only and audits without the value', async () => {
    const { service, audits, secrets } = setup();
    const first = await service.put('t1', 'TOKEN', 'value-one', actor);
    expect(first).toMatchObject({ created: true, secret: { name: 'TOKEN', version: 1, keyId: 'k1' } });
    const second = await service.put('t1', 'TOKEN', 'value-two', actor);
    expect(second).toMatchObject({ created: false, secret: { version: 2 } });
    expect(await service.resolve('t1', 'TOKEN')).toBe('value-two');
    const listed = await service.list('t1');
    expect(listed.map((s) => [s.name, s.version])).toEqual([['TOKEN', 2]]);
    expect(JSON.stringify([listed, audits, first, second])).not.toContain('value-');
    expect(audits.map((a) => a.action)).toEqual(['secret.create', 'secret.update']);
    expect([...secrets.rows.values()][0]?.ciphertext.includes(Buffer.from('value-two'))).toBe(false);
    await service.delete('t1', 'TOKEN', actor);
    await expect(service.resolve('t1', 'TOKEN')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(audits.at(-1)).toMatchObject({ action: 'secret.delete', details: { name: 'TOKEN', version: 2 } });
  });

  it('keeps tenants apart', async () => {
    const { service } = setup();
    await service.put('t1', 'TOKEN', 'one', actor);
    await expect(service.resolve('t2', 'TOKEN')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.list('x-unknown')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates names, sizes and the per-tenant count', async () => {
    const { service } = setup(undefined, 2);
    await expect(service.put('t1', 'bad name', 'v', actor)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(service.put('t1', 'N', '', actor)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(service.put('t1', 'BIG', 'x'.repeat(64 * 1024 + 1), actor)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await service.put('t1', 'MAX', 'x'.repeat(64 * 1024), actor);
    await service.put('t1', 'B', 'v', actor);
    await expect(service.put('t1', 'C', 'v', actor)).rejects.toThrow(/already has 2 secrets/);
    // Replacing an existing one is not a new secret.
    await expect(service.put('t1', 'B', 'w', actor)).resolves.toMatchObject({ created: false });
  });

  it('rotation re-seals everything under the current key, reporting what it cannot open', async () => {
    const old = key('old');
    const lost = key('lost');
    const { service: before, make, secrets, audits } = setup([old]);
    for (const name of ['A', 'B', 'C']) await before.put('t1', name, `value-${name}`, actor);
    await before.put('t2', 'A', 'value-t2', actor);
    await make(new SecretKeyring([lost])).put('t3', 'GONE', 'value-gone', actor);
    const fresh = key('new');
    const now = make(new SecretKeyring([fresh, old]));
    const result = await now.rotate(actor);
    expect(result).toEqual({
      keyId: 'new',
      resealed: 4,
      failed: [{ tenantId: 't3', name: 'GONE', code: 'SECRET_KEY_UNKNOWN' }],
    });
    expect([...secrets.rows.values()].filter((r) => r.keyId === 'new')).toHaveLength(4);
    // Versions stay; the old key can now be dropped from the keyring.
    const withoutOld = make(new SecretKeyring([fresh]));
    expect(await withoutOld.resolve('t1', 'B')).toBe('value-B');
    expect((await withoutOld.get('t1', 'B')).version).toBe(1);
    await expect(withoutOld.resolve('t3', 'GONE')).rejects.toMatchObject({ code: 'SECRET_KEY_UNKNOWN' });
    expect(audits.at(-1)).toMatchObject({
      action: 'secret.rotate',
      details: { keyId: 'new', resealed: 4, failed: 1 },
    });
  });
});
