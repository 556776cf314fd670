import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { randomId } from '../../orchestrator/src/common/ids.js';

export interface S3Request {
  method: string;
  /** Path without the query, decoded: `/<bucket>/<key>`. */
  path: string;
  query: string;
  /** A server-side copy (CopyObject). */
  copy: boolean;
  /** `performance.now()` when the request reached the proxy, and when its response was fully sent. */
  at: number;
  doneAt?: number;
}

/** A rule that answers matching requests with a 503 (S3's SlowDown) instead of passing them on. */
interface Fault {
  match: (r: S3Request) => boolean;
  remaining: number;
}

export interface S3TestServer extends AsyncDisposable {
  endpoint: string;
  bucket: string;
  /** Every request that reached the proxy, in order. */
  requests: S3Request[];
  /** Requests under `prefix` (a key prefix in the bucket) since `from` (an index into `requests`). */
  requestsUnder(prefix: string, from?: number): S3Request[];
  /** The next `count` requests matching `match` fail with 503. */
  fail(count: number, match?: (r: S3Request) => boolean): void;
  /** Drops every pending fault. */
  heal(): void;
  /** s3rver itself, behind the counting proxy (for a benchmark that counts in a proxy of its own). */
  upstream: string;
  /** The environment that points agentd at this server. */
  env(prefix: string): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real S3 HTTP API (s3rver, files in a temp dir) behind a counting proxy that can inject 503s. The proxy
 * forwards headers untouched, so SigV4 signatures still verify.
 */
export async function startS3(
  options: {
    ownProcess?: boolean;
    /**
     * Keeps s3rver's files on a tmpfs (benchmarks): a real S3's disks are not on this host, and the kernel's
     * writeback of its files, seconds later, lands on whatever is being measured then.
     */
    inMemory?: boolean;
  } = {},
): Promise<S3TestServer> {
  // The SDK's default credential chain reads these: s3rver's fixed account.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const directory = await mkdtemp(path.join(options.inMemory ? memoryTmpdir() : tmpdir(), 's3rver-'));
  const bucket = `agentd-${randomId(8)}`;
  const s3rver = options.ownProcess
    ? await s3rverProcess(directory, bucket)
    : new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory,
        configureBuckets: [{ name: bucket }],
      });
  const upstream = await s3rver.run();
  const requests: S3Request[] = [];
  const faults: Fault[] = [];
  const proxy = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const seen: S3Request = {
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: url.search,
      copy: req.headers['x-amz-copy-source'] !== undefined,
      at: performance.now(),
    };
    res.on('close', () => (seen.doneAt = performance.now()));
    requests.push(seen);
    const fault = faults.find((f) => f.remaining > 0 && f.match(seen));
    if (fault) {
      fault.remaining -= 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>',
      );
      return;
    }
    const forward = http.request(
      { host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    })());
  return {
    endpoint,
    upstream: `http://127.0.0.1:${upstream.port}`,
    bucket,
    requests,
    requestsUnder: (prefix, from = 0) =>
      requests
        .slice(from)
        .filter(
          (r) => r.path.startsWith(`/${bucket}/${prefix}`) || r.query.includes(encodeURIComponent(prefix)),
        ),
    fail: (count, match = () => true) => faults.push({ match, remaining: count }),
    heal: () => faults.splice(0),
    env: (prefix) => ({
      S3_BUCKET_NAME: bucket,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PREFIX: prefix,
      AWS_REGION: 'us-east-1',
      // Fast retries in tests: the SDK's standard strategy, fewer attempts.
      S3_MAX_ATTEMPTS: '3',
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** s3rver in a child process (benchmarks: it must not share agentd's event loop). */
async function s3rverProcess(
  directory: string,
  bucket: string,
): Promise<{ run(): Promise<{ port: number }>; close(): Promise<void> }> {
  const script = `
    const S3rver = require('s3rver');
    new S3rver(${JSON.stringify({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] })})
      .run().then((a) => console.log(JSON.stringify(a)));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (line: Buffer) =>
      resolve((JSON.parse(line.toString()) as { port: number }).port),
    );
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    run: () => Promise.resolve({ port }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** A directory on a tmpfs for scratch files: /dev/shm where the host has it, else the usual temp dir. */
export function memoryTmpdir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
