import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';

export const HOSTILE_IMAGE = 'agentd/hostile-runner:test';

/** Builds the hostile runner FROM the real runner image: same userland, a runner that breaks the protocol. */
export async function buildHostileImage(): Promise<void> {
  const config = loadConfig(process.env);
  const docker = new DockerEngine({
    dockerHost: config.docker.host,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  const dir = new URL('./hostile-runner/', import.meta.url);
  const archive = pack();
  archive.entry({ name: 'Dockerfile' }, await readFile(new URL('Dockerfile', dir)));
  archive.entry({ name: 'hostile-runner.mjs' }, await readFile(new URL('hostile-runner.mjs', dir)));
  archive.finalize();
  await docker.images.build(
    Readable.from(archive),
    {
      tag: HOSTILE_IMAGE,
      buildArgs: { BASE_IMAGE: config.sandbox.image },
      labels: { purpose: 'agentd-tests' },
    },
    () => undefined,
  );
}
