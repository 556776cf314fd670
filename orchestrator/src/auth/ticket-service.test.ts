import { describe, expect, it } from 'vitest';
import type { AgentdError } from '../common/errors.js';
import type { ApiKey, Conversation, Run } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { Principal } from './principal.js';
import { TicketService } from './ticket-service.js';
import type { StoredTicket, TicketStore } from './ticket-store.js';

const GRACE = 30_000;
const TTL = 60_000;

class FakeClock {
  t = 1_800_000_000_000;
  now(): number {
    return this.t;
  }
}

/** The store contract in memory (the coordination contract suite tests the real ones). */
class MemoryTickets implements TicketStore {
  readonly byHash = new Map<string, StoredTicket>();
  readonly claimed = new Set<string>();
  put(ticket: StoredTicket): Promise<void> {
    this.byHash.set(ticket.hash, ticket);
    return Promise.resolve();
  }
  findByHash(hash: string): Promise<StoredTicket | undefined> {
    return Promise.resolve(this.byHash.get(hash));
  }
  findById(id: string): Promise<StoredTicket | undefined> {
    return Promise.resolve([...this.byHash.values()].find((t) => t.id === id));
  }
  claim(hash: string): Promise<boolean> {
    if (this.claimed.has(hash)) return Promise.resolve(false);
    this.claimed.add(hash);
    return Promise.resolve(true);
  }
  async remove(id: string): Promise<boolean> {
    const ticket = await this.findById(id);
    return ticket ? this.byHash.delete(ticket.hash) : false;
  }
}

function setUp() {
  const clock = new FakeClock();
  const runs = new Map<string, Run>();
  const keys = new Map<string, ApiKey>([['k1', { id: 'k1', revokedAt: null } as ApiKey]]);
  const store = {
    apiKeys: { get: (id: string) => Promise.resolve(keys.get(id)) },
    conversations: {
      get: (tenantId: string, id: string) =>
        Promise.resolve(tenantId === 't1' && id === 'c1' ? ({ id } as Conversation) : undefined),
    },
    runs: {
      get: (tenantId: string, id: string) => Promise.resolve(tenantId === 't1' ? runs.get(id) : undefined),
    },
  } as unknown as Store;
  runs.set('r1', { id: 'r1', conversationId: 'c1', finishedAt: null } as Run);
  const tickets = new MemoryTickets();
  const service = new TicketService({
    tickets,
    store,
    clock,
    settings: { conversationTtlMs: TTL, runGraceMs: GRACE, runMaxTtlMs: 3_600_000 },
  });
  const issuer: Principal = {
    scope: 'admin',
    tenantId: null,
    keyId: 'k1',
    credential: 'api_key',
    actor: 'key:k1(ops)',
  };
  const end = (runId: string) => {
    const run = runs.get(runId);
    if (run) run.finishedAt = new Date(clock.now());
  };
  const revokeKey = (id: string) => {
    const key = keys.get(id);
    if (key) keys.set(id, { ...key, revokedAt: new Date(clock.now()) });
  };
  return { clock, service, tickets, issuer, end, revokeKey };
}

async function reason(promise: Promise<unknown>): Promise<string> {
  const err = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as AgentdError | undefined;
  if (!err) throw new Error('expected a refusal');
  return `${err.code}:${String(err.details?.reason ?? err.details?.what)}`;
}

