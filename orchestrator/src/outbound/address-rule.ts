import type ipaddr from 'ipaddr.js';
import { ValidationError } from '../common/errors.js';
import { parseAddress } from './special-addresses.js';

/** One `allowAddresses` entry: a CIDR (a bare address is a /32 or /128) and an optional port. */
export interface AddressRule {
  /** The entry as written, reported as the rule that allowed a connection. */
  text: string;
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  port: number | undefined;
}

/**
 * Parses `cidr`, `cidr:port`, `ip`, `ip:port`; an IPv6 address with a port is bracketed (`[::1]:8443`,
 * `[fd00::/8]:443`) or written `fd00::/8:443`. IPv4-mapped IPv6 ranges are normalised to IPv4.
 */
export function parseAddressRule(text: string): AddressRule {
  const trimmed = text.trim();
  let body = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    body = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (trimmed.includes('/')) {
    const withPort = /^(.+\/\d{1,3}):(\d+)$/.exec(trimmed);
    if (withPort) [body, portText] = [withPort[1] ?? '', withPort[2]];
  } else if (/^[^:]+:\d+$/.test(trimmed)) {
    [body, portText] = trimmed.split(':') as [string, string];
  }
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65_535))
    throw invalid(text, 'the port must be 1-65535');
  const range = parseRange(body);
  if (range === undefined) throw invalid(text, 'expected an IP address or CIDR, optionally with :port');
  return { text: trimmed, range, port };
}

export function parseAddressRules(texts: readonly string[]): AddressRule[] {
  const issues: string[] = [];
  const rules: AddressRule[] = [];
  for (const text of texts) {
    try {
      rules.push(parseAddressRule(text));
    } catch (err) {
      issues.push(err instanceof ValidationError ? (err.issues[0] ?? text) : text);
    }
  }
  if (issues.length > 0) throw new ValidationError('invalid allowAddresses', issues);
  return rules;
}

/** The first rule that covers this (already normalised) address and port. */
export function findAddressRule(
  rules: readonly AddressRule[],
  address: ipaddr.IPv4 | ipaddr.IPv6,
  port: number,
): AddressRule | undefined {
  return rules.find(
    (rule) =>
      (rule.port === undefined || rule.port === port) &&
      rule.range[0].kind() === address.kind() &&
      address.match(rule.range),
  );
}

function parseRange(body: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const [addressText, prefixText] = body.split('/') as [string, string | undefined];
  const parsed = parseAddress(addressText);
  if (parsed === undefined) return undefined;
  const max = parsed.kind() === 'ipv4' ? 32 : 128;
  let prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max))) return undefined;
  // A mapped IPv6 range (::ffff:10.0.0.0/104) was normalised to IPv4: its prefix shrinks by 96.
  if (prefixText !== undefined && parsed.kind() === 'ipv4' && addressText.includes(':')) prefix -= 96;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return [parsed, prefix];
}

function invalid(text: string, why: string): ValidationError {
  return new ValidationError('invalid allowAddresses', [`"${text}": ${why}`]);
}
