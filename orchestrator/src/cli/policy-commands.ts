import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../common/errors.js';
import { loadConfig } from '../config/load-config.js';
import { parsePolicyText, resolvePolicy } from '../policy/policy-document.js';
import { loadProfiles } from '../sandbox/profile-loader.js';
import { client, out, type GlobalOptions } from './command-context.js';

/** `policy show|validate|set`: the lifecycle policy. */
export function registerPolicyCommands(program: Command): void {
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
}
