import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { StoredSecret } from '../store/entities.js';
import type { SecretRepository, TenantRepository } from '../store/repositories.js';
import { openSecret, sealSecret } from './secret-cipher.js';
import type { SecretKeyring } from './secret-keyring.js';
import { SECRET_NAME_PATTERN } from './secret-reference.js';
import type { SecretResolver } from './secret-resolver.js';

/** What the API shows of a secret: never its value. */
export interface SecretMetadata {
  name: string;
  version: number;
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Who made a change (the controlplane's AuditContext has this shape). */
export interface SecretActor {
  actor: string;
  requestId: string | null;
}

/** Where changes are recorded (the controlplane's AuditService satisfies it). */
export interface SecretAuditLog {
  record(
    context: SecretActor,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ): Promise<unknown>;
}

export interface RotationResult {
  keyId: string;
  resealed: number;
  /** Secrets that could not be opened (a key no longer configured, or tampered): left as they were. */
  failed: { tenantId: string; name: string; code: string }[];
}

export interface SecretServiceOptions {
  secrets: SecretRepository;
  tenants: Pick<TenantRepository, 'get'>;
  keyring: SecretKeyring;
  audit: SecretAuditLog;
  maxPerTenant: number;
  logger: Logger;
}

/** 64 KiB: room for a certificate chain or a service-account JSON, not a way to store files. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;
const ROTATION_BATCH = 100;

function metadata(secret: StoredSecret): SecretMetadata {
  const { name, version, keyId, createdAt, updatedAt } = secret;
  return { name, version, keyId, createdAt, updatedAt };
}

/** Tenant secrets: write-only values sealed with AES-256-GCM, names and versions listed, changes audited. */
export class SecretService implements SecretResolver {
  private readonly log: Logger;

  constructor(private readonly options: SecretServiceOptions) {
    this.log = options.logger.child({ component: 'secrets' });
  }

  get keyIds(): { current: string; all: string[] } {
    return { current: this.options.keyring.current.id, all: this.options.keyring.ids };
  }

  async list(tenantId: string): Promise<SecretMetadata[]> {
    await this.requireTenant(tenantId);
    return (await this.options.secrets.list(tenantId)).map(metadata);
  }

  async get(tenantId: string, name: string): Promise<SecretMetadata> {
    await this.requireTenant(tenantId);
    return metadata(await this.stored(tenantId, name));
  }

  /** Stores a new version; `created` tells a first write (201) from a replacement (200). */
  async put(
    tenantId: string,
    name: string,
    value: string,
    audit: SecretActor,
  ): Promise<{ secret: SecretMetadata; created: boolean }> {
    const issues: string[] = [];
    if (!SECRET_NAME_PATTERN.test(name)) issues.push(`name: must match ${SECRET_NAME_PATTERN.source}`);
    if (value.length === 0) issues.push('value: must not be empty');
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_SECRET_VALUE_BYTES)
      issues.push(`value: ${bytes} bytes, at most ${MAX_SECRET_VALUE_BYTES}`);
    if (issues.length > 0) throw new ValidationError('invalid secret', issues);
    await this.requireTenant(tenantId);
    const existing = await this.options.secrets.get(tenantId, name);
    if (existing === undefined && (await this.options.secrets.count(tenantId)) >= this.options.maxPerTenant) {
      throw new AgentdError(
        'VALIDATION_FAILED',
        `tenant ${tenantId} already has ${this.options.maxPerTenant} secrets (AGENTD_SECRETS_MAX_PER_TENANT)`,
        { details: { limit: this.options.maxPerTenant } },
      );
    }
    const sealed = sealSecret(this.options.keyring, tenantId, name, value);
    const stored = await this.options.secrets.put(tenantId, name, sealed);
    await this.options.audit.record(
      audit,
      existing ? 'secret.update' : 'secret.create',
      target(tenantId, name),
      {
        tenantId,
        name,
        version: stored.version,
        keyId: stored.keyId,
      },
    );
    return { secret: metadata(stored), created: existing === undefined };
  }

  async delete(tenantId: string, name: string, audit: SecretActor): Promise<SecretMetadata> {
    await this.requireTenant(tenantId);
    const removed = await this.options.secrets.delete(tenantId, name);
    if (!removed) throw new NotFoundError('secret', name);
    await this.options.audit.record(audit, 'secret.delete', target(tenantId, name), {
      tenantId,
      name,
      version: removed.version,
    });
    return metadata(removed);
  }

  /** The plaintext, for agentd's own use (MCP headers, egress injection); never for an API response. */
  async resolve(tenantId: string, name: string): Promise<string> {
    const secret = await this.stored(tenantId, name);
    return openSecret(this.options.keyring, tenantId, name, secret);
  }

  /** Re-seals every secret not under the current key (older keys stay configured until this is done). */
  async rotate(audit: SecretActor): Promise<RotationResult> {
    const { keyring, secrets } = this.options;
    const keyId = keyring.current.id;
    const failed: RotationResult['failed'] = [];
    let resealed = 0;
    let after: { tenantId: string; name: string } | undefined;
    for (;;) {
      const batch = await secrets.listNotSealedWith(keyId, ROTATION_BATCH, after);
      for (const secret of batch) {
        const { tenantId, name } = secret;
        try {
          const value = openSecret(keyring, tenantId, name, secret);
          // A write racing the rotation already sealed a new value under the current key: it wins.
          if (
            await secrets.reseal(tenantId, name, secret.version, sealSecret(keyring, tenantId, name, value))
          )
            resealed += 1;
        } catch (err) {
          const code = err instanceof AgentdError ? err.code : 'INTERNAL_ERROR';
          this.log.warn({ tenantId, name, keyId: secret.keyId, code }, 'Secret could not be re-sealed');
          failed.push({ tenantId, name, code });
        }
      }
      const last = batch.at(-1);
      if (batch.length < ROTATION_BATCH || last === undefined) break;
      after = { tenantId: last.tenantId, name: last.name };
    }
    await this.options.audit.record(audit, 'secret.rotate', `secrets:${keyId}`, {
      keyId,
      resealed,
      failed: failed.length,
    });
    this.log.info({ keyId, resealed, failed: failed.length }, 'Secrets re-sealed under the current key');
    return { keyId, resealed, failed };
  }

  private async stored(tenantId: string, name: string): Promise<StoredSecret> {
    const secret = SECRET_NAME_PATTERN.test(name)
      ? await this.options.secrets.get(tenantId, name)
      : undefined;
    if (!secret) throw new NotFoundError('secret', name);
    return secret;
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.options.tenants.get(tenantId))) throw new NotFoundError('tenant', tenantId);
  }
}

function target(tenantId: string, name: string): string {
  return `secret:${tenantId}/${name}`;
}
