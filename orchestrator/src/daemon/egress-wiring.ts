import dns from 'node:dns';
import type { SandboxEgressView } from '../audit/audit-types.js';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { NO_EGRESS, type EgressPolicy } from '../config/egress-policy.js';
import { EgressAuditWriter } from '../egress/egress-audit-writer.js';
import { EgressGateway, type TlsInterceptor } from '../egress/egress-gateway.js';
import { resolveEgressPolicy } from '../egress/egress-policy-issues.js';
import type { Metrics } from '../metrics/metrics.js';
import { OutboundGuard, type LookupFn, type ProtectedEndpoint } from '../outbound/outbound-guard.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { RunService } from '../runs/run-service.js';
import type { Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

/** The egress policy of a run: the tenant's override, else its profile's in the live lifecycle policy. */
export function egressPolicyOf(
  policy: PolicyService,
  defaultProfile: string,
): (tenant: Tenant, profile: string | undefined) => EgressPolicy {
  return (tenant, profile) =>
    tenant.policy.egress !== undefined
      ? resolveEgressPolicy(tenant.policy.egress)
      : (policy.state.effective.egress[profile ?? defaultProfile] ?? NO_EGRESS);
}

/** What the isolation audit reports about a sandbox's egress, read from the same policies a run uses. */
export function sandboxEgressView(
  store: Store,
  policy: PolicyService,
  defaultProfile: string,
): (tenantId: string | null, profile: string | null) => Promise<SandboxEgressView> {
  const of = egressPolicyOf(policy, defaultProfile);
  return async (tenantId, profile) => {
    const tenant = tenantId === null ? undefined : await store.tenants.get(tenantId);
    const profileName = profile ?? tenant?.policy.profile ?? defaultProfile;
    const effective = tenant
      ? of(tenant, profileName)
      : (policy.state.effective.egress[profileName] ?? NO_EGRESS);
    const source =
      tenant?.policy.egress !== undefined
        ? 'tenant'
        : policy.state.effective.egress[profileName] !== undefined
          ? 'profile'
          : 'default';
    return {
      mode: effective.mode,
      source,
      allow: effective.allow,
      deny: effective.deny,
      allowAddresses: effective.allowAddresses,
      maxConnections: effective.maxConnections,
      maxBytesPerRun: effective.maxBytesPerRun,
    };
  };
}

/**
 * Endpoints no egress policy reaches: the database, Redis and S3 from the configuration; agentd's own
 * listeners are added once their ports are known (`0` picks one at start).
 */
export function protectedEndpointsOf(config: AgentdConfig): ProtectedEndpoint[] {
  const endpoints: ProtectedEndpoint[] = [];
  const add = (url: string | undefined, defaultPort: number): void => {
    if (url === undefined) return;
    try {
      const parsed = new URL(url);
      endpoints.push({
        host: parsed.hostname.replace(/^\[|\]$/g, ''),
        port: Number(parsed.port || defaultPort),
      });
      endpoints.push({ port: Number(parsed.port || defaultPort) });
    } catch {
      // An unparsable URL was refused by the configuration already.
    }
  };
  add(config.database.url, 5432);
  add(config.redis.url, 6379);
  const store = config.workspace.store;
  if (store.kind === 's3') add(store.endpoint, store.endpoint?.startsWith('http:') ? 80 : 443);
  if (config.http.port !== 0) endpoints.push({ port: config.http.port });
  return endpoints;
}

export interface EgressDeps {
  config: AgentdConfig;
  callHome: CallHomeServer;
  runs: RunService;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  protectedEndpoints: ProtectedEndpoint[];
  interceptor?: TlsInterceptor;
}

/** The egress gateway on the call-home server, its guarded dialer and its batched audit. */
export function createEgress(deps: EgressDeps): { audit: EgressAuditWriter } {
  const { config, logger } = deps;
  const audit = new EgressAuditWriter({
    repository: deps.store.egressAudit,
    logger,
    flushIntervalMs: 1_000,
    maxPending: 10_000,
  });
  const guard = new OutboundGuard({
    protectedEndpoints: deps.protectedEndpoints,
    ...(config.egress.dnsServer !== undefined ? { lookup: resolverLookup(config.egress.dnsServer) } : {}),
  });
  new EgressGateway({
    callHome: deps.callHome,
    findRun: (runId, sandboxId) => deps.runs.findForSandbox(runId, sandboxId),
    warn: (run, code, message) => deps.runs.warn(run, code, message),
    dialer: guard,
    audit,
    metrics: deps.metrics,
    logger,
    interceptor: deps.interceptor,
    firstBytesTimeoutMs: config.egress.firstBytesTimeoutMs,
    idleTimeoutMs: config.egress.idleTimeoutMs,
  });
  return { audit };
}

/** Looks names up at one DNS server (AGENTD_EGRESS_DNS_SERVER), A and AAAA. */
function resolverLookup(server: string): LookupFn {
  const resolver = new dns.promises.Resolver({ timeout: 3_000, tries: 1 });
  resolver.setServers([server]);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const answers = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
    if (answers.length === 0) throw new Error(`no address for ${host}`);
    return answers;
  };
}
