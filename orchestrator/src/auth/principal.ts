/** A ticket's narrowing of its issuer: valid only for that conversation (and run). */
export interface PrincipalTicket {
  id: string;
  kind: 'conversation' | 'run';
  conversationId: string;
  runId?: string;
}

/** Which credential the caller presented (the audit log records it beside the actor). */
export type CredentialKind = 'api_key' | 'bootstrap_key' | 'jwt' | 'ticket';

/** Who is calling: an admin key (bootstrap or created), a key scoped to one tenant, or a JWT that maps to either. */
export interface Principal {
  scope: 'admin' | 'tenant';
  tenantId: string | null;
  /**
   * Stable id of the credential, the key of rate limits and connection caps (created keys: their row id;
   * bootstrap keys: `bootstrap:<sha-256 fragment>`; JWTs: `jwt:<issuer hash>:<subject>`).
   */
  keyId: string;
  credential: CredentialKind;
  /** A JWT's subject (its user claim). */
  subject?: string;
  /** For the audit log. */
  actor: string;
  /** Set when the caller presented a ticket: it acts as the ticket's issuer, narrowed to the ticket's target. */
  ticket?: PrincipalTicket;
}
