import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import { picoUsdPerToken } from '../model/pricing.js';
import type { Model, ModelProviderName } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';
import type { SharedCache } from '../common/shared-cache.js';
import type { AuditContext, AuditService } from './audit-service.js';

export interface ModelInput {
  id?: string | undefined;
  name: string;
  provider: ModelProviderName;
  bedrockModelId?: string | null | undefined;
  inputPricePerMTok: string | number;
  outputPricePerMTok: string | number;
  cacheReadPricePerMTok?: string | number | undefined;
  cacheWritePricePerMTok?: string | number | undefined;
  maxOutputTokens?: number | undefined;
  enabled?: boolean | undefined;
}

export type ModelPatch = Partial<Omit<ModelInput, 'id'>>;

/** Models and their prices (USD per million tokens, exact decimals). */
export class ModelService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    /** Pages of the list every client reads; emptied on every node by create, update and delete. */
    private readonly pages?: SharedCache<Page<Model>>,
  ) {}

  async list(page: PageRequest): Promise<Page<Model>> {
    if (this.pages === undefined) return this.store.models.list(page);
    const found = await this.pages.get(`${page.limit}:${page.cursor ?? ''}`, () =>
      this.store.models.list(page),
    );
    return found ?? { items: [], nextCursor: null };
  }

  async get(id: string): Promise<Model> {
    const model = await this.store.models.get(id);
    if (!model) throw new NotFoundError('model', id);
    return model;
  }

  async create(context: AuditContext, input: ModelInput): Promise<Model> {
    const issues: string[] = [];
    const prices = {
      inputPricePerMTok: price('inputPricePerMTok', input.inputPricePerMTok, issues),
      outputPricePerMTok: price('outputPricePerMTok', input.outputPricePerMTok, issues),
      cacheReadPricePerMTok: price('cacheReadPricePerMTok', input.cacheReadPricePerMTok ?? 0, issues),
      cacheWritePricePerMTok: price('cacheWritePricePerMTok', input.cacheWritePricePerMTok ?? 0, issues),
    };
    if (input.provider === 'bedrock' && !input.bedrockModelId)
      issues.push('/bedrockModelId: required for provider bedrock');
    if (issues.length > 0) throw new ValidationError('invalid model', issues);
    if (input.id !== undefined && (await this.store.models.get(input.id))) {
      throw new AgentdError('VALIDATION_FAILED', `model ${input.id} already exists`);
    }
    const model = await this.store.models.create({
      ...(input.id === undefined ? {} : { id: input.id }),
      name: input.name,
      provider: input.provider,
      bedrockModelId: input.bedrockModelId ?? null,
      ...prices,
      ...(input.maxOutputTokens === undefined ? {} : { maxOutputTokens: input.maxOutputTokens }),
      enabled: input.enabled ?? true,
    });
    this.pages?.invalidate();
    await this.audit.record(context, 'model.create', `model:${model.id}`, {
      name: model.name,
      provider: model.provider,
    });
    return model;
  }

  async update(context: AuditContext, id: string, patch: ModelPatch): Promise<Model> {
    const current = await this.get(id);
    const issues: string[] = [];
    const update: Partial<Omit<Model, 'id' | 'createdAt' | 'updatedAt'>> = {};
    if (patch.name !== undefined) update.name = patch.name;
    if (patch.provider !== undefined) update.provider = patch.provider;
    if (patch.bedrockModelId !== undefined) update.bedrockModelId = patch.bedrockModelId;
    if (patch.maxOutputTokens !== undefined) update.maxOutputTokens = patch.maxOutputTokens;
    if (patch.enabled !== undefined) update.enabled = patch.enabled;
    for (const field of [
      'inputPricePerMTok',
      'outputPricePerMTok',
      'cacheReadPricePerMTok',
      'cacheWritePricePerMTok',
    ] as const) {
      const value = patch[field];
      if (value !== undefined) update[field] = price(field, value, issues);
    }
    if (
      (update.provider ?? current.provider) === 'bedrock' &&
      !(update.bedrockModelId ?? current.bedrockModelId)
    ) {
      issues.push('/bedrockModelId: required for provider bedrock');
    }
    if (issues.length > 0) throw new ValidationError('invalid model', issues);
    const model = await this.store.models.update(id, update);
    if (!model) throw new NotFoundError('model', id);
    this.pages?.invalidate();
    await this.audit.record(context, 'model.update', `model:${id}`, { changed: Object.keys(update) });
    return model;
  }

  async delete(context: AuditContext, id: string): Promise<void> {
    if (!(await this.store.models.delete(id))) throw new NotFoundError('model', id);
    this.pages?.invalidate();
    await this.audit.record(context, 'model.delete', `model:${id}`);
  }
}

/** Accepts a decimal string or a JSON number; stores an exact decimal string with at most 6 decimals. */
function price(field: string, value: string | number, issues: string[]): string {
  const text = typeof value === 'number' ? numberToDecimal(value) : value.trim();
  try {
    picoUsdPerToken(text);
    return text;
  } catch {
    issues.push(
      `/${field}: must be a non-negative decimal with at most 6 decimals (got ${JSON.stringify(value)})`,
    );
    return '0';
  }
}

function numberToDecimal(value: number): string {
  if (!Number.isFinite(value) || value < 0) return 'invalid';
  // Six decimals is the precision prices have; a number that needs more is refused, never rounded.
  const fixed = value.toFixed(6);
  if (Number(fixed) !== value) return 'invalid';
  return fixed.replace(/\.?0+$/, '') || '0';
}
