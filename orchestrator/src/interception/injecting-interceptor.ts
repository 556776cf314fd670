import http from 'node:http';
import type net from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { InjectionRule } from './injection-rule.js';
import type { SandboxCa } from './sandbox-ca.js';
import { systemRoots } from './system-roots.js';
import { UpstreamAgent } from './upstream-agent.js';

/** Expands `${secret:NAME}` references in a header value for a tenant, at request time. */
export interface SecretExpander {
  expand(value: string, tenantId: string): Promise<string>;
}

export interface InterceptTarget {
  /** Normalised (lower case, no trailing dot). */
  host: string;
  port: number;
  tenantId: string;
  sandboxId: string;
  /** The rules that apply to this host. */
  rules: readonly InjectionRule[];
}

export interface InjectingInterceptorOptions {
  authorityFor: (sandboxId: string) => SandboxCa | undefined;
  secrets: SecretExpander;
  /** Extra roots for origins beside the system ones (AGENTD_EGRESS_EXTRA_CA_FILE). */
  extraOriginCa: string[];
  /** Request and response header bytes each (Node's llhttp limit). */
  maxHeaderBytes: number;
  /** A connection with no traffic for this long (handshake included) is closed. */
  idleTimeoutMs: number;
  logger: Logger;
}

const TLS_HANDSHAKE = 0x16;
/** Per-hop headers (RFC 9110 section 7.6.1): they describe one connection, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Credential injection: agentd terminates the sandbox's TLS with a leaf from the sandbox's own CA (HTTP/1.1
 * only), sets the rule's headers on each request (replacing any the client sent under those names) and
 * forwards it to the origin over a new, normally verified TLS connection. Bodies stream both ways.
 */
export class InjectingInterceptor {
  readonly #log: Logger;
  readonly #originCa: string[];

  constructor(private readonly options: InjectingInterceptorOptions) {
    this.#log = options.logger.child({ component: 'injection' });
    this.#originCa = [...systemRoots(), ...options.extraOriginCa];
  }

  async handle(
    client: Duplex,
    target: InterceptTarget,
    connectUpstream: () => Promise<net.Socket>,
  ): Promise<{ bytesIn: number; bytesOut: number }> {
    const first = await firstChunk(client, this.options.idleTimeoutMs);
    if (first === undefined) {
      client.destroy();
      return { bytesIn: 0, bytesOut: 0 };
    }
    if (first[0] !== TLS_HANDSHAKE) {
      // Credentials are injected over HTTPS only: a plain request would carry them in clear text.
      client.end(refusal(403, `agentd egress: ${target.host} takes HTTPS only (credential injection)`));
      return { bytesIn: 0, bytesOut: 0 };
    }
    client.unshift(first);
    const ca = this.options.authorityFor(target.sandboxId);
    if (!ca) {
      client.destroy();
      throw new Error(`no certificate authority for sandbox ${target.sandboxId}`);
    }
    const leaf = await ca.leafFor(target.host);
    const secure = new tls.TLSSocket(client, {
      isServer: true,
      secureContext: tls.createSecureContext({ cert: leaf.certPem, key: leaf.keyPem }),
      ALPNProtocols: ['http/1.1'],
    });
    const upstream = new UpstreamAgent({ host: target.host, connectUpstream, ca: this.#originCa });
    const server = http.createServer(
      { maxHeaderSize: this.options.maxHeaderBytes, requireHostHeader: true },
      (req, res) => {
        this.#forward(req, res, target, upstream).catch((err: unknown) => {
          const reason = errorMessage(err);
          this.#log.warn({ host: target.host, reason }, 'Injected request failed');
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(502, {
            'content-type': 'text/plain; charset=utf-8',
            'x-agentd-error': 'EGRESS_UPSTREAM',
            connection: 'close',
          });
          res.end(`agentd egress: ${target.host}: ${reason}\n`);
        });
      },
    );
    server.setTimeout(this.options.idleTimeoutMs);
    const closed = new Promise<void>((resolve) => secure.once('close', () => resolve()));
    secure.once('secure', () => {
      const name = (secure as tls.TLSSocket & { servername?: string | false }).servername;
      // The name the client asked for must be the host that was allowed (and that the leaf names).
      if (typeof name !== 'string' || name.toLowerCase().replace(/\.$/, '') !== target.host) secure.destroy();
    });
    secure.on('error', () => secure.destroy());
    server.emit('connection', secure);
    await closed;
    upstream.destroy();
    client.destroy();
    return upstream.bytes;
  }

  async #forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: InterceptTarget,
    upstream: UpstreamAgent,
  ): Promise<void> {
    if (hostOf(req.headers.host) !== target.host) {
      res.writeHead(421, { 'content-type': 'text/plain' });
      res.end(`agentd egress: this connection is for ${target.host}\n`);
      return;
    }
    const injected = new Map<string, [string, string]>();
    for (const rule of target.rules) {
      for (const [name, template] of Object.entries(rule.headers)) {
        const value = await this.options.secrets.expand(template, target.tenantId);
        // eslint-disable-next-line no-control-regex -- a secret holding a line break would split the header
        if (/[\u0000-\u001f\u007f]/.test(value))
          throw new Error(`the value for ${name} is not a header value`);
        injected.set(name.toLowerCase(), [name, value]);
      }
    }
    const headers = forwardable(req.rawHeaders, injected);
    for (const [name, value] of injected.values()) headers.push([name, value]);
    const out = http.request({
      agent: upstream,
      method: req.method,
      path: req.url,
      headers: headers.flat(),
      setHost: false,
      maxHeaderSize: this.options.maxHeaderBytes,
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      out.once('response', resolve);
      out.once('error', reject);
    });
    // The request body streams while the response may already be on its way (both directions at once).
    const sent = pipeline(req, out);
    sent.catch(() => out.destroy());
    const upRes = await response;
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardable(upRes.rawHeaders).flat());
    await Promise.all([sent, pipeline(upRes, res)]);
  }
}

/** Raw header pairs minus hop-by-hop ones, those the Connection header names, and `drop`. */
function forwardable(
  raw: readonly string[],
  drop: ReadonlyMap<string, unknown> = new Map(),
): [string, string][] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'connection')
      for (const token of (raw[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || drop.has(lower)) continue;
    pairs.push([name, raw[i + 1] ?? '']);
  }
  return pairs;
}

function hostOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const name = header.startsWith('[') ? header : header.replace(/:[0-9]*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

function refusal(status: number, message: string): string {
  const body = `${message}\n`;
  return (
    `HTTP/1.1 ${status} Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nX-Agentd-Error: EGRESS_DENIED\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** The connection's first bytes (undefined when it ends or stays silent for `timeoutMs`). */
async function firstChunk(stream: Duplex, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const done = (chunk: Buffer | undefined) => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      resolve(chunk);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) done(chunk);
    };
    const onEnd = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    onReadable();
  });
}
