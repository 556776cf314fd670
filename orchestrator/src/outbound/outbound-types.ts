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

export interface OutboundConnection {
  socket: Socket;
  /** The address checked and connected to. */
  address: string;
  family: 4 | 6;
}

export type OutboundConnect = (target: OutboundTarget) => Promise<OutboundConnection>;

/** Why a connection was refused (`details.reason` of EGRESS_DENIED). */
export type OutboundDenial = 'protected_endpoint' | 'host_address' | 'special_address' | 'redirect';
