import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from '../common/logger.js';
import { statusCode } from './engine-errors.js';
import { followProgress } from './engine-streams.js';
import type { ImageBuildOptions, ImageClient } from './image-client.js';

export class DockerImageClient implements ImageClient {
  constructor(
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {}

  async labels(reference: string): Promise<Record<string, string> | undefined> {
    try {
      const info = await this.docker.getImage(reference).inspect();
      return info.Config.Labels;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      this.log.warn({ err, image: reference }, 'Failed to inspect image');
      throw err;
    }
  }

  async importRootfs(rootfsTar: Readable, repo: string, tag: string, changes: string[]): Promise<void> {
    const image = `${repo}:${tag}`;
    this.log.info({ image }, 'Importing image');
    try {
      const stream = await this.docker.importImage(rootfsTar, { repo, tag, changes });
      await followProgress(this.docker, stream, () => undefined);
      this.log.info({ image }, 'Imported image');
    } catch (err) {
      this.log.warn({ err, image }, 'Failed to import image');
      throw err;
    }
  }

  async build(
    context: Readable,
    options: ImageBuildOptions,
    onProgress: (line: string) => void,
  ): Promise<void> {
    this.log.info({ image: options.tag }, 'Building image');
    try {
      const stream = await this.docker.buildImage(context, {
        t: options.tag,
        buildargs: options.buildArgs,
        labels: options.labels,
        rm: true,
        forcerm: true,
        pull: false,
      });
      await followProgress(this.docker, stream, onProgress);
      this.log.info({ image: options.tag }, 'Built image');
    } catch (err) {
      this.log.warn({ err, image: options.tag }, 'Failed to build image');
      throw err;
    }
  }
}
