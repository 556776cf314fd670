import { describe, expect, it } from 'vitest';
import { hasQueryCredential, queryCredential, redactCredentials, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('replaces the value of every credential parameter and keeps the rest as sent', () => {
    expect(redactUrl('/api/x?ticket=agt_SECRET&lastEventId=3')).toBe(
      '/api/x?ticket=[redacted]&lastEventId=3',
    );
    expect(redactUrl('/a?b=1&token=eyJ.x.y&c=%20')).toBe('/a?b=1&token=[redacted]&c=%20');
    for (const name of ['api_key', 'apikey', 'key', 'access_token', 'TICKET', 'Token'])
      expect(redactUrl(`/a?${name}=s3cret`)).toBe(`/a?${name}=[redacted]`);
  });

  it('catches names hidden by percent-encoding, plus signs or repetition', () => {
    expect(redactUrl('/a?%74icket=s3cret')).toBe('/a?%74icket=[redacted]');
    expect(redactUrl('/a?ticket=one&ticket=two')).toBe('/a?ticket=[redacted]&ticket=[redacted]');
    expect(redactUrl('/a?token+=s3cret')).toBe('/a?token+=[redacted]');
    // A second `?` belongs to the value of x, as the query parser reads it too.
    expect(redactUrl('/a?x=1?ticket=s3cret')).toBe('/a?x=1?ticket=s3cret');
  });

  it('leaves URLs without credentials untouched, including malformed escapes', () => {
    for (const url of ['/api/tenants', '/a?', '/a?b=1&c', '/a?%zz=1', '/a?tickets=1&mykey=2'])
      expect(redactUrl(url)).toBe(url);
    expect(hasQueryCredential('/a?b=1')).toBe(false);
    expect(hasQueryCredential('/a?b=1&ticket=')).toBe(true);
  });

  it('reads a credential parameter', () => {
    expect(queryCredential('/a?b=1&ticket=agt_x%2By', 'ticket')).toBe('agt_x+y');
    expect(queryCredential('/a?b=1', 'ticket')).toBeUndefined();
    expect(queryCredential('/a', 'token')).toBeUndefined();
  });
});

describe('redactCredentials', () => {
  it('redacts credential parameters quoted anywhere in a message', () => {
    expect(redactCredentials('Route GET:/api/x?a=1&ticket=agt_SECRET not found')).toBe(
      'Route GET:/api/x?a=1&ticket=[redacted] not found',
    );
    expect(redactCredentials('"/ws?TOKEN=eyJ.a.b" and /x?key=k1&y=2')).toBe(
      '"/ws?TOKEN=[redacted]" and /x?key=[redacted]&y=2',
    );
    expect(redactCredentials('no credential here: ticket kind=run')).toBe(
      'no credential here: ticket kind=run',
    );
  });
});
