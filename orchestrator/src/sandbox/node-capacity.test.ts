import { describe, expect, it } from 'vitest';
import { pickNodeVictim, pickTenantVictim } from './node-capacity.js';
import type { SandboxRecord, SandboxState } from './sandbox-record.js';
import { sampleRecord } from './sample-record.fixture.js';

function record(
  id: string,
  state: SandboxState,
  lastUsedAt: number,
  extra: Partial<SandboxRecord> = {},
): SandboxRecord {
  const warm = state === 'warm';
  return sampleRecord(id, {
    state,
    lastUsedAt,
    createdAt: lastUsedAt,
    ...(warm ? { tenantId: null, conversationId: null } : {}),
    ...extra,
  });
}

describe('eviction choice', () => {
  it('prefers the oldest warm sandbox, then the least recently used idle one, never busy or starting', () => {
    const records = [
      record('busy', 'busy', 1),
      record('new-idle', 'idle', 50),
      record('old-idle', 'idle', 10),
      record('starting', 'starting', 0),
    ];
    expect(pickNodeVictim(records, 'n1')?.id).toBe('old-idle');
    expect(
      pickNodeVictim([...records, record('warm2', 'warm', 90), record('warm1', 'warm', 80)], 'n1')?.id,
    ).toBe('warm1');
    expect(pickNodeVictim([record('busy', 'busy', 1), record('s', 'starting', 1)], 'n1')).toBeUndefined();
  });

  it('makes room on this node only with this node’s sandboxes', () => {
    expect(pickNodeVictim([record('x', 'idle', 1, { nodeId: 'n2' })], 'n1')).toBeUndefined();
  });

  it('keeps the fleet-wide tenant cap with an idle sandbox on another node when this node has none', () => {
    const elsewhere = [
      record('far-new', 'idle', 3, { nodeId: 'n2' }),
      record('far-old', 'idle', 2, { nodeId: 'n3' }),
    ];
    expect(pickTenantVictim(elsewhere, 't1', 'n1')?.id).toBe('far-old');
    // This node's own idle sandbox goes first, even when one elsewhere is older: no message, no wait.
    expect(pickTenantVictim([...elsewhere, record('here', 'idle', 9)], 't1', 'n1')?.id).toBe('here');
    expect(pickTenantVictim([record('busy', 'busy', 1, { nodeId: 'n2' })], 't1', 'n1')).toBeUndefined();
  });

  it('picks the tenant’s own least recently used idle sandbox', () => {
    const records = [
      record('other', 'idle', 1, { tenantId: 't2' }),
      record('mine-new', 'idle', 9),
      record('mine-old', 'idle', 5),
    ];
    expect(pickTenantVictim(records, 't1', 'n1')?.id).toBe('mine-old');
  });
});
