import { describe, expect, it } from 'vitest';
import { injectionRuleIssues, rulesFor, type InjectionRule } from './injection-rule.js';

describe('injection rules', () => {
  it('accepts a host or *.host with headers whose values reference secrets', () => {
    expect(
      injectionRuleIssues(
        [
          { host: 'api.github.com', headers: { Authorization: 'Bearer ${secret:gh_token}' } },
          {
            host: '*.example.com',
            headers: { 'X-Api-Key': '${secret:key}', 'X-Two': '${secret:a}:${secret:b}' },
          },
        ],
        '/egress/inject',
      ),
    ).toEqual([]);
  });

  it('refuses literal values, framing headers, bad names and hosts', () => {
    const issues = injectionRuleIssues(
      [
        { host: 'API.github.com', headers: { Authorization: 'Bearer ghp_literal' } },
        { host: '10.0.0.1', headers: { Host: '${secret:x}', 'Bad Name': '${secret:x}' } },
        { host: 'ok.example', headers: { 'X-A': '${secret:x}\r\nX-Evil: 1' } },
        { host: 'ok.example', headers: {} },
      ],
      '/inject',
    );
    expect(issues).toEqual([
      '/inject/0/host: "API.github.com" is not a lower-case host name or *.name (HTTPS, any port)',
      '/inject/0/headers/Authorization: the value must reference a secret (${secret:NAME})',
      '/inject/1/host: "10.0.0.1" is not a lower-case host name or *.name (HTTPS, any port)',
      '/inject/1/headers/Host: agentd does not inject this header',
      '/inject/1/headers/Bad Name: not an HTTP header name',
      '/inject/2/headers/X-A: control characters',
      '/inject/3/headers: name at least one header',
    ]);
  });

  it('matches exact names and, for *.name, names below it only', () => {
    const rules: InjectionRule[] = [
      { host: 'api.example.com', headers: { A: '${secret:a}' } },
      { host: '*.files.example.net', headers: { B: '${secret:b}' } },
    ];
    expect(rulesFor(rules, 'api.example.com')).toHaveLength(1);
    expect(rulesFor(rules, 'x.api.example.com')).toHaveLength(0);
    expect(rulesFor(rules, 'eu.files.example.net')).toHaveLength(1);
    expect(rulesFor(rules, 'files.example.net')).toHaveLength(0);
    expect(rulesFor(rules, 'evilfiles.example.net')).toHaveLength(0);
  });
});
