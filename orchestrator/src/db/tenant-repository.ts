import { ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Tenant, TenantPolicy } from '../store/entities.js';
import type { Page, PageRequest, TenantRepository } from '../store/repositories.js';
import { isForeignKeyViolation, isRecordNotFound } from './db-errors.js';
import type { PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toTenant } from './row-mappers.js';

type TenantPatch = Parameters<TenantRepository['update']>[1];

export class PrismaTenantRepository implements TenantRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: Parameters<TenantRepository['create']>[0]): Promise<Tenant> {
    try {
      const row = await this.prisma.tenant.create({
        data: {
          id: `ten_${randomId(12)}`,
          name: input.name,
          systemPrompt: input.systemPrompt ?? null,
          defaultModelId: input.defaultModelId ?? null,
          policy: policyJson(input.policy ?? {}),
        },
      });
      return toTenant(row);
    } catch (err) {
      throw unknownDefaultModel(err, input.defaultModelId);
    }
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.prisma.tenant.findUnique({ where: { id } });
    return row === null ? undefined : toTenant(row);
  }

  async list(page: PageRequest): Promise<Page<Tenant>> {
    return listByTime(page, {}, (args) => this.prisma.tenant.findMany(args), toTenant);
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant | undefined> {
    try {
      const row = await this.prisma.tenant.update({
        where: { id },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.systemPrompt !== undefined ? { systemPrompt: patch.systemPrompt } : {}),
          ...(patch.defaultModelId !== undefined ? { defaultModelId: patch.defaultModelId } : {}),
          ...(patch.policy !== undefined ? { policy: policyJson(patch.policy) } : {}),
        },
      });
      return toTenant(row);
    } catch (err) {
      if (isRecordNotFound(err)) return undefined;
      throw unknownDefaultModel(err, patch.defaultModelId);
    }
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.tenant.deleteMany({ where: { id } });
    return count > 0;
  }

  async countConversations(id: string): Promise<number> {
    return this.prisma.conversation.count({ where: { tenantId: id } });
  }
}

function policyJson(policy: TenantPolicy): object {
  return JSON.parse(JSON.stringify(policy)) as object;
}

function unknownDefaultModel(err: unknown, modelId: string | null | undefined): unknown {
  if (isForeignKeyViolation(err, 'tenants_default_model_id_fkey')) {
    return new ValidationError('invalid tenant', [`defaultModelId: no model "${modelId ?? ''}"`], {
      cause: err,
    });
  }
  return err;
}
