/** Labels on everything agentd creates (docs/architecture.md: hardening). agentd never touches a container without MANAGED. */
export const LABELS = {
  managed: 'agentd.managed',
  node: 'agentd.node',
  tenant: 'agentd.tenant',
  conversation: 'agentd.conversation',
  profile: 'agentd.profile',
  profileVersion: 'agentd.profile.version',
  pool: 'agentd.pool',
  created: 'agentd.created',
  sandboxId: 'agentd.sandbox',
  limits: 'agentd.limits',
} as const;

export const MANAGED_FILTER = `${LABELS.managed}=true`;
