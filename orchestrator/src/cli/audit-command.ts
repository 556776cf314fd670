import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { REPORT_FORMATS } from '../audit/report-format.js';
import { fetchAuditReport } from './audit-report.js';
import { client, out } from './command-context.js';

/** `audit`: the isolation of the node's live sandboxes, or the dated report to file. */
export function registerAuditCommand(program: Command): void {
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
}
