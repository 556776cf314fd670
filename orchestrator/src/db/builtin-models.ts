import { isAgentdError } from '../common/errors.js';
import type { Model } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

export const SCRIPTED_MODEL_ID = 'scripted';

const SCRIPTED_MODEL = {
  id: SCRIPTED_MODEL_ID,
  name: 'Scripted (built-in, deterministic)',
  provider: 'scripted',
  bedrockModelId: null,
  inputPricePerMTok: '1',
  outputPricePerMTok: '2',
  cacheReadPricePerMTok: '0.1',
  cacheWritePricePerMTok: '0.5',
  maxOutputTokens: 4096,
  enabled: true,
} as const;

/** Creates the built-in scripted model when it is absent; leaves an existing one (maybe edited) alone. */
export async function ensureBuiltinModels(store: Pick<Store, 'models'>): Promise<Model> {
  const existing = await store.models.get(SCRIPTED_MODEL_ID);
  if (existing !== undefined) return existing;
  try {
    return await store.models.create(SCRIPTED_MODEL);
  } catch (err) {
    // Another node seeded it between our read and our insert.
    const raced =
      isAgentdError(err) && err.code === 'VALIDATION_FAILED'
        ? await store.models.get(SCRIPTED_MODEL_ID)
        : undefined;
    if (raced !== undefined) return raced;
    throw err;
  }
}
