import { describe, expect, it } from 'vitest';
import { matchesHost, normaliseHostName, parseHostPattern, parseHostPatterns } from './host-pattern.js';

describe('parseHostPattern', () => {
  it('reads host, wildcard and port, normalised', () => {
    expect(parseHostPattern('Pkgs.Example.COM.')).toEqual({
      text: 'pkgs.example.com',
      wildcard: false,
      host: 'pkgs.example.com',
      port: undefined,
    });
    expect(parseHostPattern('*.files.example.net:8443')).toMatchObject({
      text: '*.files.example.net:8443',
      wildcard: true,
      host: 'files.example.net',
      port: 8443,
    });
    expect(parseHostPattern('bücher.example').host).toBe('xn--bcher-kva.example');
  });

  it.each([
    '10.0.0.1',
    '10.0.0.1:443',
    '[::1]:443',
    '::1',
    '*.10.0.0.1',
    'a.*.example.com',
    '*example.com',
    '*.com',
    'exa mple.com',
    'example.com:0',
    'example.com:70000',
    '',
    '.',
  ])('refuses %j', (pattern) => {
    expect(() => parseHostPattern(pattern)).toThrow(/invalid host pattern/);
  });

  it('reports every bad pattern at once', () => {
    expect(() => parseHostPatterns(['ok.example', '1.2.3.4', 'a.*.b'])).toThrow(/1\.2\.3\.4[\s\S]*a\.\*\.b/);
  });
});

describe('matchesHost', () => {
  const patterns = ['example.com', '*.files.example.net', 'git.example.org:443', 'xn--bcher-kva.example'];

  it('matches exact names and returns the pattern', () => {
    expect(matchesHost(patterns, 'example.com', 443)).toBe('example.com');
    expect(matchesHost(patterns, 'www.example.com', 443)).toBeUndefined();
  });

  it('matches wildcards below the domain, never the domain itself', () => {
    expect(matchesHost(patterns, 'a.files.example.net', 80)).toBe('*.files.example.net');
    expect(matchesHost(patterns, 'a.b.files.example.net', 80)).toBe('*.files.example.net');
    expect(matchesHost(patterns, 'files.example.net', 80)).toBeUndefined();
    expect(matchesHost(patterns, 'evilfiles.example.net', 80)).toBeUndefined();
    expect(matchesHost(['*.example.com'], 'example.com', 443)).toBeUndefined();
  });

  it('honours ports', () => {
    expect(matchesHost(patterns, 'git.example.org', 443)).toBe('git.example.org:443');
    expect(matchesHost(patterns, 'git.example.org', 22)).toBeUndefined();
  });

  it('normalises case, one trailing dot and IDN before comparing', () => {
    expect(matchesHost(patterns, 'EXAMPLE.com.', 443)).toBe('example.com');
    expect(matchesHost(patterns, 'example.com..', 443)).toBeUndefined();
    expect(matchesHost(patterns, 'BÜCHER.example', 443)).toBe('xn--bcher-kva.example');
    expect(matchesHost(patterns, 'A.Files.Example.NET.', 443)).toBe('*.files.example.net');
  });

  it('never matches an IP literal against a name rule', () => {
    expect(matchesHost(['*.in-addr.arpa', 'example.com'], '127.0.0.1', 443)).toBeUndefined();
    expect(matchesHost(['example.com'], '[::1]', 443)).toBeUndefined();
    expect(normaliseHostName('10.0.0.1')).toBeUndefined();
    expect(normaliseHostName('::ffff:10.0.0.1')).toBeUndefined();
  });
});
