import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { ValidationError } from '../common/errors.js';

/** A host name rule: `host`, `*.domain`, `host:port` or `*.domain:port`. */
export interface HostPattern {
  /** The pattern as normalised (lower case, punycode, no trailing dot), reported as the matching rule. */
  text: string;
  /** `*.domain`: any name strictly below `domain`, never `domain` itself. */
  wildcard: boolean;
  /** The host name, or the domain after `*.`. */
  host: string;
  port: number | undefined;
}

// Underscores appear in real service names (_acme-challenge, SRV-style hosts); letters stay ASCII after punycode.
const LABEL = /^[a-z0-9_-]{1,63}$/;
const MAX_NAME = 253;

/**
 * A host name as rules compare it: lower case, one trailing dot removed, IDN to punycode. Undefined for an
 * IP literal or anything that is not a DNS name (so a name rule can never match an address).
 */
export function normaliseHostName(host: string): string | undefined {
  let name = host.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || isIP(name) !== 0 || name.startsWith('[')) return undefined;
  // Non-ASCII (IDN) goes through the WHATWG conversion; it also lower-cases ASCII.
  const ascii = domainToASCII(name);
  if (ascii === '' || ascii.length > MAX_NAME) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  // A name whose last label is all digits would be read as an IPv4 address by some resolvers.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return undefined;
  return ascii;
}

export function parseHostPattern(pattern: string): HostPattern {
  const text = pattern.trim();
  let hostPart = text;
  let port: number | undefined;
  const withPort = /^(.*):(\d+)$/.exec(text);
  if (withPort) {
    hostPart = withPort[1] ?? '';
    port = Number(withPort[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw invalid(pattern, 'the port must be 1-65535');
  }
  const wildcard = hostPart.startsWith('*.');
  const namePart = wildcard ? hostPart.slice(2) : hostPart;
  if (namePart.includes('*')) throw invalid(pattern, 'only a leading "*." wildcard is allowed');
  if (isIP(namePart) !== 0 || isIP(namePart.replace(/^\[|\]$/g, '')) !== 0 || namePart.includes(':'))
    throw invalid(pattern, 'an IP address is not a host name (use allowAddresses)');
  const host = normaliseHostName(namePart);
  if (host === undefined) throw invalid(pattern, 'not a valid host name');
  if (wildcard && !host.includes('.')) throw invalid(pattern, '"*." needs a domain with at least two labels');
  const normalised = `${wildcard ? '*.' : ''}${host}${port === undefined ? '' : `:${port}`}`;
  return { text: normalised, wildcard, host, port };
}

/** Parses every pattern, reporting all bad ones in one error. */
export function parseHostPatterns(patterns: readonly string[]): HostPattern[] {
  const issues: string[] = [];
  const parsed: HostPattern[] = [];
  for (const pattern of patterns) {
    try {
      parsed.push(parseHostPattern(pattern));
    } catch (err) {
      issues.push(err instanceof ValidationError ? (err.issues[0] ?? pattern) : pattern);
    }
  }
  if (issues.length > 0) throw new ValidationError('invalid host patterns', issues);
  return parsed;
}

/**
 * The first pattern matching `host` and `port` (returned as its normalised text), or undefined. The host is
 * normalised first; an IP literal never matches a name rule. Patterns given as strings are parsed here.
 */
export function matchesHost(
  patterns: readonly (string | HostPattern)[],
  host: string,
  port: number,
): string | undefined {
  const name = normaliseHostName(host);
  if (name === undefined) return undefined;
  for (const entry of patterns) {
    const pattern = typeof entry === 'string' ? parseHostPattern(entry) : entry;
    if (pattern.port !== undefined && pattern.port !== port) continue;
    const hit = pattern.wildcard ? name.endsWith(`.${pattern.host}`) : name === pattern.host;
    if (hit) return pattern.text;
  }
  return undefined;
}

function invalid(pattern: string, why: string): ValidationError {
  return new ValidationError('invalid host pattern', [`"${pattern}": ${why}`]);
}
