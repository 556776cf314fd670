import type { CredentialKind } from '../auth/principal.js';
import type { Logger } from '../common/logger.js';
import type { AuditEntry } from '../store/entities.js';
import type { Page, PageRequest, Store } from '../store/repositories.js';

export interface AuditContext {
  /** The credential that acted. */
  actor: string;
  /** The person the caller says acts through it (X-Admin-ID), sanitised; recorded beside the credential. */
  person?: string | null;
  requestId: string | null;
  /** Which credential the actor presented (an API key, a bootstrap key, a JWT, a ticket). */
  credential?: CredentialKind;
}

/** Records every admin action (who, what, on what, with which request) for the security team. */
export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  async record(
    context: AuditContext,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
  ): Promise<AuditEntry> {
    const { credential } = context;
    const entry = await this.store.audit.record({
      actor: context.actor,
      person: context.person ?? null,
      action,
      target,
      details: credential === undefined ? details : { ...details, credential },
      requestId: context.requestId,
    });
    this.logger.info(
      {
        audit: {
          action,
          target,
          actor: context.actor,
          ...(context.person ? { person: context.person } : {}),
          credential,
        },
        requestId: context.requestId,
      },
      'Audit',
    );
    return entry;
  }

  list(page: PageRequest, filter: { actor?: string; action?: string }): Promise<Page<AuditEntry>> {
    return this.store.audit.list(page, filter);
  }
}
