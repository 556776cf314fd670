/** A ticket's narrowing of its issuer: valid only for that conversation (and run). */
export interface PrincipalTicket {
  id: string;
  kind: 'conversation' | 'run';
  conversationId: string;
  runId?: string;
}

/** Who is calling: an admin key (bootstrap or created), or a key scoped to one tenant. */
export interface Principal {
  scope: 'admin' | 'tenant';
  tenantId: string | null;
  /** Stable id of the key (created keys: their row id; bootstrap keys: `bootstrap:<sha-256 fragment>`). */
  keyId: string;
  /** For the audit log. */
  actor: string;
  /** Set when the caller presented a ticket: it acts as the ticket's issuer, narrowed to the ticket's target. */
  ticket?: PrincipalTicket;
}
