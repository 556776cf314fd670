#!/usr/bin/env node
import { Command } from 'commander';
import { errorMessage, isAgentdError } from './common/errors.js';
import { createLogger } from './common/logger.js';
import { loadConfig } from './config/load-config.js';
import { createDaemon, createImageBuilder } from './main.js';

const program = new Command('agentd')
  .description('Container-isolated agent orchestrator daemon')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the daemon: reconcile, keep the warm pool, reap by policy')
  .action(async () => {
    const config = loadConfig(undefined, { isTty: process.stdout.isTTY });
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      base: { node: config.nodeId },
    });
    const daemon = await createDaemon(config, logger);
    await daemon.start();
    logger.info(
      { stateDir: config.stateDir, apparmor: daemon.hostSecurity.apparmor.reason },
      'agentd started',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    logger.info('Shutting down');
    await daemon.close();
  });

const image = program.command('image').description('the sandbox-runner image');
image
  .command('build')
  .description('build the runner image (offline Debian base via debootstrap, cached; then the Dockerfile)')
  .option('--force', 'rebuild the base and the image even when up to date')
  .action(async (options: { force?: boolean }) => {
    const config = loadConfig(undefined, { isTty: process.stdout.isTTY });
    const logger = createLogger({ level: 'warn', pretty: false });
    const started = Date.now();
    const builder = await createImageBuilder(config, logger, (line) => process.stdout.write(`${line}\n`));
    const result = await builder.ensure(options.force === true);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `${result.built ? 'built' : 'up to date'}: ${result.image} (base ${result.base}) in ${seconds}s\n`,
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`agentd: ${errorMessage(err)}\n`);
  process.exitCode = isAgentdError(err) && err.code === 'VALIDATION_FAILED' ? 2 : 1;
});
