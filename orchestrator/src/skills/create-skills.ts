import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Logger } from '../common/logger.js';
import type { AuditService } from '../controlplane/audit-service.js';
import type { WorkspaceStore } from '../storage/workspace-store.js';
import type { Store } from '../store/repositories.js';
import { SkillDelivery } from './skill-delivery.js';
import { SKILL_LIMITS } from './skill-limits.js';
import { SkillObjects } from './skill-objects.js';
import { SkillService } from './skill-service.js';

export interface SkillsDependencies {
  store: Store;
  /** The workspace store: skill archives live beside workspaces, under their own prefix. */
  objects: WorkspaceStore;
  audit: AuditService;
  callHome: CallHomeServer;
  logger: Logger;
}

/** Agent Skills for the composition root: the API service and the delivery into sandboxes before runs. */
export function createSkills(deps: SkillsDependencies): { service: SkillService; delivery: SkillDelivery } {
  const service = new SkillService({
    store: deps.store,
    objects: new SkillObjects(deps.objects),
    audit: deps.audit,
    limits: SKILL_LIMITS,
    logger: deps.logger,
  });
  const delivery = new SkillDelivery({
    store: deps.store,
    skills: service,
    callHome: deps.callHome,
    timeoutMs: 60_000,
    logger: deps.logger,
  });
  return { service, delivery };
}