describe('TicketService', () => {
  it('stores only a hash, and a ticket acts as its issuer narrowed to the tenant and conversation', async () => {
    const { service, tickets, issuer } = setUp();
    const issued = await service.issueConversationTicket(issuer, 't1', 'c1');
    expect(issued.ticket).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    expect(issued.id).toMatch(/^tkt_/);
    expect(JSON.stringify([...tickets.byHash])).not.toContain(issued.ticket);
    const principal = await service.authenticate(issued.ticket, 'conversation', {
      tenantId: 't1',
      conversationId: 'c1',
    });
    expect(principal).toEqual({
      scope: 'tenant',
      tenantId: 't1',
      keyId: 'k1',
      credential: 'ticket',
      actor: `ticket:${issued.id} (by key:k1(ops))`,
      ticket: { id: issued.id, kind: 'conversation', conversationId: 'c1' },
    });
  });

  it('a conversation ticket works once, until its TTL, only on its own conversation', async () => {
    const { service, issuer, clock } = setUp();
    const a = await service.issueConversationTicket(issuer, 't1', 'c1');
    const target = { tenantId: 't1', conversationId: 'c1' };
    expect(
      await reason(service.authenticate(a.ticket, 'conversation', { ...target, conversationId: 'c2' })),
    ).toBe('NOT_FOUND:conversation');
    expect(await reason(service.authenticate(a.ticket, 'conversation', { ...target, tenantId: 't2' }))).toBe(
      'NOT_FOUND:tenant',
    );
    expect(await reason(service.authenticate(a.ticket, 'run', { ...target, runId: 'r1' }))).toBe(
      'UNAUTHENTICATED:ticket_kind',
    );
    // None of the refusals above used it up.
    await service.authenticate(a.ticket, 'conversation', target);
    expect(await reason(service.authenticate(a.ticket, 'conversation', target))).toBe(
      'UNAUTHENTICATED:ticket_used',
    );

    const b = await service.issueConversationTicket(issuer, 't1', 'c1');
    clock.t += TTL;
    expect(await reason(service.authenticate(b.ticket, 'conversation', target))).toBe(
      'UNAUTHENTICATED:ticket_expired',
    );
    expect(await reason(service.authenticate('agt_unknown', 'conversation', target))).toBe(
      'UNAUTHENTICATED:ticket_unknown',
    );
  });

  it('a run ticket is reusable until its run ends plus the grace, and bound to that run', async () => {
    const { service, issuer, clock, end } = setUp();
    const target = { tenantId: 't1', conversationId: 'c1', runId: 'r1' };
    const t = await service.issueRunTicket(issuer, target);
    expect(t).toMatchObject({ kind: 'run', runId: 'r1', conversationId: 'c1' });
    await service.authenticate(t.ticket, 'run', target);
    await service.authenticate(t.ticket, 'run', target);
    expect(await reason(service.authenticate(t.ticket, 'run', { ...target, runId: 'r2' }))).toBe(
      'NOT_FOUND:run',
    );
    end('r1');
    clock.t += GRACE - 1;
    await service.authenticate(t.ticket, 'run', target);
    clock.t += 1;
    expect(await reason(service.authenticate(t.ticket, 'run', target))).toBe('UNAUTHENTICATED:run_ended');
    // Issued after the end, a ticket still allows a replay within the grace from its issue.
    const late = await service.issueRunTicket(issuer, target);
    await service.authenticate(late.ticket, 'run', target);
    clock.t += GRACE;
    expect(await reason(service.authenticate(late.ticket, 'run', target))).toBe(
      'UNAUTHENTICATED:ticket_expired',
    );
  });

  it('refuses tickets for runs and conversations the tenant does not have, and tickets issued by tickets', async () => {
    const { service, issuer } = setUp();
    expect(
      await reason(service.issueRunTicket(issuer, { tenantId: 't1', conversationId: 'c1', runId: 'nope' })),
    ).toBe('NOT_FOUND:run');
    expect(
      await reason(service.issueRunTicket(issuer, { tenantId: 't1', conversationId: 'c9', runId: 'r1' })),
    ).toBe('NOT_FOUND:run');
    expect(
      await reason(service.issueRunTicket(issuer, { tenantId: 't2', conversationId: 'c1', runId: 'r1' })),
    ).toBe('NOT_FOUND:run');
    expect(await reason(service.issueConversationTicket(issuer, 't2', 'c1'))).toBe('NOT_FOUND:conversation');
    const t = await service.issueConversationTicket(issuer, 't1', 'c1');
    const viaTicket = await service.authenticate(t.ticket, 'conversation', {
      tenantId: 't1',
      conversationId: 'c1',
    });
    expect(await reason(service.issueConversationTicket(viaTicket, 't1', 'c1'))).toBe('FORBIDDEN:undefined');
  });

  it('revokes a ticket of the tenant only', async () => {
    const { service, issuer } = setUp();
    const t = await service.issueConversationTicket(issuer, 't1', 'c1');
    expect(await reason(service.revoke('t2', t.id))).toBe('NOT_FOUND:ticket');
    await service.revoke('t1', t.id);
    expect(await reason(service.revoke('t1', t.id))).toBe('NOT_FOUND:ticket');
    expect(
      await reason(service.authenticate(t.ticket, 'conversation', { tenantId: 't1', conversationId: 'c1' })),
    ).toBe('UNAUTHENTICATED:ticket_unknown');
  });

  it("ends an API key's tickets when the key is revoked; a JWT issuer has no key to look up", async () => {
    const { service, issuer, revokeKey } = setUp();
    const runTicket = await service.issueRunTicket(issuer, {
      tenantId: 't1',
      conversationId: 'c1',
      runId: 'r1',
    });
    const target = { tenantId: 't1', conversationId: 'c1', runId: 'r1' };
    await service.authenticate(runTicket.ticket, 'run', target);
    const fromJwt = await service.issueRunTicket(
      { ...issuer, keyId: 'jwt:abc:alice', credential: 'jwt', actor: 'jwt:alice' },
      { tenantId: 't1', conversationId: 'c1', runId: 'r1' },
    );
    revokeKey('k1');
    expect(await reason(service.authenticate(runTicket.ticket, 'run', target))).toBe(
      'UNAUTHENTICATED:issuer_revoked',
    );
    await expect(service.authenticate(fromJwt.ticket, 'run', target)).resolves.toMatchObject({
      keyId: 'jwt:abc:alice',
    });
  });
});
