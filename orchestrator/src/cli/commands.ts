import type { Command } from 'commander';
import { registerAuditCommand } from './audit-command.js';
import { registerKeyCommands } from './key-commands.js';
import { registerPolicyCommands } from './policy-commands.js';
import { registerRunCommand } from './run-command.js';
import { registerSandboxCommands } from './sandbox-commands.js';

/** The operator commands that talk to a running agentd over its API. */
export function registerOperatorCommands(program: Command): void {
  program
    .option('--url <url>', 'agentd URL (default AGENTD_URL or http://127.0.0.1:$APP_PORT)')
    .option('--api-key <key>', 'admin API key (default AGENTD_API_KEY or <stateDir>/admin.key)')
    .option('--json', 'print data as JSON');
  registerSandboxCommands(program);
  registerPolicyCommands(program);
  registerAuditCommand(program);
  registerKeyCommands(program);
  registerRunCommand(program);
}
