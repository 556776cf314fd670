#!/usr/bin/env node
// Committed (not built) so that npm can link `agentd` at install time, before `npm run build` makes dist/.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('agentd: not built yet: run `npm run build` in the checkout first\n');
  process.exit(1);
}
await import(cli.href);
