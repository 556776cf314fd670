import type { EgressAuditRecord } from '../store/entities.js';
import type { EgressAuditRepository, Page, PageRequest } from '../store/repositories.js';

export interface EgressAuditFilter {
  tenantId?: string;
  runId?: string;
  verdict?: 'allowed' | 'denied';
}

/** Reads the egress audit (`GET /api/audit/egress`). */
export class EgressAuditService {
  constructor(private readonly repository: EgressAuditRepository) {}

  list(page: PageRequest, filter: EgressAuditFilter = {}): Promise<Page<EgressAuditRecord>> {
    return this.repository.list(page, filter);
  }
}
