import type { McpCallResult } from '@agentd/sandbox-runner/protocol';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ToolSpec } from '../model/model-provider.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { RecordedToolUse } from '../runs/run-tools.js';
import type { McpServer } from '../store/mcp-server.js';
import type { McpConnection } from './mcp-connection.js';
import type { McpConnector } from './mcp-connector.js';
import { describeMcpFailure } from './mcp-failure.js';
import { errorResult, toCallResult, type ResultLimits } from './mcp-result.js';
import { exposedToolName } from './tool-names.js';

export interface McpSessionLimits {
  defaultTimeoutMs: number;
  /** Tools kept from one server; a server listing more is cut with a warning. */
  maxToolsPerServer: number;
  /** Bytes of a tool's description and of its input schema the model is given. */
  maxDescriptionChars: number;
  maxSchemaBytes: number;
  images: Omit<ResultLimits, 'textBytes'>;
}

interface ServerState {
  server: McpServer;
  timeoutMs: number;
  connection?: McpConnection;
  /** Why the server is out of this run (it is not retried within the run). */
  failed?: string;
  /** The tools offered, as the model sees them and by the server's own name. */
  tools: { spec: ToolSpec; tool: string }[];
  /** A `tools/list_changed` arrived: list again before the next model call. */
  stale: boolean;
}

interface ExposedTool {
  state: ServerState;
  tool: string;
}

/** Why agentd refused to execute a call (made up, replayed, or not this turn's). */
export class McpCallRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

export interface McpRunSessionDeps {
  connector: McpConnector;
  limits: McpSessionLimits;
  metrics: Metrics;
  log: Logger;
  /** A `warning` event on the run (a server left out, a tool list cut). */
  warn: (message: string) => Promise<void>;
}

/**
 * A run's MCP servers: connected once (lazily, before the first model call), tool lists cached and refreshed
 * on `tools/list_changed`, and calls executed only for the tool uses the gateway recorded in the current turn.
 * A server that fails is a tool error or a left-out server, never a failed run.
 */
