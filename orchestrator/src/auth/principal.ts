/** Who is calling: an admin key (bootstrap or created), or a key scoped to one tenant. */
export interface Principal {
  scope: 'admin' | 'tenant';
  tenantId: string | null;
  /** Stable id of the key (created keys: their row id; bootstrap keys: `bootstrap:<sha-256 fragment>`). */
  keyId: string;
  /** For the audit log. */
  actor: string;
}
