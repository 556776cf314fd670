import type { Logger } from '../common/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ToolSpec } from '../model/model-provider.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { RecordedToolUse, RunTools } from '../runs/run-tools.js';
import type { Store } from '../store/repositories.js';
import type { McpConnector } from './mcp-connector.js';
import { McpRunSession, type McpSessionLimits } from './mcp-run-session.js';

export interface McpRunToolsOptions {
  store: Store;
  connector: McpConnector;
  limits: McpSessionLimits;
  metrics: Metrics;
  logger: Logger;
  /** A `warning` event (code MCP_ERROR) on the run's stream. */
  warn: (run: ActiveRun, message: string) => Promise<void>;
}

/** The gateway's MCP tools: one session per active run, opened at its first model call, closed as it finishes. */
export class McpRunTools implements RunTools {
  readonly #sessions = new Map<string, Promise<McpRunSession | undefined>>();
  readonly #ready = new Map<string, McpRunSession>();
  readonly #log: Logger;

  constructor(private readonly options: McpRunToolsOptions) {
    this.#log = options.logger.child({ component: 'mcp' });
  }

  async specsFor(run: ActiveRun): Promise<ToolSpec[]> {
    try {
      const session = await this.#session(run);
      return session ? await session.specs() : [];
    } catch (err) {
      // The built-in tools still work: MCP trouble never fails a run.
      this.#log.error({ err, runId: run.id }, 'MCP tools unavailable for this model call');
      return [];
    }
  }

  knows(run: ActiveRun, name: string): boolean {
    return this.#ready.get(run.id)?.knows(name) ?? false;
  }

  beginTurn(run: ActiveRun): void {
    this.#ready.get(run.id)?.beginTurn();
  }

  recordToolUse(run: ActiveRun, use: RecordedToolUse): void {
    this.#ready.get(run.id)?.record(use);
  }

  /** The session of an active run, if it has MCP tools (undefined: nothing to call). */
  sessionOf(run: ActiveRun): McpRunSession | undefined {
    return this.#ready.get(run.id);
  }

  #session(run: ActiveRun): Promise<McpRunSession | undefined> {
    let session = this.#sessions.get(run.id);
    if (!session) {
      session = this.#open(run);
      this.#sessions.set(run.id, session);
    }
    return session;
  }

  async #open(run: ActiveRun): Promise<McpRunSession | undefined> {
    const all = await this.options.store.mcpServers.list(run.tenant.id);
    const picked = run.conversation.mcpServers;
    const servers = all.filter((s) => s.enabled && (picked === null || picked.includes(s.name)));
    if (servers.length === 0 || run.finishingSignal.aborted) return undefined;
    const log = this.#log.child({ runId: run.id, tenantId: run.tenant.id });
    const session = new McpRunSession(run, servers, {
      connector: this.options.connector,
      limits: this.options.limits,
      metrics: this.options.metrics,
      log,
      warn: (message) =>
        this.options.warn(run, message).catch((err: unknown) => log.warn({ err }, 'Lost an MCP warning')),
    });
    this.#ready.set(run.id, session);
    run.finishingSignal.addEventListener(
      'abort',
      () => {
        this.#sessions.delete(run.id);
        this.#ready.delete(run.id);
        void session.close();
      },
      { once: true },
    );
    return session;
  }
}
