import { ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Model } from '../store/entities.js';
import type { ModelRepository, Page, PageRequest } from '../store/repositories.js';
import { isForeignKeyViolation, isRecordNotFound, isUniqueViolation } from './db-errors.js';
import { PRICE, checkDecimals } from './decimal.js';
import type { PrismaClient } from './generated/client.js';
import { listByTime } from './pagination.js';
import { toModel } from './row-mappers.js';

type NewModel = Parameters<ModelRepository['create']>[0];
type ModelPatch = Parameters<ModelRepository['update']>[1];

export class PrismaModelRepository implements ModelRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(input: NewModel): Promise<Model> {
    checkModelInput(input);
    const id = input.id ?? `mdl_${randomId(12)}`;
    try {
      const row = await this.prisma.model.create({
        data: {
          id,
          name: input.name,
          provider: input.provider,
          bedrockModelId: input.bedrockModelId ?? null,
          inputPricePerMTok: input.inputPricePerMTok,
          outputPricePerMTok: input.outputPricePerMTok,
          cacheReadPricePerMTok: input.cacheReadPricePerMTok ?? '0',
          cacheWritePricePerMTok: input.cacheWritePricePerMTok ?? '0',
          ...(input.maxOutputTokens !== undefined ? { maxOutputTokens: input.maxOutputTokens } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        },
      });
      return toModel(row);
    } catch (err) {
      if (isUniqueViolation(err, 'models_pkey')) {
        throw new ValidationError('invalid model', [`a model with id "${id}" already exists`], {
          cause: err,
          details: { id },
        });
      }
      throw err;
    }
  }

  async get(id: string): Promise<Model | undefined> {
    const row = await this.prisma.model.findUnique({ where: { id } });
    return row === null ? undefined : toModel(row);
  }

  async list(page: PageRequest): Promise<Page<Model>> {
    return listByTime(page, {}, (args) => this.prisma.model.findMany(args), toModel);
  }

  async update(id: string, patch: ModelPatch): Promise<Model | undefined> {
    checkModelInput(patch);
    try {
      const row = await this.prisma.model.update({
        where: { id },
        data: {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.provider !== undefined ? { provider: patch.provider } : {}),
          ...(patch.bedrockModelId !== undefined ? { bedrockModelId: patch.bedrockModelId } : {}),
          ...(patch.inputPricePerMTok !== undefined ? { inputPricePerMTok: patch.inputPricePerMTok } : {}),
          ...(patch.outputPricePerMTok !== undefined ? { outputPricePerMTok: patch.outputPricePerMTok } : {}),
          ...(patch.cacheReadPricePerMTok !== undefined
            ? { cacheReadPricePerMTok: patch.cacheReadPricePerMTok }
            : {}),
          ...(patch.cacheWritePricePerMTok !== undefined
            ? { cacheWritePricePerMTok: patch.cacheWritePricePerMTok }
            : {}),
          ...(patch.maxOutputTokens !== undefined ? { maxOutputTokens: patch.maxOutputTokens } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        },
      });
      return toModel(row);
    } catch (err) {
      if (isRecordNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A model that conversations, runs or usage refer to cannot be deleted (usage must stay priced). */
  async delete(id: string): Promise<boolean> {
    try {
      const { count } = await this.prisma.model.deleteMany({ where: { id } });
      return count > 0;
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new ValidationError(
          'model in use',
          [`model "${id}" is used by conversations, runs or usage records; disable it instead`],
          { cause: err, details: { id } },
        );
      }
      throw err;
    }
  }
}

const MAX_INT4 = 2_147_483_647;

function checkModelInput(prices: {
  inputPricePerMTok?: string | undefined;
  outputPricePerMTok?: string | undefined;
  cacheReadPricePerMTok?: string | undefined;
  cacheWritePricePerMTok?: string | undefined;
  maxOutputTokens?: number | undefined;
}): void {
  const max = prices.maxOutputTokens;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_INT4)) {
    throw new ValidationError('invalid model', [`maxOutputTokens must be a positive integer (got ${max})`]);
  }
  checkDecimals(
    'invalid model',
    {
      inputPricePerMTok: prices.inputPricePerMTok,
      outputPricePerMTok: prices.outputPricePerMTok,
      cacheReadPricePerMTok: prices.cacheReadPricePerMTok,
      cacheWritePricePerMTok: prices.cacheWritePricePerMTok,
    },
    PRICE,
  );
}
