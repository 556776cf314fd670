import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { CallHomeServer, assertSocketPathFits } from './call-home-server.js';

let stateDir: string;
let server: CallHomeServer;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-ch-'));
  server = new CallHomeServer({
    stateDir,
    logger: silentLogger(),
    pollTimeoutMs: 300,
    maxJsonBytes: 1024,
    maxConnectionsPerSandbox: 8,
  });
});
afterEach(async () => {
  await server.detachAll();
  await rm(stateDir, { recursive: true, force: true });
});

function call(
  socketPath: string,
  method: string,
  urlPath: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: urlPath, headers: { 'x-agentd-runner': 'test' } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('CallHomeServer', () => {
  it('creates an agentd-owned 0755 directory with a 0666 socket', async () => {
    const channel = await server.open('abcd1234');
    const dirStat = await stat(server.socketDirOf('abcd1234'));
    expect(dirStat.mode & 0o777).toBe(0o755);
    expect((await stat(channel.socketPath)).mode & 0o777).toBe(0o666);
  });

  it('hands a job to a long-polling runner and resolves with its result', async () => {
    const channel = await server.open('abcd1234');
    const poll = call(channel.socketPath, 'GET', '/v1/runner/next');
    await channel.connected;
    expect(channel.runnerVersion).toBe('test');
    const result = channel.send({ kind: 'ping' }, 2_000);
    const job = JSON.parse((await poll).body) as { jobId: string; kind: string };
    expect(job.kind).toBe('ping');
    const posted = await call(
      channel.socketPath,
      'POST',
      `/v1/jobs/${job.jobId}/result`,
      JSON.stringify({
        jobId: job.jobId,
        ok: true,
        data: { protocolVersion: 1, runnerVersion: 'test', pid: 7, uptimeMs: 1 },
      }),
    );
    expect(posted.status).toBe(204);
    await expect(result).resolves.toMatchObject({ jobId: job.jobId, ok: true });
  });

  it('answers 204 when no job arrives before the poll timeout', async () => {
    const channel = await server.open('abcd1234');
    expect((await call(channel.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('rejects malformed, oversized and mismatched runner input with 400 and stays up', async () => {
    const channel = await server.open('abcd1234');
    const garbage = await call(channel.socketPath, 'POST', '/v1/jobs/abc/result', '{not json');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toMatchObject({ error: { code: 'RUNNER_PROTOCOL_ERROR' } });
    const big = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'abc', ok: true, data: 'x'.repeat(5000) }),
    );
    expect(big.status).toBe(400);
    const wrongShape = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'abc', ok: 'yes' }),
    );
    expect(wrongShape.status).toBe(400);
    const mismatch = await call(
      channel.socketPath,
      'POST',
      '/v1/jobs/abc/result',
      JSON.stringify({ jobId: 'xyz', ok: true, data: null }),
    );
    expect(mismatch.status).toBe(400);
    expect((await call(channel.socketPath, 'GET', '/v1/nope')).status).toBe(404);
    expect((await call(channel.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('fails a job the runner never answers, and fails pending jobs when the sandbox goes away', async () => {
    const channel = await server.open('abcd1234');
    await expect(channel.send({ kind: 'ping' }, 50)).rejects.toMatchObject({ code: 'SANDBOX_LOST' });
    const pending = expect(channel.send({ kind: 'ping' }, 5_000)).rejects.toMatchObject({
      code: 'SANDBOX_LOST',
    });
    await server.close('abcd1234');
    await pending;
    await expect(stat(server.socketDirOf('abcd1234'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('re-listens in the same directory after a restart (adoption)', async () => {
    const before = await server.open('abcd1234');
    const dirIno = (await stat(server.socketDirOf('abcd1234'))).ino;
    await server.detachAll();
    const after = await server.open('abcd1234');
    expect((await stat(server.socketDirOf('abcd1234'))).ino).toBe(dirIno);
    expect(after).not.toBe(before);
    expect((await call(after.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });

  it('refuses socket paths that do not fit in sun_path', () => {
    expect(() => assertSocketPathFits(`/${'x'.repeat(120)}/agentd.sock`)).toThrow(/longer than 107 bytes/);
  });
});
