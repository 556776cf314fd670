import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentdError } from '../common/errors.js';
import type { ImageClient } from '../docker/image-client.js';
import { runCommand } from './run-command.js';

const SOURCE_LABEL = 'agentd.image.source-sha256';

export interface AgentdImageBuilderOptions {
  images: ImageClient;
  repoRoot: string;
  image: string;
  /** The base image tag (the runner's offline base, or a registry image). */
  base: () => Promise<string>;
  onProgress: (line: string) => void;
}

/**
 * Builds agentd's own image with no registry: the compiled daemon and runner, production dependencies
 * installed on the build host, the SQL migrations and deployment/, copied FROM the offline base.
 */
export class AgentdImageBuilder {
  constructor(private readonly options: AgentdImageBuilderOptions) {}

  async ensure(force = false): Promise<{ image: string; built: boolean }> {
    const { images, repoRoot, onProgress } = this.options;
    for (const required of ['orchestrator/dist/cli.js', 'sandbox-runner/dist/main.js']) {
      await stat(path.join(repoRoot, required)).catch(() => {
        throw new AgentdError('INTERNAL_ERROR', `${required} is missing: run \`npm run build\` first`);
      });
    }
    const base = await this.options.base();
    const hash = await this.#sourceHash(base);
    if (!force && (await images.labels(this.options.image))?.[SOURCE_LABEL] === hash) {
      onProgress(`[agentd] ${this.options.image} is up to date`);
      return { image: this.options.image, built: false };
    }
    const work = await mkdtemp(path.join(tmpdir(), 'agentd-image-'));
    try {
      const app = path.join(work, 'app');
      await mkdir(path.join(app, 'orchestrator'), { recursive: true });
      await mkdir(path.join(app, 'sandbox-runner'), { recursive: true });
      for (const file of [
        'package.json',
        'package-lock.json',
        'orchestrator/package.json',
        'sandbox-runner/package.json',
      ]) {
        await cp(path.join(repoRoot, file), path.join(app, file));
      }
      onProgress('[agentd] installing production dependencies (npm ci --omit=dev)');
      await runCommand(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', app],
        (line) => onProgress(`[agentd] ${line}`),
      );
      onProgress('[agentd] copying the compiled daemon and runner, migrations and deployment files');
      const copies: [string, string][] = [
        ['orchestrator/dist', 'orchestrator/dist'],
        ['orchestrator/console', 'orchestrator/console'],
        ['sandbox-runner/dist', 'sandbox-runner/dist'],
        ['prisma/migrations', 'prisma/migrations'],
        ['deployment', 'deployment'],
      ];
      for (const [from, to] of copies)
        await cp(path.join(repoRoot, from), path.join(app, to), { recursive: true });
      await cp(path.join(repoRoot, 'deployment/images/agentd/Dockerfile'), path.join(work, 'Dockerfile'));
      onProgress(`[agentd] building ${this.options.image} FROM ${base}`);
      const tar = spawn('tar', ['-C', work, '-cf', '-', 'Dockerfile', 'app'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await images.build(
        tar.stdout,
        { tag: this.options.image, buildArgs: { BASE_IMAGE: base }, labels: { [SOURCE_LABEL]: hash } },
        (line) => onProgress(`[agentd] ${line}`),
      );
      onProgress(`[agentd] built ${this.options.image}`);
      return { image: this.options.image, built: true };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** What the image is made of: the base, the lock file and every compiled or copied file. */
  async #sourceHash(base: string): Promise<string> {
    const hash = createHash('sha256').update(base);
    const root = this.options.repoRoot;
    for (const file of ['package-lock.json', 'deployment/images/agentd/Dockerfile'])
      hash.update(await readFile(path.join(root, file)));
    const dirs = [
      'orchestrator/dist',
      'orchestrator/console',
      'sandbox-runner/dist',
      'prisma/migrations',
      'deployment',
    ];
    for (const dir of dirs) {
      for (const name of (await readdir(path.join(root, dir), { recursive: true })).sort()) {
        const full = path.join(root, dir, name);
        if ((await stat(full)).isFile()) hash.update(name).update(await readFile(full));
      }
    }
    return hash.digest('hex');
  }
}
