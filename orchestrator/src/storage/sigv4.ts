import { SignatureV4, type SignatureV4CryptoInit } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

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

export interface SigV4SignerOptions {
  region: string;
  credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** The S3 client's own (`client.config.sha256`), so signing hashes exactly as the SDK does. */
  sha256: SignatureV4CryptoInit['sha256'];
}

/** S3 URI-encodes every key byte except unreserved characters and `/` (RFC 3986, as SigV4 for S3 requires). */
export function encodeKeyPath(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * AWS Signature Version 4 for one S3 request, by the SDK's own signer (@smithy/signature-v4) without the rest
 * of the SDK's middleware stack; the payload hash is the one the caller already checked, not computed again.
 */
export class SigV4Signer {
  readonly #signer: SignatureV4;

  constructor(options: SigV4SignerOptions) {
    // S3 signs the path as sent: no second URI-encoding, no normalisation.
    this.#signer = new SignatureV4({ service: 's3', uriEscapePath: false, applyChecksum: false, ...options });
  }

  /** The headers to send: the given ones plus host, the date, the payload hash, the token and Authorization. */
  async sign(request: RequestToSign, signingDate: Date = new Date()): Promise<Record<string, string>> {
    const signed = await this.#signer.sign(
      {
        method: request.method,
        protocol: 'https:',
        hostname: request.host,
        path: request.path,
        query: {},
        headers: { ...request.headers, host: request.host, 'x-amz-content-sha256': request.payloadSha256 },
      },
      { signingDate },
    );
    return signed.headers;
  }
}
