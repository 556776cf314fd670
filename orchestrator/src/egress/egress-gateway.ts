import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptUpgrade, type CallHomeServer, type UpgradeContext } from '../callhome/call-home-server.js';
import { AgentdError, errorMessage, isAgentdError, type ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { matchesHost, normalizeHost, parseHostPattern, type HostPattern } from '../outbound/host-pattern.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { EgressAuditEntry, EgressAuditSink } from './egress-audit-entry.js';
import { EgressPipe } from './egress-pipe.js';
import { readFirstRequest } from './first-request.js';

/** The runner's path for one egress connection (`?host=&port=`); the socket it arrives on names the sandbox. */
export const EGRESS_PATH = '/v1/runs/:runId/egress';
export const EGRESS_PROTOCOL = 'agentd-egress';

export interface EgressTarget {
  host: string;
  port: number;
}

/** Resolves, checks and connects (OutboundGuard): the address checked is the address connected to. */
export interface EgressDialer {
  connect(request: {
    host: string;
    port: number;
    allowAddresses: readonly string[];
    timeoutMs: number;
  }): Promise<{ socket: net.Socket; address: string; family: number }>;
}

/**
 * Terminates TLS for hosts whose requests agentd adds credentials to. `client` carries the sandbox's bytes from
 * its ClientHello on; `connectUpstream` dials through the same checks as any egress connection.
 */
export interface TlsInterceptor {
  intercepts(run: ActiveRun, target: EgressTarget): boolean;
  handle(
    client: Duplex,
    target: EgressTarget & { run: ActiveRun },
    connectUpstream: () => Promise<net.Socket>,
  ): Promise<{ bytesIn: number; bytesOut: number }>;
}

export interface EgressGatewayOptions {
  callHome: CallHomeServer;
  findRun: (runId: string, sandboxId: string) => ActiveRun | undefined;
  warn: (run: ActiveRun, code: ErrorCode, message: string) => Promise<void>;
  dialer: EgressDialer;
  audit: EgressAuditSink;
  metrics: Metrics;
  logger: Logger;
  interceptor?: TlsInterceptor | undefined;
  /** How long agentd waits for a connection's first request (ClientHello or HTTP head): slowloris bound. */
  firstBytesTimeoutMs: number;
  /** An open connection with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
}

class Denied extends AgentdError {
  constructor(
    readonly reason: string,
    message: string,
    readonly rule?: string,
    readonly address?: string,
  ) {
    super('EGRESS_DENIED', message, { details: { reason, ...(rule ? { rule } : {}) } });
  }
}

/**
 * agentd's side of a sandbox's egress: each proxied connection arrives as one upgraded call-home connection.
 * Names are judged before any DNS lookup (a denied name is never resolved), then the dialer resolves, checks
 * and connects; the first request must name the host that was allowed (TLS SNI or HTTP Host).
 */
export class EgressGateway {
  readonly #log: Logger;
  readonly #patterns = new WeakMap<readonly string[], HostPattern[]>();

  constructor(private readonly options: EgressGatewayOptions) {
    this.#log = options.logger.child({ component: 'egress' });
    options.callHome.upgradeRoute(EGRESS_PATH, (ctx) => this.#handle(ctx));
  }

  async #handle({ channel, req, socket, head, params }: UpgradeContext): Promise<void> {
    const run = this.options.findRun(params.runId ?? '', channel.sandboxId);
    if (!run) throw new AgentdError('NOT_FOUND', `no active run ${params.runId ?? ''} in this sandbox`);
    const startedAt = new Date();
    const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
    const rawHost = (query.get('host') ?? '').slice(0, 300);
    const port = Number(query.get('port'));
    const entry = (verdict: 'allowed' | 'denied', reason: string, extra: Partial<EgressAuditEntry> = {}) =>
      this.#record(run, startedAt, { host: rawHost.toLowerCase(), port, verdict, reason, ...extra });
    try {
      const target = this.#judge(run, rawHost, port);
      await this.#open(run, target, socket, head, (reason, extra) =>
        entry('allowed', reason, { host: target.host, ...extra }),
      );
    } catch (err) {
      if (!(err instanceof Denied)) throw err;
      run.egress.recordDenied();
      this.options.metrics.egressConnections.inc({ verdict: 'denied' });
      entry('denied', err.reason, { rule: err.rule, address: err.address });
      throw err;
    }
  }

  /** The name-only checks: nothing here resolves a name. */
  #judge(run: ActiveRun, rawHost: string, port: number): EgressTarget {
    const { policy } = run.egress;
    if (!run.egress.enabled) throw new Denied('egress_off', 'egress is off for this sandbox');
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Denied('bad_port', `"${String(port)}" is not a port`);
    const host = normalizeHost(rawHost);
    if (host === undefined)
      throw new Denied('bad_host', `"${rawHost}" is not a host name (IP addresses are refused as names)`);
    const denied = matchesHost(this.#compiled(policy.deny), host, port);
    if (denied)
      throw new Denied('deny_rule', `${host}:${port} is denied by "${denied.source}"`, denied.source);
    const allowed = matchesHost(this.#compiled(policy.allow), host, port);
    if (!allowed)
      throw new Denied('not_allowed', `${host}:${port} is not on this sandbox's egress allow-list`);
    return { host, port };
  }

  async #open(
    run: ActiveRun,
    target: EgressTarget,
    socket: Duplex,
    head: Buffer,
    allowed: (reason: string, extra: Partial<EgressAuditEntry>) => void,
  ): Promise<void> {
    const pipe = new EgressPipe(run, socket, this.options.idleTimeoutMs, (limit, message) =>
      this.#limitReached(run, limit, message),
    );
    const admission = run.egress.admit(pipe);
    if (!admission.ok) {
      if (admission.reason === 'max_connections' || admission.reason === 'max_bytes_per_run')
        this.#limitReached(run, admission.reason, admission.message);
      throw new Denied(admission.reason, admission.message);
    }
    const started = Date.now();
    try {
      const { policy } = run.egress;
      const dial = async (): Promise<{ socket: net.Socket; address: string }> => {
        try {
          return await this.options.dialer.connect({
            host: target.host,
            port: target.port,
            allowAddresses: policy.allowAddresses,
            timeoutMs: policy.connectTimeoutMs,
          });
        } catch (err) {
          if (isAgentdError(err) && err.code === 'EGRESS_DENIED') {
            const details = err.details ?? {};
            throw new Denied(
              typeof details.reason === 'string' ? details.reason : 'refused',
              errorMessage(err),
              undefined,
              typeof details.address === 'string' ? details.address : undefined,
            );
          }
          throw err;
        }
      };
      const { interceptor } = this.options;
      if (interceptor?.intercepts(run, target)) {
        acceptUpgrade(socket, EGRESS_PROTOCOL);
        if (head.length > 0) socket.unshift(head);
        let address: string | undefined;
        const moved = await interceptor
          .handle(socket, { ...target, run }, async () => {
            const dialed = await dial();
            run.egress.opened();
            address = dialed.address;
            return dialed.socket;
          })
          .catch((err: unknown) => {
            this.#log.warn(
              { runId: run.id, host: target.host, reason: errorMessage(err) },
              'Interception failed',
            );
            return { bytesIn: 0, bytesOut: 0 };
          });
        run.egress.addBytes('in', moved.bytesIn);
        run.egress.addBytes('out', moved.bytesOut);
        this.#allowedMetrics(moved.bytesIn, moved.bytesOut);
        allowed('intercepted', { address, ...moved, durationMs: Date.now() - started });
        return;
      }
      const upstream = await dial();
      run.egress.opened();
      acceptUpgrade(socket, EGRESS_PROTOCOL);
      const first = await readFirstRequest(socket, head, this.options.firstBytesTimeoutMs);
      const verdict = checkFirstRequest(first, target.host);
      if (verdict !== 'ok' || first.kind === 'refused') {
        const refusal = verdict === 'ok' ? { reason: 'refused', message: 'refused' } : verdict;
        if (first.kind === 'request') socket.end(forbiddenResponse(refusal.message));
        else socket.destroy();
        upstream.socket.destroy();
        run.egress.recordDenied();
        this.options.metrics.egressConnections.inc({ verdict: 'denied' });
        this.#record(run, new Date(started), {
          host: target.host,
          port: target.port,
          verdict: 'denied',
          reason: refusal.reason,
          address: upstream.address,
        });
        return;
      }
      const moved = await pipe.run(upstream.socket, first.bytes);
      this.#allowedMetrics(moved.bytesIn, moved.bytesOut);
      allowed(pipe.closedBy ?? 'allow_rule', {
        address: upstream.address,
        rule: matchesHost(this.#compiled(policy.allow), target.host, target.port)?.source,
        ...moved,
        durationMs: Date.now() - started,
      });
    } finally {
      run.egress.release(pipe);
    }
  }

  #allowedMetrics(bytesIn: number, bytesOut: number): void {
    const { metrics } = this.options;
    metrics.egressConnections.inc({ verdict: 'allowed' });
    metrics.egressBytes.inc({ direction: 'in' }, bytesIn);
    metrics.egressBytes.inc({ direction: 'out' }, bytesOut);
  }

  #limitReached(run: ActiveRun, limit: string, message: string): void {
    if (!run.egress.firstWarning(limit)) return;
    this.options
      .warn(run, 'EGRESS_DENIED', message)
      .catch((err: unknown) => this.#log.warn({ err, runId: run.id }, 'Could not emit the egress warning'));
  }

  #compiled(list: readonly string[]): HostPattern[] {
    let compiled = this.#patterns.get(list);
    if (!compiled) {
      compiled = list.map((p) => parseHostPattern(p));
      this.#patterns.set(list, compiled);
    }
    return compiled;
  }

  #record(
    run: ActiveRun,
    startedAt: Date,
    entry: Pick<EgressAuditEntry, 'host' | 'port' | 'verdict' | 'reason'> & Partial<EgressAuditEntry>,
  ): void {
    this.options.audit.record({
      tenantId: run.tenant.id,
      conversationId: run.conversation.id,
      runId: run.id,
      sandboxId: run.sandboxId,
      address: undefined,
      rule: undefined,
      bytesIn: 0,
      bytesOut: 0,
      durationMs: Date.now() - startedAt.getTime(),
      startedAt,
      count: 1,
      ...entry,
      port: Number.isInteger(entry.port) ? entry.port : 0,
    });
  }
}

type FirstRequest = Awaited<ReturnType<typeof readFirstRequest>>;

function checkFirstRequest(first: FirstRequest, host: string): 'ok' | { reason: string; message: string } {
  switch (first.kind) {
    case 'tls':
      if (first.serverName === undefined)
        return { reason: 'no_sni', message: 'the TLS ClientHello names no server' };
      return normalizeHost(first.serverName) === host
        ? 'ok'
        : { reason: 'sni_mismatch', message: `TLS server name ${first.serverName} is not ${host}` };
    case 'request':
      return normalizeHost(first.host) === host
        ? 'ok'
        : { reason: 'host_mismatch', message: `Host ${first.host} is not ${host}` };
    case 'refused':
      return { reason: first.reason, message: first.message };
  }
}

function forbiddenResponse(message: string): string {
  const body = `agentd egress: ${message}\n`;
  return (
    `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nX-Agentd-Error: EGRESS_DENIED\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
