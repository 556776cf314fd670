import { CallHomeClient } from './call-home-client.js';
import { loadRunnerConfig } from './config.js';
import { JobLoop } from './job-loop.js';
import { log } from './log.js';

async function main(): Promise<void> {
  const config = loadRunnerConfig();
  const client = new CallHomeClient(config.socketPath, config.version);
  await new JobLoop({ client, ...config }).run();
  client.close();
}

process.on('SIGTERM', () => process.exit(0));
main().then(
  () => process.exit(0),
  (err: unknown) => {
    log('fatal', err);
    process.exit(1);
  },
);
