import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../auth/principal.js';
import type { OperatorService } from '../../operators/operator-service.js';
import { adminRoutes } from './admin.js';

// Fastify serializes answers with the response schema and drops what it does not list: every field the
// operator service gives (optional ones set) must come out as it went in.
const view = {
  id: 'sb1',
  node: 'n1',
  state: 'idle',
  frozen: true,
  tenantId: 't1',
  conversationId: 'conv-sb1',
  profile: 'standard',
  profileVersion: 1,
  containerId: 'c-sb1',
  createdAt: '2026-12-06T20:00:00.000Z',
  lastUsedAt: '2026-12-06T20:30:00.000Z',
  ageSeconds: 3600,
  idleSeconds: 1800,
  workspaceVersion: 3,
};
const reap = {
  sandboxId: 'sb1',
  containerId: 'c-sb1',
  reason: 'manual' as const,
  tenantId: 't1',
  conversationId: 'conv-sb1',
  profile: 'standard',
  at: '2026-12-06T21:00:00.000Z',
  ageMs: 1200,
  idleMs: 300,
  hookError: 'sync failed',
  deferred: false,
  oomKilled: true,
  exitCode: 137,
};
const limits = {
  memoryBytes: 536_870_912,
  nanoCpus: 1_000_000_000,
  pidsLimit: 256,
  workspaceBytes: 104_857_600,
  tmpBytes: 67_108_864,
  shmBytes: 67_108_864,
  nofile: 1024,
  nproc: 256,
  fsizeBytes: 104_857_600,
};
const policy = {
  document: { lifecycle: { idleTtl: '5m' }, profiles: { standard: { limits: { pidsLimit: 256 } } } },
  effective: {
    lifecycle: {
      poolSize: { standard: 2 },
      idleTtlMs: 300_000,
      maxLifetimeMs: 3_600_000,
      maxSandboxesPerNode: 50,
      maxSandboxesPerTenant: 10,
      reapIntervalMs: 10_000,
      idleProcesses: 'freeze',
      idleCpuLimit: 0.5,
      isolation: { apparmor: 'required', userns: 'preferred' },
    },
    limits: { standard: limits },
    egress: {
      standard: {
        mode: 'allowlist',
        allow: ['*.example.com'],
        deny: ['bad.example.com'],
        allowAddresses: ['10.0.0.0/8:443'],
        inject: [{ host: 'api.example.com', headers: { authorization: 'Bearer ${secret:token}' } }],
        maxConnections: 16,
        maxBytesPerRun: 1_073_741_824,
        connectTimeoutMs: 10_000,
      },
    },
  },
  source: 'database',
  updatedAt: '2026-12-06T20:00:00.000Z',
  updatedBy: 'admin:bootstrap',
};
const usage = {
  cpuSeconds: 1.25,
  memoryBytes: 1_000_000,
  memoryPeakBytes: 2_000_000,
  memoryLimitBytes: null,
  oomKills: 0,
  pids: 4,
  pidsLimit: 256,
  pidsRefused: 1,
  throttledPeriods: 2,
  workspace: { usedBytes: 10, sizeBytes: 100 },
};
const limitEvents = [
  { limit: 'pids', message: 'fork refused', runId: 'run1', at: '2026-12-06T20:59:00.000Z' },
];

const answers = {
  sandboxes: [view],
  sandbox: { ...view, usage, limitEvents },
  removed: { sandboxId: 'sb1', status: 'removed', reap },
  forwarded: { sandboxId: 'sb2', status: 'forwarded', node: 'n2' },
  pool: { node: 'n1', pools: [{ profile: 'standard', limitsKey: 'k', target: 2, ready: 1, starting: 1 }] },
  reaps: {
    node: 'n1',
    scope: 'fleet',
    items: [
      { ...reap, node: 'n1' },
      { ...reap, hookError: undefined, node: 'n2', oomKilled: null, exitCode: null },
    ],
  },
  plan: { node: 'n1', dryRun: true, items: [{ reason: 'idle_ttl', sandbox: view }] },
  reaped: { node: 'n1', dryRun: false, items: [reap] },
  nodes: [{ nodeId: 'n1', url: 'http://10.0.0.1:8080', startedAt: '2026-12-06T19:00:00.000Z' }],
  policy,
};

const fakeOperators = (detail: object = answers.sandbox) =>
  ({
    sandboxes: () => Promise.resolve(answers.sandboxes),
    sandbox: () => Promise.resolve(detail),
    removeSandbox: (_context: unknown, id: string) =>
      Promise.resolve(id === 'sb1' ? answers.removed : answers.forwarded),
    pool: () => answers.pool,
    reaps: () => Promise.resolve(answers.reaps),
    reapPlan: () => Promise.resolve(answers.plan),
    reapNow: () => Promise.resolve(answers.reaped),
    nodes: () => Promise.resolve(answers.nodes),
    policy,
    updatePolicy: () => Promise.resolve(policy),
  }) as unknown as OperatorService;

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('admin routes', () => {
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  beforeAll(async () => {
    app.addHook('onRequest', async (request) => {
      request.principal = { actor: 'admin:test', credential: 'api_key', scope: 'admin' } as Principal;
    });
    await app.register(adminRoutes, { operators: fakeOperators() });
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string) => {
    const res = await app.inject({ method, url, ...(method === 'PUT' ? { payload: {} } : {}) });
    return { status: res.statusCode, body: res.json<unknown>() };
  };

  it('answer every field the operator service gives', async () => {
    expect(await call('GET', '/api/admin/sandboxes')).toEqual({
      status: 200,
      body: json({ items: answers.sandboxes, nextCursor: null }),
    });
    expect(await call('GET', '/api/admin/sandboxes/sb1')).toEqual({
      status: 200,
      body: json(answers.sandbox),
    });
    expect(await call('DELETE', '/api/admin/sandboxes/sb1')).toEqual({
      status: 200,
      body: json(answers.removed),
    });
    expect(await call('DELETE', '/api/admin/sandboxes/sb2')).toEqual({
      status: 202,
      body: json(answers.forwarded),
    });
    expect(await call('GET', '/api/admin/pool')).toEqual({ status: 200, body: json(answers.pool) });
    expect(await call('GET', '/api/admin/reaps')).toEqual({ status: 200, body: json(answers.reaps) });
    expect(await call('POST', '/api/admin/reap?dryRun=true')).toEqual({
      status: 200,
      body: json(answers.plan),
    });
    expect(await call('POST', '/api/admin/reap')).toEqual({ status: 200, body: json(answers.reaped) });
    expect(await call('GET', '/api/admin/nodes')).toEqual({
      status: 200,
      body: json({ items: answers.nodes, nextCursor: null }),
    });
    expect(await call('GET', '/api/admin/policies')).toEqual({ status: 200, body: json(policy) });
    expect(await call('PUT', '/api/admin/policies')).toEqual({ status: 200, body: json(policy) });
  });

  it('keep a sandbox whose live usage is unknown as null', async () => {
    const detail = { ...view, usage: null, limitEvents: [] };
    const other = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    await other.register(adminRoutes, { operators: fakeOperators(detail) });
    const res = await other.inject({ method: 'GET', url: '/api/admin/sandboxes/sb1' });
    expect(res.json()).toEqual(json(detail));
  });
});
