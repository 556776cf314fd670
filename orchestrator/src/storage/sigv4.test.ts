import { describe, expect, it } from 'vitest';
import { encodeKeyPath, SigV4Signer } from './sigv4.js';

/** The worked examples of AWS's "Signature Calculations for the Authorization Header (single chunk)" page. */
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const at = new Date('2013-05-24T00:00:00Z');

describe('SigV4Signer', () => {
  it('signs AWS’s PUT Object example to the documented signature', () => {
    const headers = new SigV4Signer('us-east-1').sign(
      {
        method: 'PUT',
        host: 'examplebucket.s3.amazonaws.com',
        path: `/${encodeKeyPath('test$file.text')}`,
        headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadSha256: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      },
      credentials,
      at,
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, ' +
        'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('signs AWS’s GET Object example, and again with the cached signing key', () => {
    const signer = new SigV4Signer('us-east-1');
    const request = {
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      headers: { range: 'bytes=0-9' },
      payloadSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    };
    for (let i = 0; i < 2; i++)
      expect(signer.sign(request, credentials, at).authorization).toContain(
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      );
  });

  it('signs a session token, and a new secret gets a new signing key', () => {
    const signer = new SigV4Signer('us-east-1');
    const request = { method: 'GET', host: 'h', path: '/k', headers: {}, payloadSha256: 'e3b0' };
    const first = signer.sign(request, credentials, at).authorization;
    const other = signer.sign(request, { ...credentials, secretAccessKey: 'other' }, at).authorization;
    expect(other).not.toBe(first);
    const withToken = signer.sign(request, { ...credentials, sessionToken: 'tok' }, at);
    expect(withToken['x-amz-security-token']).toBe('tok');
    expect(withToken.authorization).toContain('x-amz-security-token');
  });

  it('encodes keys as S3 signs them: unreserved characters and slashes stay', () => {
    expect(encodeKeyPath("a b/ü$(x)!*'~._-.txt")).toBe('a%20b/%C3%BC%24%28x%29%21%2A%27~._-.txt');
  });
});
