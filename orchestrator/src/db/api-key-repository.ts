import { ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { ApiKey } from '../store/entities.js';
import type { ApiKeyRepository, Page, PageRequest } from '../store/repositories.js';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.js';
import type { PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toApiKey } from './row-mappers.js';

type NewApiKey = Parameters<ApiKeyRepository['create']>[0];

export class PrismaApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: NewApiKey): Promise<ApiKey> {
    if ((input.scope === 'tenant') !== (input.tenantId !== null)) {
      throw new ValidationError('invalid API key', [
        'a tenant key needs a tenantId and an admin key must have none',
      ]);
    }
    try {
      const row = await this.prisma.apiKey.create({
        data: {
          id: `key_${randomId(12)}`,
          name: input.name,
          scope: input.scope,
          tenantId: input.tenantId,
          prefix: input.prefix,
          hash: input.hash,
        },
      });
      return toApiKey(row);
    } catch (err) {
      if (isUniqueViolation(err, 'api_keys_hash_key')) {
        throw new ValidationError('invalid API key', ['a key with this hash already exists'], { cause: err });
      }
      if (isForeignKeyViolation(err, 'api_keys_tenant_id_fkey')) {
        throw new ValidationError('invalid API key', [`tenantId: no tenant "${input.tenantId ?? ''}"`], {
          cause: err,
        });
      }
      throw err;
    }
  }

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    const row = await this.prisma.apiKey.findUnique({ where: { hash } });
    return row === null ? undefined : toApiKey(row);
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    return row === null ? undefined : toApiKey(row);
  }

  async list(page: PageRequest): Promise<Page<ApiKey>> {
    return listByTime(page, {}, (args) => this.prisma.apiKey.findMany(args), toApiKey);
  }

  /** Idempotent: a revoked key keeps its first `revokedAt`. */
  async revoke(id: string): Promise<ApiKey | undefined> {
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    return row === null ? undefined : toApiKey(row);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}
