import { describe, expect, it } from 'vitest';
import { findAddressRule, parseAddressRule, parseAddressRules } from './address-rule.js';
import { parseAddress } from './special-addresses.js';

const covers = (rule: string, ip: string, port: number): boolean =>
  findAddressRule([parseAddressRule(rule)], parseAddress(ip) ?? expect.fail(ip), port) !== undefined;

describe('allowAddresses rules', () => {
  it.each([
    ['10.0.0.0/8', '10.1.2.3', 443, true],
    ['10.0.0.0/8', '11.0.0.1', 443, false],
    ['10.0.0.0/8:443', '10.1.2.3', 443, true],
    ['10.0.0.0/8:443', '10.1.2.3', 80, false],
    ['127.0.0.1:8080', '127.0.0.1', 8080, true],
    ['127.0.0.1:8080', '127.0.0.2', 8080, false],
    ['127.0.0.1', '127.0.0.1', 1, true],
    ['fd00::/8', 'fd12::1', 443, true],
    ['fd00::/8:443', 'fd12::1', 80, false],
    ['[fd00::/8]:443', 'fd12::1', 443, true],
    ['[::1]:8443', '::1', 8443, true],
    ['::1', '::1', 22, true],
    // Mapped IPv6 on either side is the IPv4 address.
    ['::ffff:10.0.0.0/104', '10.9.9.9', 443, true],
    ['10.0.0.0/8', '::ffff:10.9.9.9', 443, true],
    // Families never cross.
    ['0.0.0.0/0', '::1', 443, false],
    ['::/0', '127.0.0.1', 443, false],
  ])('%s covers %s:%d: %s', (rule, ip, port, expected) => {
    expect(covers(rule, ip, port)).toBe(expected);
  });

  it('refuses what is not a rule, listing every bad entry', () => {
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.1:0',
      '10.0.0.1:70000',
      'example.com',
      '10.1',
      '::1/129',
      '',
      '[::1',
    ]) {
      expect(() => parseAddressRule(bad), bad).toThrow(/invalid allowAddresses/);
    }
    expect(() => parseAddressRules(['10.0.0.0/8', 'x', 'y'])).toThrow(/"x"[\s\S]*"y"/);
  });
});
