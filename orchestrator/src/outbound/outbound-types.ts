import type { Socket } from 'node:net';

export interface OutboundEndpoint {
  host: string;
  port: number;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address (dns.promises.lookup with `all: true` by default). */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

export interface OutboundTarget {
  host: string;
  port: number;
  /** `cidr:port`, `cidr`, `ip:port` or `ip`: special-purpose addresses these cover are allowed. */
  allowAddresses: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/** An address that passed the rules; `rule` is the allowAddresses entry that admitted a special address. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
  rule?: string;
}

export interface OutboundConnection extends CheckedAddress {
  socket: Socket;
}

export type OutboundConnect = (target: OutboundTarget) => Promise<OutboundConnection>;

/** Why a connection was refused (`details.reason` of EGRESS_DENIED). */
export type OutboundDenial = 'protected_endpoint' | 'host_address' | 'special_address' | 'redirect';
