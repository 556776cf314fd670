import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SkillsSyncJob } from '@agentd/sandbox-runner/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeServer } from '../callhome/call-home-server.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import { silentLogger } from '../common/logger.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { SkillListing } from '../runs/skills-prompt.js';
import type { Store } from '../store/repositories.js';
import type { StoredSkill } from '../store/skill-repository.js';
import { SkillDelivery } from './skill-delivery.js';
import type { SkillService } from './skill-service.js';

const skill = (name: string, digest: string): StoredSkill => ({
  tenantId: 't1',
  name,
  version: 1,
  description: `about ${name}`,
  sizeBytes: 3,
  fileCount: 1,
  digest: digest.repeat(64),
  enabled: true,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

function call(socketPath: string, method: string, urlPath: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('skill delivery over the call-home socket', () => {
  let stateDir: string;
  let server: CallHomeServer;
  let skills: StoredSkill[];
  let delivery: SkillDelivery;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-sk-'));
    server = new CallHomeServer({
      stateDir,
      logger: silentLogger(),
      pollTimeoutMs: 300,
      maxJsonBytes: 4096,
      maxConnectionsPerSandbox: 8,
    });
    skills = [skill('a', 'a'), skill('b', 'b')];
    const store = {
      skills: { list: () => Promise.resolve(skills), choice: () => Promise.resolve(undefined) },
    } as unknown as Store;
    const service = {
      archive: (_t: string, name: string) => Promise.resolve(Buffer.from(`tar of ${name}`)),
    } as unknown as SkillService;
    delivery = new SkillDelivery({
      store,
      skills: service,
      callHome: server,
      timeoutMs: 5_000,
      logger: silentLogger(),
    });
  });
  afterEach(async () => {
    await server.detachAll();
    await rm(stateDir, { recursive: true, force: true });
  });

  const runOn = (channel: SandboxChannel, listed: SkillListing[][]) =>
    ({
      id: 'run1',
      tenant: { id: 't1' },
      conversation: { id: 'c1' },
      lease: { channel },
      useSkills: (s: SkillListing[]) => listed.push(s),
    }) as unknown as ActiveRun;

  it('serves only the skills a job named, only to its sandbox; an unchanged set sends no job', async () => {
    const mine = await server.open('sbxmine1');
    const other = await server.open('sbxother1');
    const listed: SkillListing[][] = [];
    const delivered = delivery.deliver(runOn(mine, listed));
    const job = JSON.parse((await call(mine.socketPath, 'GET', '/v1/runner/next')).body) as SkillsSyncJob;
    expect(job.skills.map((s) => s.name)).toEqual(['a', 'b']);

    // Another sandbox that learnt the sync id gets nothing; nor does a skill the job did not name.
    expect((await call(other.socketPath, 'GET', `/v1/skills/${job.syncId}/a`)).status).toBe(404);
    expect((await call(mine.socketPath, 'GET', `/v1/skills/${job.syncId}/c`)).status).toBe(404);
    expect(await call(mine.socketPath, 'GET', `/v1/skills/${job.syncId}/a`)).toEqual({
      status: 200,
      body: 'tar of a',
    });

    const result = { jobId: job.jobId, ok: true, data: { written: 2, kept: 0, deleted: 0, bytes: 16 } };
    await call(mine.socketPath, 'POST', `/v1/jobs/${job.jobId}/result`, JSON.stringify(result));
    await delivered;
    expect(listed).toEqual([
      [
        { name: 'a', description: 'about a' },
        { name: 'b', description: 'about b' },
      ],
    ]);
    // The delivery is over: its id serves nothing any more.
    expect((await call(mine.socketPath, 'GET', `/v1/skills/${job.syncId}/a`)).status).toBe(404);

    // Same skills, same digests: no job at all (the poll times out empty).
    await delivery.deliver(runOn(mine, listed));
    expect((await call(mine.socketPath, 'GET', '/v1/runner/next')).status).toBe(204);
  });
});
