import net from 'node:net';
import { domainToASCII } from 'node:url';
import { AgentdError } from '../common/errors.js';

/** One allow- or deny-list entry: an exact name or a `*.` wildcard (subdomains only), optionally one port. */
export interface HostPattern {
  source: string;
  /** Normalised name without the `*.`. */
  name: string;
  wildcard: boolean;
  port: number | undefined;
}

/**
 * Lower case, no trailing dot, IDN as punycode; undefined for what is not a DNS name (an IP literal, empty
 * labels, bad characters). Names are compared in this form only, so `EXAMPLE.com.` cannot slip past a rule.
 */
export function normalizeHost(host: string): string | undefined {
  let name = host.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253) return undefined;
  if (net.isIP(name) !== 0 || name.startsWith('[')) return undefined;
  const ascii = domainToASCII(name.toLowerCase());
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.some((l) => !/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) return undefined;
  // A name whose last label is numeric is read as an IPv4 address by some resolvers (`0x7f.1`, `127.1`).
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(labels.at(-1) ?? '')) return undefined;
  return ascii;
}

export function parseHostPattern(source: string): HostPattern {
  const match = /^(\*\.)?([^:]+)(?::([0-9]{1,5}))?$/.exec(source.trim());
  const name = match?.[2] === undefined ? undefined : normalizeHost(match[2]);
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  if (!match || name === undefined || (port !== undefined && (port < 1 || port > 65535))) {
    throw new AgentdError(
      'VALIDATION_FAILED',
      `"${source}" is not a host name pattern (name, *.name, name:port)`,
    );
  }
  return { source, name, wildcard: match[1] !== undefined, port };
}

/** The first pattern that covers `host` (already normalised) on `port`. */
export function matchesHost(
  patterns: readonly HostPattern[],
  host: string,
  port: number,
): HostPattern | undefined {
  return patterns.find(
    (p) =>
      (p.port === undefined || p.port === port) &&
      (p.wildcard ? host.endsWith(`.${p.name}`) : host === p.name),
  );
}
