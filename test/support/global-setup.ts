import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { createImageBuilder } from '../../orchestrator/src/main.js';

/**
 * Integration suites run against a real Docker engine and the real runner image. This checks the engine
 * answers (scripts/ensure-docker.sh starts one) and builds the image if the runner changed (cached otherwise).
 */
export default async function setup(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn', pretty: false });
  const docker = new DockerEngine({ dockerHost: config.docker.host, logger });
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `integration tests need a Docker engine at ${config.docker.host} (run scripts/ensure-docker.sh)`,
      {
        cause: err,
      },
    );
  }
  const builder = await createImageBuilder(config, logger, (line) => {
    if (!/^\[runner\] (Step|---|Removing|Successfully)| ---> /.test(line)) process.stdout.write(`${line}\n`);
  });
  await builder.ensure();
}
