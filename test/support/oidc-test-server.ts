import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/** An RS256 key pair with its public JWK, as a provider publishes it. */
export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, jwk };
}

/**
 * A local OIDC provider on 127.0.0.1: a discovery document and a JWKS that tests rotate, break and count.
 * Tokens are signed with real keys (jose), exactly as a provider would.
 */
export class OidcTestServer implements AsyncDisposable {
  /** Requests per path (`discovery`, `jwks`). */
  readonly fetches = { discovery: 0, jwks: 0 };
  /** When each JWKS request arrived (epoch ms). */
  readonly jwksFetchedAt: number[] = [];
  published: SigningKey[] = [];
  /** 200, or the status the endpoint answers with (e.g. 500) instead of its document. */
  discoveryStatus = 200;
  jwksStatus = 200;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(): Promise<OidcTestServer> {
    const holder: { self?: OidcTestServer } = {};
    const server = createServer((req, res) => holder.self?.handle(req.url ?? '', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.self = new OidcTestServer(server, `http://127.0.0.1:${port}/pool`);
    return holder.self;
  }

  get discoveryUrl(): string {
    return `${this.issuer}/.well-known/openid-configuration`;
  }

  private handle(path: string, res: ServerResponse): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/pool/.well-known/openid-configuration') {
      this.fetches.discovery++;
      if (this.discoveryStatus !== 200) return json(this.discoveryStatus, { error: 'down' });
      return json(200, { issuer: this.issuer, jwks_uri: `${this.issuer}/jwks.json` });
    }
    if (path === '/pool/jwks.json') {
      this.fetches.jwks++;
      this.jwksFetchedAt.push(Date.now());
      if (this.jwksStatus !== 200) return json(this.jwksStatus, { error: 'down' });
      return json(200, { keys: this.published.map((k) => k.jwk) });
    }
    json(404, {});
  }

  /** A token signed by `key` (RS256, its kid), valid for an hour unless the claims say otherwise. */
  sign(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: this.issuer, iat: now, exp: now + 3600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header })
      .sign(key.privateKey);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
