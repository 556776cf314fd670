#!/usr/bin/env node
import closeWithGrace from 'close-with-grace';
import { Command } from 'commander';
import { errorMessage, isAgentdError } from './common/errors.js';
import { createLogger } from './common/logger.js';
import { loadConfig } from './config/load-config.js';
import { migrate } from './db/migrate.js';
import { createAgentdImageBuilder, createDaemon, createImageBuilder } from './main.js';
import { registerOperatorCommands } from './cli/commands.js';
import { bashCompletion } from './cli/completion.js';
import { createProgress } from './cli/progress.js';
import { buildInfo, versionLine } from './cli/version.js';

// `agentd --json run … | head`: the reader left, so stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

const program = new Command('agentd')
  .description('Container-isolated agent orchestrator daemon')
  .version(versionLine(buildInfo()), '-V, --version', 'print the version and the commit it was built from')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the daemon: HTTP API, sandbox pool, reaper, reconcile')
  .action(async () => {
    const config = loadConfig(undefined, { isTty: process.stdout.isTTY });
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      base: { node: config.nodeId },
    });
    const daemon = await createDaemon(config, logger);
    // First SIGTERM/SIGINT: graceful shutdown (SHUTDOWN_TIMEOUT for runs, then they are interrupted).
    // A second signal, or the delay running out, exits at once.
    closeWithGrace(
      { delay: config.shutdownTimeoutMs + 15_000, logger: { error: (m: string) => logger.error(m) } },
      async ({ signal, err }) => {
        if (err) logger.error({ err }, 'Fatal error; shutting down');
        else logger.info({ signal }, 'Shutting down gracefully');
        await daemon.shutdown();
      },
    );
    await daemon.start();
  });

program
  .command('migrate')
  .description('apply the database migrations (DATABASE_URL)')
  .action(async () => {
    const config = loadConfig(undefined, { isTty: process.stdout.isTTY });
    if (config.database.url === undefined)
      throw new Error('DATABASE_URL is not set (the embedded database migrates itself at start-up)');
    const logger = createLogger({ level: 'warn', pretty: config.log.pretty });
    // Progress on stderr: stdout keeps the one JSON result scripts read.
    const progress = createProgress('migrate', process.stderr);
    const result = await migrate(config.database.url, logger, {
      onApply: (name) => progress.step(`applying ${name}`),
    });
    progress.done(`${result.applied.length} applied, ${result.skipped.length} already applied`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });

const image = program.command('image').description('the sandbox-runner image');
image
  .command('build')
  .description('build the runner image (offline Debian base via debootstrap, cached; then the Dockerfile)')
  .option('--force', 'rebuild the base and the image even when up to date')
  .option('--agentd', "build agentd's own image (FROM the same offline base) instead of the runner's")
  .action(async (options: { force?: boolean; agentd?: boolean }) => {
    const config = loadConfig(undefined, { isTty: process.stdout.isTTY });
    const logger = createLogger({ level: 'warn', pretty: false });
    const started = Date.now();
    const progress = createProgress('image build', process.stdout);
    const step = (line: string) => progress.step(line);
    if (options.agentd === true) {
      const builder = await createAgentdImageBuilder(config, logger, step);
      const result = await builder.ensure(options.force === true);
      progress.done(
        `${result.built ? 'built' : 'up to date'}: ${result.image} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
      return;
    }
    const builder = await createImageBuilder(config, logger, step);
    const result = await builder.ensure(options.force === true);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    progress.done(
      `${result.built ? 'built' : 'up to date'}: ${result.image} (base ${result.base}) in ${seconds}s`,
    );
  });

registerOperatorCommands(program);

program
  .command('completion')
  .description('print a shell completion script: `source <(agentd completion bash)`')
  .argument('<shell>', 'bash')
  .action((shell: string) => {
    if (shell !== 'bash') throw new Error(`no completion for ${shell}: only bash is supported`);
    process.stdout.write(bashCompletion(program));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`agentd: ${errorMessage(err)}\n`);
  process.exitCode = isAgentdError(err) && err.code === 'VALIDATION_FAILED' ? 2 : 1;
});
