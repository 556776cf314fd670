import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { spawnAgentd, type AgentdProcess } from '../support/agentd-process.js';
import {
  architectureReferences,
  bashBlocks,
  configVariables,
  openApiRoutes,
  readmeRoutes,
  readmeVariables,
} from './readme-facts.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO, 'orchestrator/dist/cli.js');
const CONFIG_DIR = path.join(REPO, 'orchestrator/src/config');

/** ```bash blocks of README.md that are not run, each with why. The test fails when one is gone. */
const EXCLUDED_BLOCKS = [
  { startsWith: '# 1. The main job', why: 'installs system packages and runs every test suite' },
  {
    startsWith: '# Scale curves',
    why: 'a benchmark of hundreds of sandboxes; its smoke mode runs in test/bench/bench-scale-smoke.test.ts',
  },
];
/** Routes the README lists that the OpenAPI document leaves out (the document itself and its UI). */
const UNDOCUMENTED_ROUTES = ['GET /docs', 'GET /docs/json', 'GET /console'];
/** Read by the configuration but not agentd's own settings: the user's home (the state dir's default). */
const NOT_SETTINGS = ['HOME'];

/** README's examples, as a user pastes them: one bash, in the checkout, against the quickstart's agentd. */
describe('README', () => {
  let readme = '';
  let agentd: AgentdProcess | undefined;
  let stateDir = '';
  const nodeId = `readme-${randomId(6).toLowerCase()}`;

  beforeAll(async () => {
    readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-readme-'));
    // The embedded defaults: every setting unset (an empty value is unset) but where this instance lives.
    const unset = Object.fromEntries(
      (await configVariables(CONFIG_DIR))
        .filter((name) => !['HOME', 'DOCKER_HOST'].includes(name))
        .map((name) => [name, '']),
    );
    agentd = await spawnAgentd(nodeId, {
      ...unset,
      AGENTD_STATE_DIR: stateDir,
      AGENTD_NODE_ID: nodeId,
      APP_HOST: '127.0.0.1',
      APP_PORT: '0',
      // No warm pool: the examples create what they use, and the suite stays lean on 2 cores.
      AGENTD_POOL_SIZE: '0',
    });
  });

  afterAll(async () => {
    await agentd?.stop();
    const docker = new DockerEngine({ dockerHost: 'unix:///var/run/docker.sock', logger: silentLogger() });
    for (const c of await docker.containers.listManaged({ [LABELS.node]: nodeId }))
      await docker.containers.remove(c.id);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  /** The variables the README tells the user about, pointing at this test's agentd. */
  const userEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, AGENTD_URL: agentd?.url, AGENTD_STATE_DIR: stateDir };
    delete env.AGENTD_API_KEY;
    return env;
  };

  it('every ```bash example runs in one shell against a live agentd', async () => {
    const blocks = bashBlocks(readme);
    for (const excluded of EXCLUDED_BLOCKS) {
      expect(
        blocks.some((b) => b.code.startsWith(excluded.startsWith)),
        `excluded block "${excluded.startsWith}" is gone: update EXCLUDED_BLOCKS`,
      ).toBe(true);
    }
    const run = blocks.filter((b) => !EXCLUDED_BLOCKS.some((e) => b.code.startsWith(e.startsWith)));
    expect(run.length).toBeGreaterThanOrEqual(10);
    const script = [
      'set -euo pipefail',
      ...run.map(
        (b) => `echo "::block README.md:${b.line}::"; echo "::block README.md:${b.line}::" >&2\n${b.code}`,
      ),
      'echo "::end::"',
    ].join('\n');
    const child = spawn('bash', ['-c', script], {
      cwd: REPO,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    const failedAt = [...stdout.matchAll(/::block (README\.md:\d+)::/g)].at(-1)?.[1];
    expect(
      code,
      `the example at ${failedAt} failed:\n${stderr.slice(-3000)}\n--- stdout:\n${stdout.slice(-2000)}`,
    ).toBe(0);
    expect(stdout).toContain('::end::');
    // What each part of the walk-through shows, so an example that quietly does nothing fails too.
    expect(stdout).toMatch(/data: \{"type":"tool_result"[^\n]*uid=1000/);
    expect(stdout).toMatch(/"final": "Hello from a query\.\\n"/);
    expect(stdout).toMatch(/^run run_[a-z0-9]+$/m);
    expect(stdout).toContain('"type":"final","content":"ship it\\n');
    expect(stdout).toMatch(/::block README\.md:\d+::\nretry: 3000\n\nid: 4\n/);
    expect(stdout).toContain('after the end: 204');
    expect(stdout).toMatch(/^TLS: HTTP\/2\nh2c: HTTP\/2\ncreated over-h2$/m);
    expect(stdout).toContain('"status": "succeeded"');
    expect(stdout).toMatch(/^notes\/todo\.txt 8$/m);
    expect(stdout).toMatch(/^ship it$/m);
    expect(stdout).toContain('"path": "input/order.csv"');
    expect(stdout).toContain('Hello from the CLI.');
    expect(stdout).toContain('nothing would be reaped');
    expect(stdout).toContain('"kind": "conversation"');
    expect(stdout).toContain('revoked: 204');
    expect(stdout).toContain('console: 200 text/html; charset=utf-8');
    expect(stdout).toMatch(/^script-src 'self'$/m);
    expect(stdout).toContain('"type":"final","content":"Hello, AgentCore.\\n');
    expect(stdout).toMatch(/^Healthy(Busy)?$/m);
    expect(stdout).toMatch(/^still here$/m);
  });

  it('lists exactly the routes of the OpenAPI document', async () => {
    const spec = (await (await fetch(`${agentd?.url ?? ''}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = readmeRoutes(readme).filter((r) => !UNDOCUMENTED_ROUTES.includes(r));
    expect(documented).toEqual(openApiRoutes(spec));
    for (const route of UNDOCUMENTED_ROUTES) {
      const res = await fetch(`${agentd?.url ?? ''}${route.split(' ')[1] ?? ''}`);
      expect(res.status, route).toBe(200);
    }
  });

  it('lists exactly the environment variables the configuration reads', async () => {
    const read = (await configVariables(CONFIG_DIR)).filter((name) => !NOT_SETTINGS.includes(name));
    expect(read.length).toBeGreaterThan(50);
    expect(readmeVariables(readme)).toEqual(read);
  });

  it('serves a valid OpenAPI document whose summaries and security match the routes', async () => {
    const url = agentd?.url ?? '';
    const spec = (await (await fetch(`${url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
    };
    const result = await validate(structuredClone(spec) as never);
    expect(result).toMatchObject({ valid: true });
    for (const [route, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(operation.summary, `${method} ${route}`).toMatch(/\S/);
        // The document's claim, checked against the server: no security means no key needed.
        const res = await fetch(`${url}${route.replace(/\{[^}]+\}/g, 'x')}`, {
          method: method.toUpperCase(),
        });
        const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
        if (isPublic) expect(res.status, `${method} ${route}`).not.toBe(401);
        else expect(res.status, `${method} ${route}`).toBe(401);
      }
    }
  });

  it('documents every event of the SSE routes, Last-Event-ID and the 204 at the end', async () => {
    type Operation = {
      parameters?: { in: string; name: string }[];
      responses: Record<string, { content?: Record<string, { schema: { anyOf?: { title?: string }[] } }> }>;
    };
    const spec = (await (await fetch(`${agentd?.url ?? ''}/docs/json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const base = '/api/tenants/{tenantId}/conversations/{conversationId}';
    const stream = spec.paths[`${base}/stream`]?.post;
    const resume = spec.paths[`${base}/runs/{runId}/events`]?.get;
    for (const operation of [stream, resume]) {
      const events = operation?.responses['200']?.content?.['text/event-stream']?.schema.anyOf ?? [];
      expect(events.map((e) => e.title).sort()).toEqual(
        [
          'allocating',
          'egress',
          'error',
          'final',
          'run_start',
          'server_shutdown',
          'step_complete',
          'step_start',
          'text',
          'thinking',
          'tool_call',
          'tool_result',
          'usage',
          'warning',
        ].sort(),
      );
    }
    expect(resume?.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'last-event-id' }),
    );
    expect(resume?.responses).toHaveProperty('204');
  });

  it('documents the WebSocket messages in both directions', async () => {
    type Schema = { anyOf?: { title?: string }[] };
    const spec = (await (await fetch(`${agentd?.url ?? ''}/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
      >;
      components: { schemas: Record<string, Schema & { title?: string }> };
    };
    for (const route of [
      '/ws/{conversationId}',
      '/api/tenants/{tenantId}/conversations/{conversationId}/ws',
    ]) {
      const sent =
        spec.paths[route]?.get?.responses['101']?.content?.['application/json']?.schema.anyOf ?? [];
      const titles = sent.map((s) => s.title);
      for (const type of ['run_start', 'final', 'error', 'ws end', 'ws pong', 'ws server_shutdown'])
        expect(titles, route).toContain(type);
    }
    const client = Object.values(spec.components.schemas).find((s) => JSON.stringify(s).includes('"resume"'));
    expect(JSON.stringify(client)).toMatch(/"chat".*"cancel".*"ping".*"resume"/s);
  });

  it('code comments cite sections that docs/architecture.md has (and no design file outside the repository)', async () => {
    const architecture = await readFile(path.join(REPO, 'docs/architecture.md'), 'utf8');
    const sections = [...architecture.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase());
    const refs = await architectureReferences(REPO, ['orchestrator/src', 'sandbox-runner/src', 'test']);
    expect(refs.length).toBeGreaterThanOrEqual(15);
    // This suite names the old file itself, to look for it.
    const dangling = refs.filter((r) => !r.file.startsWith('test/docs/') && !sections.includes(r.section));
    expect(dangling).toEqual([]);
  });

  it('`agentd --json run … | head` ends quietly when the reader goes away', async () => {
    const child = spawn(
      process.execPath,
      [CLI, '--json', 'run', '--tenant-name', 'pipes', '@repeat 2000 a line long enough to fill the pipe'],
      { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `head -n 1`: read the first line, then close the pipe while the CLI still writes.
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
