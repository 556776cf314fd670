import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../common/clock.js';
import { AgentdError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { SharedCache } from '../common/shared-cache.js';
import type { ApiKey, ApiKeyScope } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { Principal } from './principal.js';

export const KEY_PREFIX = 'agd_';
const MAX_KEY_LENGTH = 512;
/** Created keys carry 256 bits of randomness; the prefix shown in lists is never enough to use one. */
const SHOWN_PREFIX_LENGTH = 12;
const TOUCH_INTERVAL_MS = 60_000;
const BOOTSTRAP_ID_LENGTH = 12;

export interface ApiKeyAuthOptions {
  store: Store;
  /** Admin keys from API_KEYS: never stored, compared in constant time. */
  bootstrapKeys: readonly string[];
  clock: Clock;
  logger: Logger;
  /**
   * Stored keys by hash, so a request costs no database round trip; emptied on every node when a key is
   * created or revoked or its tenant deleted (`keysChanged`). Without it every request reads PostgreSQL.
   */
  cache?: SharedCache<ApiKey>;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** API keys: bootstrap admin keys from configuration plus keys created through the API, stored hashed. */
export class ApiKeyAuth {
  readonly #bootstrap: { digest: Buffer; id: string }[];
  readonly #touched = new Map<string, number>();

  constructor(private readonly options: ApiKeyAuthOptions) {
    // Named by a fragment of their hash, not their first characters: keys that share a prefix stay distinct
    // (rate-limit budgets, audit actors) and no part of a secret reaches logs, Redis or the audit log.
    this.#bootstrap = options.bootstrapKeys.map((key) => {
      const digest = createHash('sha256').update(key, 'utf8').digest();
      return { digest, id: digest.toString('hex').slice(0, BOOTSTRAP_ID_LENGTH) };
    });
  }

  async authenticate(presented: string | undefined): Promise<Principal> {
    if (presented === undefined || presented === '') {
      throw new AgentdError('UNAUTHENTICATED', 'an API key is required (X-API-Key or Authorization: Bearer)');
    }
    if (presented.length > MAX_KEY_LENGTH) throw new AgentdError('UNAUTHENTICATED', 'invalid API key');
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const bootstrapMatch = this.#bootstrapId(digest);
    if (bootstrapMatch !== undefined) {
      return {
        scope: 'admin',
        tenantId: null,
        keyId: `bootstrap:${bootstrapMatch}`,
        credential: 'bootstrap_key',
        actor: `bootstrap-key:${bootstrapMatch}`,
      };
    }
    const hash = digest.toString('hex');
    const { cache, store } = this.options;
    const key =
      cache === undefined
        ? await store.apiKeys.findByHash(hash)
        : await cache.get(hash, () => store.apiKeys.findByHash(hash));
    if (!key || key.revokedAt !== null) throw new AgentdError('UNAUTHENTICATED', 'invalid API key');
    await this.#touch(key);
    return {
      scope: key.scope,
      tenantId: key.tenantId,
      keyId: key.id,
      credential: 'api_key',
      actor: `key:${key.id}(${key.name})`,
    };
  }

  /** Call after any change to stored keys (revocation, a tenant deleted with its keys): every node forgets them. */
  keysChanged(): void {
    this.options.cache?.invalidate();
  }

  /** Whether the credential is one of API_KEYS (they may have any shape, so routing by shape asks first). */
  isBootstrapKey(presented: string): boolean {
    return (
      presented.length <= MAX_KEY_LENGTH &&
      this.#bootstrapId(createHash('sha256').update(presented, 'utf8').digest()) !== undefined
    );
  }

  #bootstrapId(digest: Buffer): string | undefined {
    // Compare against every bootstrap key, whatever matches, so timing says nothing about which one.
    let match: string | undefined;
    for (const key of this.#bootstrap) {
      if (timingSafeEqual(digest, key.digest)) match = key.id;
    }
    return match;
  }

  /** Creates a key; the plain key is returned once and never stored. */
  async create(input: {
    name: string;
    scope: ApiKeyScope;
    tenantId: string | null;
  }): Promise<{ key: ApiKey; plain: string }> {
    if (input.scope === 'tenant') {
      if (input.tenantId === null)
        throw new AgentdError('VALIDATION_FAILED', 'a tenant key needs a tenantId');
      if (!(await this.options.store.tenants.get(input.tenantId)))
        throw new NotFoundError('tenant', input.tenantId);
    }
    const plain = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const key = await this.options.store.apiKeys.create({
      name: input.name,
      scope: input.scope,
      tenantId: input.scope === 'admin' ? null : input.tenantId,
      prefix: plain.slice(0, SHOWN_PREFIX_LENGTH),
      hash: hashKey(plain),
    });
    // A node may remember this hash as unknown (negative entry): forget, so the new key works everywhere at once.
    this.keysChanged();
    return { key, plain };
  }

  /**
   * Development without API_KEYS: an admin key is generated on first start, stored hashed, and written once
   * to `<stateDir>/admin.key` (0600). Later starts reuse the file (and re-register it if the database is new).
   */
  async ensureDevelopmentAdminKey(
    stateDir: string,
  ): Promise<{ file: string; plain: string; created: boolean }> {
    const file = path.join(stateDir, 'admin.key');
    const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (existing.startsWith(KEY_PREFIX)) {
      const known = await this.options.store.apiKeys.findByHash(hashKey(existing));
      if (!known) {
        await this.options.store.apiKeys.create({
          name: 'development admin',
          scope: 'admin',
          tenantId: null,
          prefix: existing.slice(0, SHOWN_PREFIX_LENGTH),
          hash: hashKey(existing),
        });
        this.keysChanged();
      }
      return { file, plain: existing, created: false };
    }
    const { plain } = await this.create({ name: 'development admin', scope: 'admin', tenantId: null });
    await writeFile(file, `${plain}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return { file, plain, created: true };
  }

  /**
   * Awaited, not fire-and-forget: a write still in flight when the daemon closes its database left an open
   * transaction that hung `close()` forever. It costs one UPDATE per key per TOUCH_INTERVAL_MS.
   */
  async #touch(key: ApiKey): Promise<void> {
    const now = this.options.clock.now();
    if (now - (this.#touched.get(key.id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.#touched.set(key.id, now);
    await this.options.store.apiKeys.touch(key.id, new Date(now)).catch((err: unknown) => {
      this.options.logger.debug({ err, keyId: key.id }, 'Could not record key use');
    });
  }
}
