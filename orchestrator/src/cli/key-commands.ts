import type { Command } from 'commander';
import { client, out } from './command-context.js';
import { formatTable } from './format.js';

/** `keys create|revoke|ls`: API keys. */
export function registerKeyCommands(program: Command): void {
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
}
