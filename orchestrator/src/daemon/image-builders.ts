import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { DockerEngine } from '../docker/docker-engine.js';
import { AgentdImageBuilder } from '../image/agentd-image-builder.js';
import { detectDebianMirror } from '../image/debian-mirror.js';
import { RunnerImageBuilder } from '../image/runner-image-builder.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNNER_DIST_DIR = path.join(REPO_ROOT, 'sandbox-runner', 'dist');

/** The runner image's builder (`agentd image build`), seeded with the running Node binary. */
export function createImageBuilder(
  config: AgentdConfig,
  logger: Logger,
  onProgress: (line: string) => void,
): Promise<RunnerImageBuilder> {
  // The base image gets a copy of the running Node binary; the runner needs Node 22 or newer.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    return Promise.reject(
      new AgentdError(
        'INTERNAL_ERROR',
        `Node ${process.version} is too old to seed the runner image: use Node 22 (. scripts/ensure-node.sh)`,
      ),
    );
  }
  return detectDebianMirror().then(
    (mirror) =>
      new RunnerImageBuilder({
        images: new DockerEngine({ dockerHost: config.docker.host, logger }).images,
        dockerfileDir: path.join(config.deploymentDir, 'images', 'sandbox-runner'),
        runnerDistDir: RUNNER_DIST_DIR,
        runnerVersion: config.sandbox.image.split(':').pop() ?? '0.0.0',
        image: config.sandbox.image,
        nodeBinary: process.execPath,
        nodeVersion: process.version,
        debianMirror: config.image.debianMirror ?? mirror,
        ...(config.image.baseImage === undefined ? {} : { baseImage: config.image.baseImage }),
        onProgress,
      }),
  );
}

/** agentd's own image, FROM the runner's offline base (`agentd image build --agentd`). */
export async function createAgentdImageBuilder(
  config: AgentdConfig,
  logger: Logger,
  onProgress: (line: string) => void,
): Promise<AgentdImageBuilder> {
  const runner = await createImageBuilder(config, logger, onProgress);
  return new AgentdImageBuilder({
    images: new DockerEngine({ dockerHost: config.docker.host, logger }).images,
    repoRoot: REPO_ROOT,
    image: `agentd/agentd:${config.sandbox.image.split(':').pop() ?? '0.0.0'}`,
    base: async () => (await runner.ensureBase(false)).base,
    onProgress,
  });
}
