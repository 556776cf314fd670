import { lookup as dnsLookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type ipaddr from 'ipaddr.js';
import { AgentdError } from '../common/errors.js';
import { findAddressRule, parseAddressRules } from './address-rule.js';
import { createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from './guarded-fetch.js';
import type {
  HostLookup,
  OutboundConnection,
  OutboundDenial,
  OutboundEndpoint,
  OutboundTarget,
  ResolvedAddress,
} from './outbound-types.js';
import { isSpecialAddress, parseAddress } from './special-addresses.js';

export interface OutboundGuardOptions {
  /**
   * agentd's listeners, database, Redis and S3 endpoints: never reachable, whatever a rule allows. A function
   * is read at every check (listener ports chosen by the OS are known only once the daemon has started).
   */
  protectedEndpoints: readonly OutboundEndpoint[] | (() => readonly OutboundEndpoint[]);
  lookup?: HostLookup;
  /** The host's own addresses (tests inject them); defaults to os.networkInterfaces, loopback excluded. */
  hostAddresses?: () => readonly string[];
  /** How long a protected endpoint's resolved addresses are reused. */
  protectedTtlMs?: number;
}

const DEFAULT_PROTECTED_TTL_MS = 30_000;

const defaultLookup: HostLookup = (host) => dnsLookup(host, { all: true, order: 'verbatim' });

function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal)
    .map((entry) => entry.address);
}

/**
 * The one place agentd opens outbound connections on behalf of tenants (remote MCP servers, egress).
 * It resolves on the host, checks every address, and connects to the exact address it checked, so a name
 * cannot be rebound to a private address between check and connect.
 */
export class OutboundGuard {
  private readonly lookup: HostLookup;
  private readonly hostAddresses: () => readonly string[];
  private readonly protectedTtlMs: number;
  private protectedCache: { at: number; list: string; keys: Promise<Set<string>> } | undefined;

  constructor(private readonly options: OutboundGuardOptions) {
    this.lookup = options.lookup ?? defaultLookup;
    this.hostAddresses = options.hostAddresses ?? ownAddresses;
    this.protectedTtlMs = options.protectedTtlMs ?? DEFAULT_PROTECTED_TTL_MS;
  }

  /**
   * Resolves (IP literals skip DNS), refuses if ANY address is refused, then connects to the checked
   * addresses in order. Refusals are EGRESS_DENIED; DNS and socket errors are passed through as they are.
   */
  async connect(target: OutboundTarget): Promise<OutboundConnection> {
    const addresses = await this.check(target);
    let lastError: unknown;
    for (const { address, family } of addresses) {
      target.signal?.throwIfAborted();
      try {
        const socket = await connectSocket(address, target.port, target.timeoutMs, target.signal);
        return { socket, address, family };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(`cannot connect to ${target.host}`);
  }

  /** The checked, normalised addresses of a target, or EGRESS_DENIED naming the first refused one. */
  async check(
    target: Omit<OutboundTarget, 'timeoutMs' | 'signal'>,
  ): Promise<{ address: string; family: 4 | 6 }[]> {
    const rules = parseAddressRules(target.allowAddresses);
    const resolved = await this.resolve(target.host);
    if (resolved.length === 0) throw new Error(`${target.host} resolved to no address`);
    const endpoints = this.endpoints();
    const protectedPorts = new Set(endpoints.map((e) => e.port));
    const protectedKeys = await this.protectedAddressKeys(endpoints);
    const own = new Set(this.hostAddresses().flatMap((a) => parseAddress(a)?.toNormalizedString() ?? []));
    const checked: { address: string; family: 4 | 6 }[] = [];
    for (const entry of resolved) {
      const address = parseAddress(entry.address);
      if (address === undefined) throw deny('special_address', target, entry.address, 'not an IP address');
      const text = address.toNormalizedString();
      if (isProtected(address, text, target.port, protectedKeys, protectedPorts))
        throw deny('protected_endpoint', target, text);
      if (own.has(text)) throw deny('host_address', target, text);
      const special = isSpecialAddress(text);
      if (special.special && findAddressRule(rules, address, target.port) === undefined)
        throw deny('special_address', target, text, special.range);
      checked.push({ address: address.toString(), family: address.kind() === 'ipv4' ? 4 : 6 });
    }
    return checked;
  }

  /** A fetch whose every connection goes through `connect` (for remote MCP servers). */
  createFetch(allowAddresses: readonly string[], options: GuardedFetchOptions = {}): GuardedFetch {
    parseAddressRules(allowAddresses);
    return createGuardedFetch((target) => this.connect(target), allowAddresses, options);
  }

  private endpoints(): readonly OutboundEndpoint[] {
    const { protectedEndpoints } = this.options;
    return typeof protectedEndpoints === 'function' ? protectedEndpoints() : protectedEndpoints;
  }

  private async resolve(host: string): Promise<ResolvedAddress[]> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (isIP(bare) !== 0) return [{ address: bare, family: isIP(bare) }];
    if (parseAddress(bare) === undefined && /^[0-9.]+$/.test(bare))
      throw new AgentdError('EGRESS_DENIED', `"${host}" is not a valid address`, {
        details: { reason: 'special_address', address: bare },
      });
    return this.lookup(bare);
  }

  private protectedAddressKeys(endpoints: readonly OutboundEndpoint[]): Promise<Set<string>> {
    const now = Date.now();
    const list = JSON.stringify(endpoints);
    const cached = this.protectedCache;
    if (cached && cached.list === list && now - cached.at < this.protectedTtlMs) return cached.keys;
    const keys = Promise.all(
      endpoints.map(async (endpoint) => {
        const addresses = await this.resolve(endpoint.host).catch(() => []);
        return addresses.flatMap((a) => {
          const parsed = parseAddress(a.address);
          return parsed ? [`${parsed.toNormalizedString()}|${endpoint.port}`] : [];
        });
      }),
    ).then((lists) => new Set(lists.flat()));
    this.protectedCache = { at: now, list, keys };
    return keys;
  }
}

function isProtected(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  text: string,
  port: number,
  protectedKeys: ReadonlySet<string>,
  protectedPorts: ReadonlySet<number>,
): boolean {
  if (protectedKeys.has(`${text}|${port}`)) return true;
  // A listener on 0.0.0.0 or a loopback address answers on every loopback and unspecified address.
  const range = address.range();
  return (range === 'loopback' || range === 'unspecified') && protectedPorts.has(port);
}

function deny(
  reason: OutboundDenial,
  target: { host: string; port: number },
  address: string,
  range?: string,
): AgentdError {
  const why: Record<OutboundDenial, string> = {
    protected_endpoint: 'is one of agentd’s own endpoints',
    host_address: 'is an address of the agentd host',
    special_address: `is in a special-purpose range (${range ?? 'special'}) no allowAddresses rule covers`,
    redirect: 'redirects to another host',
  };
  return new AgentdError(
    'EGRESS_DENIED',
    `outbound connection to ${target.host}:${target.port} refused: ${address} ${why[reason]}`,
    { details: { reason, address, ...(range !== undefined ? { range } : {}) } },
  );
}

function connectSocket(
  address: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port });
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`connect to ${address}:${port} timed out`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', fail);
    };
    function fail(err: Error): void {
      cleanup();
      socket.destroy();
      reject(err);
    }
    socket.once('error', fail);
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}
