import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { encodeKeyPath, SigV4Signer } from './sigv4.js';

/** Credentials and date of the worked examples on AWS's "Signature Calculations for the Authorization Header (single chunk)" page. */
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const at = new Date('2013-05-24T00:00:00Z');
const { sha256 } = new S3Client({ region: 'us-east-1', credentials }).config;

describe('SigV4Signer', () => {
  it('signs a PUT with the payload hash it is given, and every header it is given', async () => {
    const payloadSha256 = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    const headers = await new SigV4Signer({ region: 'us-east-1', credentials, sha256 }).sign(
      {
        method: 'PUT',
        host: 'examplebucket.s3.amazonaws.com',
        path: `/${encodeKeyPath('test$file.text')}`,
        headers: { 'content-length': '10', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadSha256,
      },
      at,
    );
    expect(headers['x-amz-content-sha256']).toBe(payloadSha256);
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20130524\/us-east-1\/s3\/aws4_request, SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=[0-9a-f]{64}$/,
    );
  });

  it('signs AWS’s GET Object example with the given payload hash', async () => {
    const signer = new SigV4Signer({ region: 'us-east-1', credentials, sha256 });
    const request = {
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      headers: { range: 'bytes=0-9' },
      payloadSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    };
    expect((await signer.sign(request, at)).authorization).toContain(
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs a session token from the credential provider', async () => {
    const request = { method: 'GET', host: 'h', path: '/k', headers: {}, payloadSha256: 'e3b0' };
    const withToken = await new SigV4Signer({
      region: 'us-east-1',
      credentials: () => Promise.resolve({ ...credentials, sessionToken: 'tok' }),
      sha256,
    }).sign(request, at);
    expect(withToken['x-amz-security-token']).toBe('tok');
    expect(withToken.authorization).toContain('x-amz-security-token');
  });

  it('encodes keys as S3 signs them: unreserved characters and slashes stay', () => {
    expect(encodeKeyPath("a b/ü$(x)!*'~._-.txt")).toBe('a%20b/%C3%BC%24%28x%29%21%2A%27~._-.txt');
  });
});
