import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric agentd exports, created once in the composition root. */
export class Metrics {
  readonly registry = new Registry();

  readonly poolClaims = new Counter({
    name: 'agentd_sandbox_pool_claims_total',
    help: 'Warm-pool claims by result (hit: a warm sandbox was handed out; miss: none was ready).',
    labelNames: ['profile', 'result'] as const,
    registers: [this.registry],
  });

  readonly reaps = new Counter({
    name: 'agentd_sandbox_reaps_total',
    help: 'Sandboxes removed, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly allocationSeconds = new Histogram({
    name: 'agentd_sandbox_allocation_seconds',
    help: 'Time to hand a sandbox to a run, by source (reuse, pool, cold).',
    labelNames: ['source'] as const,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly sandboxStartFailures = new Counter({
    name: 'agentd_sandbox_start_failures_total',
    help: 'Sandboxes that failed to start or to call home in time.',
    registers: [this.registry],
  });

  readonly egressConnections = new Counter({
    name: 'agentd_egress_connections_total',
    help: 'Egress connection attempts from sandboxes, by verdict (allowed, denied).',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });

  readonly egressBytes = new Counter({
    name: 'agentd_egress_bytes_total',
    help: 'Bytes carried by egress connections, by direction (in: to the sandbox, out: to the internet).',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly runsStarted = new Counter({
    name: 'agentd_runs_started_total',
    help: 'Runs started on this node.',
    registers: [this.registry],
  });

  readonly runsFinished = new Counter({
    name: 'agentd_runs_finished_total',
    help: 'Runs ended on this node, by outcome (succeeded, failed, cancelled, interrupted).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly modelCalls = new Counter({
    name: 'agentd_model_calls_total',
    help: 'Model gateway calls by provider and result.',
    labelNames: ['provider', 'result'] as const,
    registers: [this.registry],
  });

  readonly mcpCalls = new Counter({
    name: 'agentd_mcp_calls_total',
    help: 'MCP tool calls by tenant, server and result (ok, tool_error: the tool said it failed, error: the call failed).',
    labelNames: ['tenant', 'server', 'result'] as const,
    registers: [this.registry],
  });

  readonly mcpCallSeconds = new Histogram({
    name: 'agentd_mcp_call_seconds',
    help: 'MCP tool call latency by tenant and server.',
    labelNames: ['tenant', 'server'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly modelTokens = new Counter({
    name: 'agentd_model_tokens_total',
    help: 'Tokens reported by model providers, by kind (input, output).',
    labelNames: ['provider', 'kind'] as const,
    registers: [this.registry],
  });

  readonly modelCallSeconds = new Histogram({
    name: 'agentd_model_call_seconds',
    help: 'Duration of model gateway calls.',
    labelNames: ['provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  readonly workspaceSyncs = new Counter({
    name: 'agentd_workspace_syncs_total',
    help: 'Workspace syncs by direction (in, out) and result (ok, skipped, unchanged, limit, failed).',
    labelNames: ['direction', 'result'] as const,
    registers: [this.registry],
  });

  readonly workspaceSyncBytes = new Counter({
    name: 'agentd_workspace_sync_bytes_total',
    help: 'File bytes moved between sandboxes and the workspace store, by direction.',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly workspaceSyncFiles = new Counter({
    name: 'agentd_workspace_sync_files_total',
    help: 'Files moved between sandboxes and the workspace store, by direction.',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly workspaceSyncSeconds = new Histogram({
    name: 'agentd_workspace_sync_seconds',
    help: 'Duration of workspace syncs, by direction.',
    labelNames: ['direction'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly workspaceSkippedEntries = new Counter({
    name: 'agentd_workspace_skipped_entries_total',
    help: 'Workspace entries never exported (symlinks, devices, FIFOs, sockets, bad names), by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'agentd_errors_total',
    help: 'Errors by stable code and where they ended: api (an HTTP error response) or run (a run that ended with an error event).',
    labelNames: ['code', 'source'] as const,
    registers: [this.registry],
  });

  readonly runFirstEventSeconds = new Histogram({
    name: 'agentd_run_first_event_seconds',
    help: 'Time from a run’s start to its first event after run_start and allocating (sandbox, sync-in and the first model output).',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly modelCostUsd = new Counter({
    name: 'agentd_model_cost_usd_total',
    help: 'Model cost of ended runs in USD, by model (for dashboards: billing reads the exact usage rows).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics: boolean } = { defaultMetrics: false }) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'agentd_' });
  }

  /** Adds a gauge whose values are computed at scrape time (for example sandboxes by state, from the registry). */
  computedGauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => Promise<{ labels: Record<string, string>; value: number }[]>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const sample of await collect()) this.set(sample.labels, sample.value);
      },
    });
  }
}
