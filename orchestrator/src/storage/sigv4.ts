import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface RequestToSign {
  method: string;
  host: string;
  /** The path as sent (already URI-encoded, see `encodeKeyPath`); S3 signs it without normalising. */
  path: string;
  /** Lower-case names; every one of them is signed. `host`, `x-amz-date` and `x-amz-content-sha256` are added. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the payload. */
  payloadSha256: string;
}

/** S3 URI-encodes every key byte except unreserved characters and `/` (RFC 3986, as SigV4 for S3 requires). */
export function encodeKeyPath(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * AWS Signature Version 4 for S3 requests without a query string, computed synchronously with node:crypto.
 * The SDK's signer does the same work through async digests and a middleware stack, which costs about three
 * times as much CPU per small PUT; the signing key is kept per day and secret, as the SDK's is.
 */
export class SigV4Signer {
  #key: { scope: string; secret: string; key: Buffer } | undefined;

  constructor(
    private readonly region: string,
    private readonly service = 's3',
  ) {}

  /** Returns the headers to send: the given ones plus host, the date, the payload hash, the token and Authorization. */
  sign(
    request: RequestToSign,
    credentials: SigningCredentials,
    now: Date = new Date(),
  ): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      ...request.headers,
      host: request.host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': request.payloadSha256,
    };
    if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonical = [
      request.method,
      request.path,
      '',
      ...names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}`),
      '',
      names.join(';'),
      request.payloadSha256,
    ].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(scope, day, credentials.secretAccessKey))
      .update(toSign)
      .digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
    return headers;
  }

  #signingKey(scope: string, day: string, secret: string): Buffer {
    if (this.#key?.scope === scope && this.#key.secret === secret) return this.#key.key;
    const hmac = (key: string | Buffer, data: string): Buffer =>
      createHmac('sha256', key).update(data).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.region), this.service), 'aws4_request');
    this.#key = { scope, secret, key };
    return key;
  }
}
