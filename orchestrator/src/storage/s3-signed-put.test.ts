import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { S3PutError, SignedPut } from './s3-signed-put.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const { sha256 } = new S3Client({ region: 'us-east-1', credentials }).config;

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A local S3 stand-in: records each request and answers with the next scripted reply. */
async function endpoint(
  replies: ((req: IncomingMessage, res: ServerResponse) => void)[],
): Promise<{ base: URL; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const reply = replies.shift() ?? ((_q, r) => r.writeHead(200).end());
      reply(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: new URL(`http://127.0.0.1:${port}/bucket`),
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const s3Error = (status: number, code: string) => (_req: IncomingMessage, res: ServerResponse) =>
  res
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>scripted ${code}</Message></Error>`,
    );

describe('SignedPut', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  const put = (base: URL) =>
    new SignedPut({
      base,
      region: 'us-east-1',
      credentials: () => Promise.resolve(credentials),
      sha256,
      maxAttempts: 3,
    });
  const body = Buffer.from('the content of a file');
  const hash = createHash('sha256').update(body).digest('hex');

  it('sends one signed PUT of the body under the bucket, the key URI-encoded', async () => {
    const s3 = await endpoint([]);
    close = s3.close;
    await put(s3.base).put('ws/files/a dir/ü (1).txt', body, hash);
    expect(s3.received).toHaveLength(1);
    const [req] = s3.received;
    expect(req?.method).toBe('PUT');
    expect(req?.url).toBe('/bucket/ws/files/a%20dir/%C3%BC%20%281%29.txt');
    expect(req?.body.equals(body)).toBe(true);
    expect(req?.headers['content-length']).toBe(String(body.length));
    expect(req?.headers['x-amz-content-sha256']).toBe(hash);
    expect(req?.headers.host).toBe(s3.base.host);
    expect(req?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('retries what S3 says is worth retrying (503 SlowDown, a dropped connection), then succeeds', async () => {
    const s3 = await endpoint([s3Error(503, 'SlowDown'), (req) => req.socket.destroy()]);
    close = s3.close;
    await put(s3.base).put('ws/files/f', body, hash);
    expect(s3.received).toHaveLength(3);
    expect(s3.received.every((r) => r.body.equals(body))).toBe(true);
  });

  it('does not retry a refusal, and names S3’s code and status', async () => {
    const s3 = await endpoint([s3Error(403, 'AccessDenied')]);
    close = s3.close;
    const failure = put(s3.base).put('ws/files/f', body, hash);
    await expect(failure).rejects.toBeInstanceOf(S3PutError);
    await expect(failure).rejects.toMatchObject({ status: 403, code: 'AccessDenied', retryable: false });
    await expect(failure).rejects.toThrow('AccessDenied, HTTP 403: scripted AccessDenied');
    expect(s3.received).toHaveLength(1);
  });

  it('gives up after the attempts it has, with the last failure', async () => {
    const s3 = await endpoint([
      s3Error(500, 'InternalError'),
      s3Error(500, 'InternalError'),
      s3Error(500, 'InternalError'),
    ]);
    close = s3.close;
    await expect(put(s3.base).put('ws/files/f', body, hash)).rejects.toMatchObject({
      status: 500,
      code: 'InternalError',
    });
    expect(s3.received).toHaveLength(3);
  });
});
