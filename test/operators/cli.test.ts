import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { agentd } from './cli-runner.js';

/** The operator CLI against a live agentd. */
describe('agentd CLI', () => {
  let d: TestDaemon;
  let flags: string[];

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_POOL_SIZE: '1' } });
    flags = ['--url', d.url ?? '', '--api-key', d.adminKey];
    await d.pool.settled();
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('has --help on every command', async () => {
    for (const command of [
      [],
      ['sandboxes'],
      ['sandboxes', 'ls'],
      ['pool', 'status'],
      ['reap'],
      ['policy', 'validate'],
      ['audit'],
      ['keys', 'create'],
      ['run'],
      ['image', 'build'],
      ['migrate'],
      ['serve'],
    ]) {
      const res = await agentd([...command, '--help']);
      expect(res.code, command.join(' ')).toBe(0);
      expect(res.stdout, command.join(' ')).toContain('Usage: agentd');
    }
  });

  it('runs a turn and prints the streamed events readably', async () => {
    const res = await agentd([
      ...flags,
      'run',
      '--tenant-name',
      'cli',
      '@tool write_file {"path":"a.txt","content":"from the cli"}\n@tool read_file {"path":"a.txt"}\n@result',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('→ write_file');
    expect(res.stdout).toContain('✔ final answer:\nfrom the cli');
    expect(res.stdout).toMatch(/tokens in \d+, out \d+; cost \$0\.\d{12}; 2 step\(s\)/);
    const json = await agentd([...flags, '--json', 'run', '--tenant-name', 'cli', 'hello']);
    const events = json.stdout
      .trim()
      .split('\n')
      .slice(0)
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['run_start', 'final', 'usage']));
  });

  it('lists, inspects and removes sandboxes; shows the pool; dry-runs the reaper', async () => {
    const ls = await agentd([...flags, 'sandboxes', 'ls']);
    expect(ls.stdout).toMatch(/^SANDBOX\s+STATE\s+TENANT\s+CONVERSATION\s+PROFILE\s+AGE\s+IDLE\s+NODE/);
    const listed = JSON.parse((await agentd([...flags, '--json', 'sandboxes', 'ls'])).stdout) as {
      id: string;
      state: string;
    }[];
    const idle = listed.find((s) => s.state === 'idle');
    expect(idle).toBeDefined();
    const inspect = JSON.parse((await agentd([...flags, 'sandboxes', 'inspect', idle?.id ?? ''])).stdout) as {
      id: string;
    };
    expect(inspect.id).toBe(idle?.id);
    const pool = await agentd([...flags, 'pool', 'status']);
    expect(pool.stdout).toMatch(/standard\s+1\s+1\s+0/);
    const dry = await agentd([...flags, 'reap', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('nothing would be reaped');
    const rm = await agentd([...flags, 'sandboxes', 'rm', idle?.id ?? '']);
    expect(rm.stdout).toContain('removed');
    expect(await d.sandboxes.get(idle?.id ?? '')).toBeUndefined();
    const audit = (await d.api('GET', '/api/audit/log?action=sandbox.remove')).body.items as unknown[];
    expect(audit).toHaveLength(1);
    const missing = await agentd([...flags, 'sandboxes', 'rm', 'doesnotexist']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404 NOT_FOUND');
  });

  it('creates, lists and revokes keys; the key works until revoked', async () => {
    const tenant = (await d.api('POST', '/api/tenants', { name: 'keys' })).body.id as string;
    const created = JSON.parse(
      (await agentd([...flags, '--json', 'keys', 'create', '--name', 'ci', '--tenant', tenant])).stdout,
    ) as { id: string; key: string };
    expect((await d.api('GET', `/api/tenants/${tenant}`, undefined, created.key)).status).toBe(200);
    expect((await agentd([...flags, 'keys', 'ls'])).stdout).toContain(created.id);
    expect((await agentd([...flags, 'keys', 'revoke', created.id])).code).toBe(0);
    expect((await d.api('GET', `/api/tenants/${tenant}`, undefined, created.key)).status).toBe(401);
  });

  it('says clearly when agentd is unreachable or the key is wrong', async () => {
    const down = await agentd(['--url', 'http://127.0.0.1:9', '--api-key', 'x', 'sandboxes', 'ls']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('does not answer');
    const wrong = await agentd(['--url', d.url ?? '', '--api-key', 'wrong', 'sandboxes', 'ls']);
    expect(wrong.stderr).toContain('401 UNAUTHENTICATED');
  });
});
