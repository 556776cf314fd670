import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AgentdError, ValidationError } from '../common/errors.js';
import { loadCliConfig } from '../config/cli-config.js';
import { loadConfig } from '../config/load-config.js';
import { parsePolicyText, resolvePolicy } from '../policy/policy-document.js';
import { loadProfiles } from '../sandbox/profile-loader.js';
import { REPORT_FORMATS } from '../audit/report-format.js';
import { ApiClient } from './api-client.js';
import { fetchAuditReport } from './audit-report.js';
import { formatDuration, formatTable } from './format.js';
import { createProgress } from './progress.js';
import { readSse, renderEvent } from './render-events.js';

interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

type Out = (text: string) => void;

const out: Out = (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

async function client(command: Command): Promise<{ api: ApiClient; json: boolean }> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const config = await loadCliConfig();
  return {
    api: new ApiClient({ url: options.url ?? config.url, apiKey: options.apiKey ?? config.apiKey }),
    json: options.json === true,
  };
}

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

/** The operator commands that talk to a running agentd over its API. */
export function registerOperatorCommands(program: Command): void {
  program
    .option('--url <url>', 'agentd URL (default AGENTD_URL or http://127.0.0.1:$APP_PORT)')
    .option('--api-key <key>', 'admin API key (default AGENTD_API_KEY or <stateDir>/admin.key)')
    .option('--json', 'print data as JSON');

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

  const policy = program.command('policy').description('the lifecycle policy');
  policy
    .command('show')
    .description('the policy in force, where it comes from, and its effective values')
    .action(async (_options: unknown, command: Command) => {
      const { api } = await client(command);
      out(JSON.stringify(await api.request('GET', '/api/admin/policies'), null, 2));
    });
  policy
    .command('validate <file>')
    .description('check a policy document (YAML or JSON) against the profiles, listing every problem')
    .action(async (file: string, _options: unknown, command: Command) => {
      const json = command.optsWithGlobals<GlobalOptions>().json === true;
      const config = loadConfig();
      const profiles = await loadProfiles(config.sandbox);
      let effective: unknown;
      try {
        effective = resolvePolicy(
          parsePolicyText(await readFile(file, 'utf8'), file),
          config.sandbox.lifecycle,
          profiles,
        );
      } catch (err) {
        if (!json || !(err instanceof ValidationError)) throw err;
        out(JSON.stringify({ file, valid: false, issues: err.issues }, null, 2));
        process.exitCode = 2;
        return;
      }
      if (json) return out(JSON.stringify({ file, valid: true, policy: effective }, null, 2));
      out(`${file}: valid\n${JSON.stringify(effective, null, 2)}`);
    });
  policy
    .command('set <file>')
    .description('replace the policy with a document (validated; applied live on every node; audited)')
    .action(async (file: string, _options: unknown, command: Command) => {
      const { api } = await client(command);
      const document = parsePolicyText(await readFile(file, 'utf8'), file);
      out(JSON.stringify(await api.request('PUT', '/api/admin/policies', document), null, 2));
    });

  program
    .command('audit')
    .description(
      'audit the isolation of every live sandbox of the node (engine + host kernel), as Markdown or JSON',
    )
    .option(
      '--format <format>',
      `the dated report to file, with profiles, counts and a sign-off block: ${REPORT_FORMATS.join(', ')}`,
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .action(async (options: { format?: string; output?: string }, command: Command) => {
      const { api, json } = await client(command);
      if (options.format !== undefined) {
        const body = await fetchAuditReport(api, options.format);
        if (options.output === undefined) return out(body);
        await writeFile(options.output, body);
        return out(`wrote ${options.output}`);
      }
      const text = json
        ? JSON.stringify(await api.request('GET', '/api/audit/sandboxes'), null, 2)
        : await api.request<string>('GET', '/api/audit/sandboxes?format=markdown');
      if (options.output === undefined) return out(text);
      await writeFile(options.output, text.endsWith('\n') ? text : `${text}\n`);
      out(`wrote ${options.output}`);
    });

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create a key; it is shown once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--scope <scope>', 'admin or tenant', 'tenant')
    .option('--tenant <tenantId>', 'the tenant a tenant key is scoped to')
    .action(async (options: { name: string; scope: string; tenant?: string }, command: Command) => {
      const { api, json } = await client(command);
      const key = await api.request<{ id: string; key: string; scope: string; tenantId: string | null }>(
        'POST',
        '/api/keys',
        {
          name: options.name,
          scope: options.scope,
          tenantId: options.tenant ?? null,
        },
      );
      out(
        json
          ? JSON.stringify(key, null, 2)
          : `${key.key}\n(id ${key.id}, ${key.scope}${key.tenantId ? ` of ${key.tenantId}` : ''}; shown once)`,
      );
    });
  keys
    .command('revoke <keyId>')
    .description('revoke a key')
    .action(async (keyId: string, _options: unknown, command: Command) => {
      const { api } = await client(command);
      await api.request('DELETE', `/api/keys/${encodeURIComponent(keyId)}`);
      out(`${keyId}: revoked`);
    });
  keys
    .command('ls')
    .description('list keys (prefixes only)')
    .action(async (_options: unknown, command: Command) => {
      const { api, json } = await client(command);
      const page = await api.request<{
        items: {
          id: string;
          name: string;
          scope: string;
          tenantId: string | null;
          prefix: string;
          revokedAt: string | null;
        }[];
      }>('GET', '/api/keys');
      if (json) return out(JSON.stringify(page.items, null, 2));
      out(
        formatTable(
          ['ID', 'NAME', 'SCOPE', 'TENANT', 'PREFIX', 'REVOKED'],
          page.items.map((k) => [k.id, k.name, k.scope, k.tenantId, k.prefix, k.revokedAt]),
        ),
      );
    });

  program
    .command('run <message>')
    .description('send a message to a conversation and print the streamed events readably')
    .option('--tenant <tenantId>', 'tenant id (default: a tenant named by --tenant-name, created if missing)')
    .option('--tenant-name <name>', 'tenant to use or create by name', 'default')
    .option('--conversation <conversationId>', 'conversation id (default: a new conversation)')
    .action(
      async (
        message: string,
        options: { tenant?: string; tenantName: string; conversation?: string },
        command: Command,
      ) => {
        const { api, json } = await client(command);
        const tenantId = options.tenant ?? (await tenantByName(api, options.tenantName));
        const conversationId =
          options.conversation ??
          (
            await api.request<{ id: string }>('POST', `/api/tenants/${tenantId}/conversations`, {
              title: message.slice(0, 60),
            })
          ).id;
        const res = await api.fetch(
          'POST',
          `/api/tenants/${tenantId}/conversations/${conversationId}/stream`,
          { message },
          { accept: 'text/event-stream' },
        );
        if (!res.ok || !res.body)
          throw new AgentdError('INTERNAL_ERROR', `stream refused: ${res.status} ${await res.text()}`);
        if (!json) out(`tenant ${tenantId}, conversation ${conversationId}`);
        const outcome = { failed: false };
        const done = await readSse(res.body, (event) => {
          if (event.type === 'error') outcome.failed = true;
          if (json) out(JSON.stringify(event));
          else renderEvent(event, (text) => process.stdout.write(text), process.stdout.isTTY);
        });
        if (!done || outcome.failed) process.exitCode = 1;
      },
    );
}

async function tenantByName(api: ApiClient, name: string): Promise<string> {
  let cursor: string | null = null;
  do {
    const page: { items: { id: string; name: string }[]; nextCursor: string | null } = await api.request(
      'GET',
      `/api/tenants?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const found = page.items.find((t) => t.name === name);
    if (found) return found.id;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return (await api.request<{ id: string }>('POST', '/api/tenants', { name })).id;
}
