import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { DEFAULT_LIFECYCLE_POLICY } from '../config/lifecycle-policy.js';
import type { ReapReason } from './reap-reason.js';
import { Reaper } from './reaper.js';
import type { SandboxRecord } from './sandbox-record.js';
import { sampleRecord } from './sample-record.fixture.js';
import type { SandboxFilter, SandboxRegistry } from './sandbox-registry.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';

const NOW = 1_795_000_000_000;

/** What the reaper reads of the registry: the node's records. */
class Records {
  readonly #records: SandboxRecord[] = [];
  put(r: SandboxRecord): void {
    this.#records.push(r);
  }
  list(filter: SandboxFilter): Promise<SandboxRecord[]> {
    return Promise.resolve(
      this.#records.filter((r) => filter.nodeId === undefined || r.nodeId === filter.nodeId),
    );
  }
  findByConversation(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

describe('reaper', () => {
  it('removes what another node claimed for this one when the message telling it was lost', async () => {
    const registry = new Records();
    registry.put(sampleRecord('claimed', { state: 'removing', removalReason: 'tenant_cap' }));
    // Removing without a reason is a removal in flight in this process: not the reaper's to repeat.
    registry.put(sampleRecord('in-flight', { state: 'removing' }));
    registry.put(sampleRecord('elsewhere', { state: 'removing', removalReason: 'tenant_cap', nodeId: 'n2' }));
    registry.put(sampleRecord('fresh', {}));
    const removed: [string, ReapReason][] = [];
    const remover = {
      remove: (r: SandboxRecord, reason: ReapReason) => {
        removed.push([r.id, reason]);
        return Promise.resolve(undefined);
      },
    } as unknown as SandboxRemover;
    const pool = { surplus: () => [], forget: () => undefined, refillInBackground: () => undefined };
    const reaper = new Reaper({
      nodeId: 'n1',
      registry: registry as unknown as SandboxRegistry,
      remover,
      pool: pool as unknown as WarmPool,
      policy: () => DEFAULT_LIFECYCLE_POLICY,
      clock: { now: () => NOW },
      logger: silentLogger(),
    });
    await reaper.reapOnce();
    expect(removed).toEqual([['claimed', 'tenant_cap']]);
  });
});
