import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { AgentdError, NotFoundError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Run } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import { hashKey } from './api-key-auth.js';
import type { Principal } from './principal.js';
import type { StoredTicket, TicketKind, TicketStore } from './ticket-store.js';

const TICKET_PREFIX = 'agt_';
/** After expiry a record is kept this long more, so a late use is told "expired" rather than "unknown". */
const EXPIRED_KEEP_MS = 5 * 60_000;
const MAX_TICKET_LENGTH = 128;

export interface TicketSettings {
  /** A conversation ticket's life (AGENTD_TICKET_TTL). */
  conversationTtlMs: number;
  /** A run ticket outlives its run's end by this much (RunSettings.disconnectGraceMs). */
  runGraceMs: number;
  /** The most a run ticket can live while its run is still going (the run timeout plus its graces). */
  runMaxTtlMs: number;
}

export interface TicketServiceOptions {
  tickets: TicketStore;
  store: Store;
  clock: Clock;
  settings: TicketSettings;
}

export interface IssuedTicket {
  id: string;
  /** The ticket itself: shown once, stored only as a hash. */
  ticket: string;
  kind: TicketKind;
  conversationId: string;
  runId?: string;
  /** The latest moment it works; a run ticket stops earlier, at its run's end plus the grace. */
  expiresAt: Date;
}

/** What a request names in its path; a ticket works only where all of it matches. */
export interface TicketTarget {
  tenantId?: string | undefined;
  conversationId?: string | undefined;
  runId?: string | undefined;
}

/**
 * Browser credentials: EventSource and a browser WebSocket cannot send headers, so a key holder issues a
 * short-lived ticket that the browser puts in the URL. A ticket acts as its issuer, narrowed to one tenant,
 * conversation (and run); a conversation ticket works once, a run ticket until the run ends plus the grace.
 */
export class TicketService {
  constructor(private readonly options: TicketServiceOptions) {}

  async issueConversationTicket(
    issuer: Principal,
    tenantId: string,
    conversationId: string,
  ): Promise<IssuedTicket> {
    if (!(await this.options.store.conversations.get(tenantId, conversationId)))
      throw new NotFoundError('conversation', conversationId);
    const expiresAt = this.options.clock.now() + this.options.settings.conversationTtlMs;
    return this.#issue(issuer, { kind: 'conversation', tenantId, conversationId, runId: null, expiresAt });
  }

  async issueRunTicket(
    issuer: Principal,
    target: { tenantId: string; conversationId: string; runId: string },
  ): Promise<IssuedTicket> {
    const run = await this.#run(target.tenantId, target.conversationId, target.runId);
    const now = this.options.clock.now();
    const { runGraceMs, runMaxTtlMs } = this.options.settings;
    // A finished run's ticket still allows one replay of its retained events within the grace.
    const expiresAt = run.finishedAt === null ? now + runMaxTtlMs : now + runGraceMs;
    return this.#issue(issuer, { kind: 'run', ...target, expiresAt });
  }

  /** Revokes a ticket of the tenant; another tenant's ticket is "not found", like any foreign resource. */
  async revoke(tenantId: string, ticketId: string): Promise<StoredTicket> {
    const ticket = await this.options.tickets.findById(ticketId);
    if (!ticket || ticket.tenantId !== tenantId) throw new NotFoundError('ticket', ticketId);
    await this.options.tickets.remove(ticketId);
    return ticket;
  }

