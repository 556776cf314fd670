import type { Command } from 'commander';
import { client, out } from './command-context.js';
import { formatDuration, formatTable } from './format.js';
import { createProgress } from './progress.js';

interface SandboxRow {
  id: string;
  node: string;
  state: string;
  tenantId: string | null;
  conversationId: string | null;
  profile: string;
  ageSeconds: number;
  idleSeconds: number;
}

/** `sandboxes`, `pool` and `reap`: the fleet's sandboxes and this node's warm pool and reaper. */
export function registerSandboxCommands(program: Command): void {
  const sandboxes = program.command('sandboxes').description('sandboxes of the fleet');
  sandboxes
    .command('ls')
    .description('list every sandbox: state, tenant, conversation, profile, age, idle time, node')
    .action(async (_options: unknown, command: Command) => {
      const { api, json } = await client(command);
      const page = await api.request<{ items: SandboxRow[] }>('GET', '/api/admin/sandboxes');
      if (json) return out(JSON.stringify(page.items, null, 2));
      out(
        formatTable(
          ['SANDBOX', 'STATE', 'TENANT', 'CONVERSATION', 'PROFILE', 'AGE', 'IDLE', 'NODE'],
          page.items.map((s) => [
            s.id,
            s.state,
            s.tenantId,
            s.conversationId,
            s.profile,
            formatDuration(s.ageSeconds),
            formatDuration(s.idleSeconds),
            s.node,
          ]),
        ),
      );
    });
  sandboxes
    .command('inspect <sandboxId>')
    .description('one sandbox, as JSON')
    .action(async (sandboxId: string, _options: unknown, command: Command) => {
      const { api } = await client(command);
      out(
        JSON.stringify(
          await api.request('GET', `/api/admin/sandboxes/${encodeURIComponent(sandboxId)}`),
          null,
          2,
        ),
      );
    });
  sandboxes
    .command('rm <sandboxId>')
    .description('force-remove a sandbox (audited)')
    .action(async (sandboxId: string, _options: unknown, command: Command) => {
      const { api, json } = await client(command);
      const result = await api.request<{ status: string }>(
        'DELETE',
        `/api/admin/sandboxes/${encodeURIComponent(sandboxId)}`,
      );
      out(json ? JSON.stringify(result, null, 2) : `${sandboxId}: ${result.status}`);
    });

  const pool = program.command('pool').description('the warm pool');
  pool
    .command('wait')
    .description('wait until every profile has its target of warm sandboxes (progress on a terminal)')
    .option('--timeout <seconds>', 'give up after this long', '300')
    .action(async (options: { timeout: string }, command: Command) => {
      const { api } = await client(command);
      const progress = createProgress('pool warm-up', process.stdout);
      const deadline = Date.now() + Number(options.timeout) * 1000;
      for (;;) {
        const status = await api.request<{
          node: string;
          pools: { profile: string; target: number; ready: number; starting: number }[];
        }>('GET', '/api/admin/pool');
        const summary = status.pools.map((p) => `${p.profile} ${p.ready}/${p.target}`).join(', ');
        if (status.pools.every((p) => p.ready >= p.target)) {
          progress.done(`ready on ${status.node}: ${summary || 'no pools'}`);
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`the pool is not warm after ${options.timeout}s: ${summary}`);
        progress.step(summary);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
  pool
    .command('status')
    .description('warm sandboxes per profile on the node: target, ready, starting')
    .action(async (_options: unknown, command: Command) => {
      const { api, json } = await client(command);
      const status = await api.request<{
        node: string;
        pools: { profile: string; target: number; ready: number; starting: number }[];
      }>('GET', '/api/admin/pool');
      if (json) return out(JSON.stringify(status, null, 2));
      out(
        formatTable(
          ['PROFILE', 'TARGET', 'READY', 'STARTING', 'NODE'],
          status.pools.map((p) => [p.profile, p.target, p.ready, p.starting, status.node]),
        ),
      );
    });

  program
    .command('reap')
    .description('run one reaper tick now (or show what it would remove)')
    .option('--dry-run', 'show what would be removed, and why, without removing anything')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const { api, json } = await client(command);
      const result = await api.request<{
        items: { reason: string; sandbox?: SandboxRow; sandboxId?: string }[];
      }>('POST', `/api/admin/reap${options.dryRun === true ? '?dryRun=true' : ''}`);
      if (json) return out(JSON.stringify(result, null, 2));
      if (result.items.length === 0)
        return out(options.dryRun === true ? 'nothing would be reaped' : 'nothing reaped');
      out(
        formatTable(
          ['SANDBOX', 'REASON'],
          result.items.map((i) => [i.sandbox?.id ?? i.sandboxId, i.reason]),
        ),
      );
    });
}
