import type { Logger } from '../common/logger.js';
import type { StoredReap } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

export interface ReapHistoryOptions {
  store: Store;
  nodeId: string;
  retentionMs: number;
  now: () => number;
  logger: Logger;
}

// Pruning runs with a record, at most this often (one indexed DELETE).
const PRUNE_EVERY_MS = 60_000;

/** The fleet's sandbox removals, kept in the database for the retention period (`GET /api/admin/reaps`). */
export class ReapHistory {
  #lastPrune = 0;

  constructor(private readonly options: ReapHistoryOptions) {}

  /** Records a removal of this node; a database failure is logged, never thrown (removal already happened). */
  async record(
    reap: Omit<StoredReap, 'node' | 'oomKilled' | 'exitCode'> & Partial<StoredReap>,
  ): Promise<void> {
    const { store, nodeId, now, retentionMs, logger } = this.options;
    try {
      await store.reaps.record({ oomKilled: null, exitCode: null, ...reap, node: nodeId });
      if (now() - this.#lastPrune >= PRUNE_EVERY_MS) {
        this.#lastPrune = now();
        await store.reaps.prune(new Date(now() - retentionMs));
      }
    } catch (err) {
      logger.warn({ err, sandboxId: reap.sandboxId }, 'Could not record a sandbox removal');
    }
  }

  list(limit: number): Promise<StoredReap[]> {
    return this.options.store.reaps.list(limit);
  }
}
