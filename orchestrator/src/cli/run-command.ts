import type { Command } from 'commander';
import { AgentdError } from '../common/errors.js';
import type { ApiClient } from './api-client.js';
import { client, out } from './command-context.js';
import { readSse, renderEvent } from './render-events.js';

/** `run <message>`: one run, its events printed readably (or as JSON lines). */
export function registerRunCommand(program: Command): void {
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
