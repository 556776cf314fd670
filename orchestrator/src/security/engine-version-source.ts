import { release } from 'node:os';
import type { EngineComponent } from '../docker/docker-engine.js';
import type { ComponentVersions, VersionSource } from './version-source.js';

const ENGINE_NAMES: Record<string, 'engine' | 'containerd' | 'runc'> = {
  engine: 'engine',
  containerd: 'containerd',
  runc: 'runc',
};

/**
 * Versions as the Engine API reports them (engine, containerd, runc with its `GitCommit`) and the kernel
 * this process runs on (agentd shares the kernel with its sandboxes, in a container or not).
 */
export class EngineVersionSource implements VersionSource {
  constructor(
    private readonly engine: { components(): Promise<EngineComponent[]> },
    private readonly kernelRelease: () => string = release,
  ) {}

  async read(): Promise<ComponentVersions> {
    const versions: ComponentVersions = { kernel: { version: this.kernelRelease() } };
    for (const component of await this.engine.components()) {
      const name = ENGINE_NAMES[component.name.toLowerCase()];
      if (!name || component.version === '') continue;
      versions[name] = {
        version: component.version,
        ...(component.gitCommit ? { gitCommit: component.gitCommit } : {}),
      };
    }
    return versions;
  }
}