  /**
   * The principal a ticket stands for, if it is of the kind the route accepts, matches the path and is still
   * valid. A single-use ticket is consumed here, fleet-wide, only once everything else has been checked.
   */
  async authenticate(plain: string, accepts: TicketKind, target: TicketTarget): Promise<Principal> {
    if (plain.length > MAX_TICKET_LENGTH || !plain.startsWith(TICKET_PREFIX))
      throw unauthenticated('ticket_unknown', 'unknown, revoked or expired ticket');
    const hash = hashKey(plain);
    const ticket = await this.options.tickets.findByHash(hash);
    if (!ticket) throw unauthenticated('ticket_unknown', 'unknown, revoked or expired ticket');
    if (ticket.kind !== accepts)
      throw unauthenticated('ticket_kind', `this route accepts only a ${accepts} ticket`);
    const now = this.options.clock.now();
    if (now >= ticket.expiresAt) throw unauthenticated('ticket_expired', 'the ticket has expired');
    if (target.tenantId !== undefined && target.tenantId !== ticket.tenantId)
      throw new NotFoundError('tenant', target.tenantId);
    if (target.conversationId !== ticket.conversationId)
      throw new NotFoundError('conversation', target.conversationId ?? '');
    // A ticket acts as its issuer, so it cannot outlive the issuer's key (JWT and bootstrap issuers have none).
    if (ticket.issuer.credential === 'api_key') {
      const key = await this.options.store.apiKeys.get(ticket.issuer.keyId);
      if (!key || key.revokedAt !== null)
        throw unauthenticated('issuer_revoked', 'the key that issued this ticket was revoked');
    }
    if (ticket.kind === 'run') {
      if (target.runId !== ticket.runId) throw new NotFoundError('run', target.runId ?? '');
      const run = await this.#run(ticket.tenantId, ticket.conversationId, ticket.runId);
      // Issued after the run ended (to replay it), a ticket gets the grace from its issue instead.
      const endedAt = run.finishedAt === null ? null : Math.max(run.finishedAt.getTime(), ticket.issuedAt);
      if (endedAt !== null && now >= endedAt + this.options.settings.runGraceMs) {
        throw unauthenticated('run_ended', 'the run has ended and its ticket with it');
      }
    } else if (!(await this.options.tickets.claim(hash, ticket.expiresAt - now + EXPIRED_KEEP_MS))) {
      throw unauthenticated('ticket_used', 'the ticket was already used (a conversation ticket works once)');
    }
    return {
      scope: 'tenant',
      tenantId: ticket.tenantId,
      keyId: ticket.issuer.keyId,
      credential: 'ticket',
      actor: `ticket:${ticket.id} (by ${ticket.issuer.actor})`,
      ticket: {
        id: ticket.id,
        kind: ticket.kind,
        conversationId: ticket.conversationId,
        ...(ticket.runId === null ? {} : { runId: ticket.runId }),
      },
    };
  }

  async #issue(
    issuer: Principal,
    fields: Omit<StoredTicket, 'id' | 'hash' | 'issuer' | 'issuedAt'>,
  ): Promise<IssuedTicket> {
    // A ticket must not widen what its issuer may do: a ticket cannot issue another one.
    if (issuer.ticket) throw new AgentdError('FORBIDDEN', 'a ticket cannot issue tickets');
    const plain = `${TICKET_PREFIX}${randomBytes(32).toString('base64url')}`;
    const stored: StoredTicket = {
      ...fields,
      id: `tkt_${randomId(20)}`,
      hash: hashKey(plain),
      issuedAt: this.options.clock.now(),
      issuer: { keyId: issuer.keyId, actor: issuer.actor, credential: issuer.credential },
    };
    const ttlMs = stored.expiresAt - this.options.clock.now() + EXPIRED_KEEP_MS;
    await this.options.tickets.put(stored, ttlMs);
    return {
      id: stored.id,
      ticket: plain,
      kind: stored.kind,
      conversationId: stored.conversationId,
      ...(stored.runId === null ? {} : { runId: stored.runId }),
      expiresAt: new Date(stored.expiresAt),
    };
  }

  async #run(tenantId: string, conversationId: string, runId: string | null): Promise<Run> {
    const run = runId === null ? undefined : await this.options.store.runs.get(tenantId, runId);
    if (!run || run.conversationId !== conversationId) throw new NotFoundError('run', runId ?? '');
    return run;
  }
}

function unauthenticated(reason: string, message: string): AgentdError {
  return new AgentdError('UNAUTHENTICATED', message, { details: { reason } });
}
