import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { createImageBuilder } from '../../orchestrator/src/main.js';

/**
 * Integration suites run against a real Docker engine and the real runner image. This checks the engine
 * answers (scripts/ensure-docker.sh starts one) and builds the image if the runner changed (cached otherwise).
 */
export default async function setup(): Promise<() => Promise<void>> {
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

  // Every suite must remove the sandboxes it made. Containers that appear during the run and are still
  // there at the end leaked: remove them, and fail the run so the leak gets fixed rather than piling up.
  const before = new Set((await docker.containers.listManaged()).map((c) => c.id));
  return async () => {
    const leaked = (await docker.containers.listManaged()).filter((c) => !before.has(c.id));
    for (const container of leaked) await docker.containers.remove(container.id);
    if (leaked.length > 0) {
      throw new Error(
        `integration suites leaked ${leaked.length} sandbox container(s): ` +
          leaked.map((c) => `${c.name} (node ${c.labels[LABELS.node] ?? '?'}, ${c.state})`).join(', '),
      );
    }
  };
}
