import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { AgentdError } from '../common/errors.js';
import { isSpecialAddress, normalizeAddress } from './special-addresses.js';

export type LookupFn = (host: string) => Promise<{ address: string; family: number }[]>;

/** A listener or dependency agentd never lets a sandbox reach: `port` on `host` (undefined = every local address). */
export interface ProtectedEndpoint {
  host?: string | undefined;
  port: number;
}

export interface OutboundGuardOptions {
  protectedEndpoints: ProtectedEndpoint[];
  lookup?: LookupFn;
}

export interface GuardedConnect {
  host: string;
  port: number;
  /** `ip:port`, `ip/prefix:port` or `[v6]/prefix:port`: special addresses the policy lets through. */
  allowAddresses: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

function denied(reason: string, message: string, details: Record<string, unknown> = {}): AgentdError {
  return new AgentdError('EGRESS_DENIED', message, { details: { reason, ...details } });
}

/**
 * Resolves on the host, checks every address, and connects to the address it checked (no second lookup, so a
 * name cannot rebind between check and connect).
 */
export class OutboundGuard {
  readonly #lookup: LookupFn;

  constructor(private readonly options: OutboundGuardOptions) {
    this.#lookup =
      options.lookup ?? (async (host) => dns.promises.lookup(host, { all: true, order: 'verbatim' }));
  }

  async connect(request: GuardedConnect): Promise<{ socket: net.Socket; address: string; family: number }> {
    let answers: { address: string; family: number }[];
    try {
      answers = await this.#lookup(request.host);
    } catch (err) {
      throw denied('dns_failed', `${request.host} does not resolve`, { cause: (err as Error).message });
    }
    if (answers.length === 0) throw denied('dns_failed', `${request.host} does not resolve`);
    for (const answer of answers) this.check(answer.address, request.port, request.allowAddresses);
    const first = answers[0];
    if (!first) throw denied('dns_failed', `${request.host} does not resolve`);
    const { address, family } = normalizeAddress(first.address);
    const socket = await dial(address, request.port, request.timeoutMs, request.signal);
    return { socket, address, family };
  }

  /** Throws EGRESS_DENIED unless `ip:port` may be reached. */
  check(ip: string, port: number, allowAddresses: readonly string[]): void {
    const { address } = normalizeAddress(ip);
    if (this.#isProtected(address, port))
      throw denied('protected_endpoint', `${address}:${port} is one of agentd's own endpoints`, { address });
    if (isSpecialAddress(address) && !allowAddresses.some((rule) => ruleCovers(rule, address, port)))
      throw denied('special_address', `${address} is a special-purpose address`, { address });
  }

  #isProtected(address: string, port: number): boolean {
    return this.options.protectedEndpoints.some((e) => {
      if (e.port !== port) return false;
      if (e.host === undefined || e.host === '0.0.0.0' || e.host === '::') return isLocal(address);
      return normalizeAddress(e.host).address === address || (isLocal(e.host) && isLocal(address));
    });
  }
}

function isLocal(address: string): boolean {
  const { address: a } = normalizeAddress(address);
  if (a.startsWith('127.') || a === '::1' || a === '0.0.0.0' || a === '::' || a === 'localhost') return true;
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === a));
}

export function ruleCovers(rule: string, address: string, port: number): boolean {
  const match = /^\[?([0-9a-fA-F:.]+)\]?(?:\/(\d{1,3}))?:(\d{1,5})$/.exec(rule.trim());
  if (!match?.[1] || match[3] === undefined) return false;
  if (Number(match[3]) !== port) return false;
  const family = net.isIPv6(match[1]) ? 'ipv6' : 'ipv4';
  const list = new net.BlockList();
  list.addSubnet(
    match[1],
    match[2] === undefined ? (family === 'ipv6' ? 128 : 32) : Number(match[2]),
    family,
  );
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

function dial(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, ...(signal ? { signal } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        denied('connect_timeout', `${address}:${port} did not answer within ${timeoutMs} ms`, { address }),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(denied('connect_failed', `${address}:${port}: ${err.message}`, { address }));
    });
  });
}
