import type { CredentialKind } from './principal.js';
export type TicketKind = 'conversation' | 'run';

/** A ticket as stored: never the ticket itself, only its sha-256 hash. */
export interface StoredTicket {
  id: string;
  /** sha-256 (hex) of the plain ticket. */
  hash: string;
  kind: TicketKind;
  tenantId: string;
  conversationId: string;
  runId: string | null;
  /** The key that issued it: budgets and connection caps stay the issuer's. */
  issuer: {
    keyId: string;
    actor: string;
    /** How the issuer authenticated; an `api_key` issuer is checked at every use (a revoked key ends its tickets). */
    credential?: CredentialKind;
  };
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms; the store may keep the record a little longer so a late use is told "expired". */
  expiresAt: number;
}

/** Where tickets live: in-process for one node, Redis for a fleet (a ticket issued on one node works on all). */
export interface TicketStore {
  /** Keeps the ticket for `ttlMs`, then forgets it. */
  put(ticket: StoredTicket, ttlMs: number): Promise<void>;
  findByHash(hash: string): Promise<StoredTicket | undefined>;
  findById(id: string): Promise<StoredTicket | undefined>;
  /** Marks a single-use ticket used: true for exactly one caller, fleet-wide; false ever after. */
  claim(hash: string, ttlMs: number): Promise<boolean>;
  /** Forgets the ticket (revocation); false when there was none. */
  remove(id: string): Promise<boolean>;
}