export class McpRunSession {
  readonly #states: ServerState[];
  #exposed = new Map<string, ExposedTool>();
  readonly #pending = new Map<string, RecordedToolUse>();
  #opened: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly run: ActiveRun,
    servers: McpServer[],
    private readonly deps: McpRunSessionDeps,
  ) {
    this.#states = servers.map((server) => ({
      server,
      timeoutMs: server.timeoutMs ?? deps.limits.defaultTimeoutMs,
      tools: [],
      stale: true,
    }));
  }

  async specs(): Promise<ToolSpec[]> {
    this.#opened ??= Promise.all(this.#states.map((s) => this.#open(s))).then(() => undefined);
    await this.#opened;
    await Promise.all(this.#states.filter((s) => s.stale && s.connection).map((s) => this.#list(s)));
    const exposed = new Map<string, ExposedTool>();
    const specs: ToolSpec[] = [];
    for (const state of this.#states) {
      for (const { spec, tool } of state.tools) {
        exposed.set(spec.name, { state, tool });
        specs.push(spec);
      }
    }
    this.#exposed = exposed;
    return specs;
  }

  knows(name: string): boolean {
    return this.#exposed.has(name);
  }

  beginTurn(): void {
    this.#pending.clear();
  }

  record(use: RecordedToolUse): void {
    this.#pending.set(use.toolUseId, { toolUseId: use.toolUseId, name: use.name, input: use.input });
  }

  /** Executes a recorded tool use once; anything else is refused (McpCallRefused). */
  async call(request: RecordedToolUse): Promise<McpCallResult> {
    const recorded = this.#pending.get(request.toolUseId);
    if (!recorded) throw new McpCallRefused(`tool use ${request.toolUseId} is not one of this turn's`);
    if (recorded.name !== request.name || JSON.stringify(recorded.input) !== JSON.stringify(request.input))
      throw new McpCallRefused(`tool use ${request.toolUseId} does not match what the model asked for`);
    // Single use: a replayed id finds nothing.
    this.#pending.delete(request.toolUseId);
    const exposed = this.#exposed.get(recorded.name);
    if (!exposed) throw new McpCallRefused(`${recorded.name} is not one of this run's tools`);
    return this.#execute(exposed, recorded.input);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#states.map(async (s) => s.connection?.close()));
  }

  async #execute({ state, tool }: ExposedTool, input: unknown): Promise<McpCallResult> {
    const labels = { tenant: state.server.tenantId, server: state.server.name };
    const started = performance.now();
    const finish = (result: McpCallResult, outcome: string): McpCallResult => {
      this.deps.metrics.mcpCalls.inc({ ...labels, result: outcome });
      this.deps.metrics.mcpCallSeconds.observe(labels, (performance.now() - started) / 1000);
      return result;
    };
    if (!state.connection)
      return finish(errorResult(`MCP server ${state.server.name} is unavailable`), 'error');
    const args =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? (input as Record<string, unknown>)
        : {};
    try {
      const result = await state.connection.callTool(tool, args, state.timeoutMs, this.run.signal);
      const mapped = toCallResult(result, {
        textBytes: this.run.limits.toolOutputBytes,
        ...this.deps.limits.images,
      });
      return finish(mapped, mapped.isError ? 'tool_error' : 'ok');
    } catch (err) {
      const reason = describeMcpFailure(err, state.timeoutMs);
      // The details stay in agentd's log: a server's error body is never shown to the model.
      this.deps.log.warn({ err, server: state.server.name, tool, reason }, 'MCP tool call failed');
      return finish(errorResult(`MCP server ${state.server.name} failed: ${reason}`), 'error');
    }
  }

  async #open(state: ServerState): Promise<void> {
    const { server } = state;
    try {
      const connection =
        server.transport === 'http'
          ? await this.deps.connector.http(server, state.timeoutMs)
          : await this.deps.connector.stdio(server, this.run, state.timeoutMs);
      if (this.#closed) {
        await connection.close();
        return;
      }
      connection.onToolsChanged = () => {
        state.stale = true;
      };
      state.connection = connection;
      await this.#list(state);
    } catch (err) {
      state.failed = describeMcpFailure(err, state.timeoutMs);
      this.deps.log.warn(
        { err, server: server.name, reason: state.failed },
        'MCP server left out of the run',
      );
      await this.deps.warn(`MCP server ${server.name} is unavailable for this run: ${state.failed}`);
    }
  }

  async #list(state: ServerState): Promise<void> {
    const { limits } = this.deps;
    const connection = state.connection;
    if (!connection) return;
    state.stale = false;
    try {
      const listing = await connection.listTools(limits.maxToolsPerServer, state.timeoutMs);
      const allowed = state.server.allowedTools;
      const tools = allowed === null ? listing.tools : listing.tools.filter((t) => allowed.includes(t.name));
      state.tools = tools.flatMap((tool) => this.#spec(state.server.name, tool));
      if (listing.capped)
        await this.deps.warn(
          `MCP server ${state.server.name} lists more than ${limits.maxToolsPerServer} tools; only the first ${limits.maxToolsPerServer} are offered`,
        );
    } catch (err) {
      state.tools = [];
      state.failed = describeMcpFailure(err, state.timeoutMs);
      this.deps.log.warn({ err, server: state.server.name }, 'MCP tool listing failed');
      await this.deps.warn(`MCP server ${state.server.name} did not list its tools: ${state.failed}`);
    }
  }

  #spec(server: string, tool: Tool): { spec: ToolSpec; tool: string }[] {
    const schema = JSON.stringify(tool.inputSchema);
    if (Buffer.byteLength(schema) > this.deps.limits.maxSchemaBytes) {
      this.deps.log.warn({ server, tool: tool.name }, 'MCP tool left out: input schema too large');
      return [];
    }
    const description = (tool.description ?? tool.title ?? '').slice(0, this.deps.limits.maxDescriptionChars);
    const spec: ToolSpec = {
      name: exposedToolName(server, tool.name),
      description: description === '' ? tool.name : description,
      inputSchema: tool.inputSchema,
    };
    return [{ spec, tool: tool.name }];
  }
}
