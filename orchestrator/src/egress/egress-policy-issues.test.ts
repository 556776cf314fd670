import { describe, expect, it } from 'vitest';
import { egressPolicyIssues, resolveEgressPolicy } from './egress-policy-issues.js';

describe('egress policy validation', () => {
  it('accepts a full allow-list policy and fills in defaults', () => {
    const doc = {
      mode: 'allowlist' as const,
      allow: ['pypi.org', '*.pythonhosted.org', 'git.example.org:443'],
      deny: ['evil.pythonhosted.org'],
      allowAddresses: ['127.0.0.1:8080', '10.0.0.0/8:443', '[fd00::]/8:443'],
      connectTimeout: '5s',
    };
    expect(egressPolicyIssues(doc, '/egress')).toEqual([]);
    expect(resolveEgressPolicy(doc)).toMatchObject({ maxConnections: 16, connectTimeoutMs: 5_000 });
    expect(resolveEgressPolicy(undefined).mode).toBe('none');
  });

  it('names every problem with its path', () => {
    const issues = egressPolicyIssues(
      {
        mode: 'allowlist',
        allow: ['10.0.0.1', 'ok.example.com', '*.', 'a..b'],
        allowAddresses: ['10.0.0.0/8', '300.1.1.1:80', '1.2.3.4/40:80'],
        connectTimeout: '10m',
      },
      '/egress',
    );
    expect(issues).toEqual([
      expect.stringMatching(/^\/egress\/allow\/0: .*IP addresses go in allowAddresses/),
      expect.stringMatching(/^\/egress\/allow\/2: /),
      expect.stringMatching(/^\/egress\/allow\/3: /),
      expect.stringMatching(/^\/egress\/allowAddresses\/0: /),
      expect.stringMatching(/^\/egress\/allowAddresses\/1: /),
      expect.stringMatching(/^\/egress\/allowAddresses\/2: /),
      '/egress/connectTimeout: must be 100 ms to 2 min',
    ]);
    expect(egressPolicyIssues({ mode: 'allowlist' }, '/egress')).toEqual([
      '/egress/allow: an allowlist needs at least one host pattern',
    ]);
    expect(egressPolicyIssues({ mode: 'open' }, '/egress')[0]).toMatch(/^\/egress\/mode/);
    expect(egressPolicyIssues({ mode: 'none', maxConnections: 65 }, '/egress')[0]).toMatch(
      /^\/egress\/maxConnections/,
    );
  });
});
