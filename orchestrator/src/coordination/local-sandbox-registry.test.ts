import { describe, expect, it } from 'vitest';
import { sampleRecord } from '../sandbox/sample-record.fixture.js';
import { LocalSandboxRegistry } from './local-sandbox-registry.js';

const ids = (records: readonly { id: string }[]): string[] => records.map((r) => r.id);

describe('LocalSandboxRegistry', () => {
  it('finds a warm sandbox by the conversation a claim assigned it to, and no longer under its old one', async () => {
    const registry = new LocalSandboxRegistry();
    await registry.put(sampleRecord('w1', { state: 'warm', tenantId: null, conversationId: null }));
    expect(await registry.list({ tenantId: 't1' })).toEqual([]);

    await registry.transition('w1', ['warm'], { state: 'busy', tenantId: 't1', conversationId: 'c1' });
    expect((await registry.findByConversation('t1', 'c1'))?.id).toBe('w1');
    expect(ids(await registry.list({ tenantId: 't1' }))).toEqual(['w1']);

    await registry.update('w1', { tenantId: 't2', conversationId: 'c2' });
    expect(await registry.findByConversation('t1', 'c1')).toBeUndefined();
    expect(await registry.list({ tenantId: 't1' })).toEqual([]);
    expect((await registry.findByConversation('t2', 'c2'))?.id).toBe('w1');
  });

  it('skips a removing sandbox of the conversation for its live successor', async () => {
    const registry = new LocalSandboxRegistry();
    await registry.put(sampleRecord('old', { conversationId: 'c1', state: 'removing' }));
    expect(await registry.findByConversation('t1', 'c1')).toBeUndefined();
    await registry.put(sampleRecord('new', { conversationId: 'c1', state: 'starting' }));
    expect((await registry.findByConversation('t1', 'c1'))?.id).toBe('new');
    // The same conversation id under another tenant is another conversation.
    expect(await registry.findByConversation('t2', 'c1')).toBeUndefined();
  });

  it('forgets a removed sandbox in every lookup', async () => {
    const registry = new LocalSandboxRegistry();
    await registry.put(sampleRecord('a'));
    await registry.put(sampleRecord('b'));
    await registry.remove('a');
    expect(await registry.get('a')).toBeUndefined();
    expect(await registry.findByConversation('t1', 'conv-a')).toBeUndefined();
    expect(ids(await registry.list({ tenantId: 't1' }))).toEqual(['b']);
    expect(ids(await registry.list({ nodeId: 'n1' }))).toEqual(['b']);
    expect(ids(await registry.list())).toEqual(['b']);
  });

  it('filters by node and tenant together, keeping the order records were added in across updates', async () => {
    const registry = new LocalSandboxRegistry();
    await registry.put(sampleRecord('a'));
    await registry.put(sampleRecord('b', { nodeId: 'n2' }));
    await registry.put(sampleRecord('c', { tenantId: 't2' }));
    await registry.put(sampleRecord('d'));
    await registry.update('a', { state: 'busy', lastUsedAt: 5 });
    expect(ids(await registry.list({ nodeId: 'n1' }))).toEqual(['a', 'c', 'd']);
    expect(ids(await registry.list({ tenantId: 't1' }))).toEqual(['a', 'b', 'd']);
    expect(ids(await registry.list({ nodeId: 'n1', tenantId: 't1' }))).toEqual(['a', 'd']);
    expect(ids(await registry.list({ nodeId: 'n3' }))).toEqual([]);
  });

  it('hands out copies: changing one changes nothing stored', async () => {
    const registry = new LocalSandboxRegistry();
    await registry.put(sampleRecord('a'));
    const copy = await registry.findByConversation('t1', 'conv-a');
    if (!copy) throw new Error('not found');
    copy.tenantId = 't9';
    expect((await registry.get('a'))?.tenantId).toBe('t1');
    expect(await registry.list({ tenantId: 't9' })).toEqual([]);
  });
});
