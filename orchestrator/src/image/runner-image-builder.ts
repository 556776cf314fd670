import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { AgentdError } from '../common/errors.js';
import type { ImageClient } from '../docker/image-client.js';
import { runCommand } from './run-command.js';

export const BASE_REPOSITORY = 'agentd/sandbox-base';
const SOURCE_LABEL = 'agentd.image.source-sha256';
const RECIPE_LABEL = 'agentd.image.recipe-sha256';
const SUITE = 'bookworm';
/** What agents expect in a sandbox: a shell, coreutils, git, python and compilers; curl and pip for egress. */
const PACKAGES = [
  'bash',
  'coreutils',
  'git',
  'python3',
  'python3-pip',
  'curl',
  'ca-certificates',
  'gcc',
  'g++',
  'make',
  'libc6-dev',
  'procps',
  'xz-utils',
  'unzip',
  'patch',
];
/** Trimmed from the base: package caches and documentation nobody in a sandbox reads. */
const TRIM = [
  'var/cache/apt/archives',
  'var/lib/apt/lists',
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
];

export interface RunnerImageBuilderOptions {
  images: ImageClient;
  /** deployment/images/sandbox-runner (holds the Dockerfile). */
  dockerfileDir: string;
  /** sandbox-runner/dist, compiled. */
  runnerDistDir: string;
  runnerVersion: string;
  image: string;
  /** Node binary copied into the base; the same Node 22 that runs agentd. */
  nodeBinary: string;
  nodeVersion: string;
  debianMirror: string;
  /** Skip the offline base and build FROM this image (a registry is reachable). */
  baseImage?: string;
  onProgress: (line: string) => void;
}

export interface BuildResult {
  image: string;
  base: string;
  built: boolean;
  baseBuilt: boolean;
}

/**
 * Builds the runner image with no registry: an offline Debian base assembled with debootstrap and imported
 * (cached by its recipe), then the real Dockerfile FROM it. Rebuilds only what changed.
 */
export class RunnerImageBuilder {
  constructor(private readonly options: RunnerImageBuilderOptions) {}

  async ensure(force = false): Promise<BuildResult> {
    const { images, onProgress } = this.options;
    const { base, built: baseBuilt } = this.options.baseImage
      ? { base: this.options.baseImage, built: false }
      : await this.ensureBase(force);
    const context = await this.#collectContext();
    const sourceHash = createHash('sha256').update(base).update(context.digest).digest('hex');
    const labels = await images.labels(this.options.image);
    if (!force && labels?.[SOURCE_LABEL] === sourceHash) {
      onProgress(`[runner] ${this.options.image} is up to date`);
      return { image: this.options.image, base, built: false, baseBuilt };
    }
    onProgress(`[runner] building ${this.options.image} FROM ${base}`);
    await images.build(
      context.tar(),
      {
        tag: this.options.image,
        buildArgs: { BASE_IMAGE: base, RUNNER_VERSION: this.options.runnerVersion },
        labels: { [SOURCE_LABEL]: sourceHash, 'agentd.image': 'sandbox-runner' },
      },
      (line) => onProgress(`[runner] ${line}`),
    );
    onProgress(`[runner] built ${this.options.image}`);
    return { image: this.options.image, base, built: true, baseBuilt };
  }

  recipeHash(): string {
    return createHash('sha256')
      .update(JSON.stringify({ SUITE, PACKAGES, TRIM, node: this.options.nodeVersion, recipe: 2 }))
      .digest('hex');
  }

  /** The offline Debian + Node 22 base (or AGENTD_BASE_IMAGE): built once per recipe, then cached. */
  async ensureBase(force: boolean): Promise<{ base: string; built: boolean }> {
    if (this.options.baseImage) return { base: this.options.baseImage, built: false };
    const { images, onProgress } = this.options;
    const recipe = this.recipeHash();
    const tag = recipe.slice(0, 16);
    const base = `${BASE_REPOSITORY}:${tag}`;
    if (!force && (await images.labels(base))?.[RECIPE_LABEL] === recipe) {
      onProgress(`[base] ${base} is cached`);
      return { base, built: false };
    }
    if (process.getuid?.() !== 0) {
      throw new AgentdError(
        'INTERNAL_ERROR',
        'building the offline base image needs root (debootstrap); run as root or set AGENTD_BASE_IMAGE',
      );
    }
    const work = await mkdtemp(path.join(tmpdir(), 'agentd-base-'));
    const root = path.join(work, 'rootfs');
    try {
      onProgress(`[base] debootstrap ${SUITE} from ${this.options.debianMirror} (about a minute)`);
      await runCommand(
        'debootstrap',
        ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, root, this.options.debianMirror],
        (line) => onProgress(`[base] ${line}`),
      );
      onProgress('[base] adding node, the sandbox user and the mount points');
      await this.#finishRootfs(root);
      onProgress(`[base] importing ${base}`);
      const tar = spawn('tar', ['-C', root, '--numeric-owner', '-cf', '-', '.'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve, reject) =>
        tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}`)))),
      );
      await images.importRootfs(tar.stdout, BASE_REPOSITORY, tag, [
        `LABEL ${RECIPE_LABEL}=${recipe}`,
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'ENV LANG=C.UTF-8',
      ]);
      await exited;
      onProgress(`[base] imported ${base}`);
      return { base, built: true };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #finishRootfs(root: string): Promise<void> {
    for (const dir of TRIM) {
      await rm(path.join(root, dir), { recursive: true, force: true });
      await mkdir(path.join(root, dir), { recursive: true });
    }
    await copyFile(this.options.nodeBinary, path.join(root, 'usr/local/bin/node'));
    await chmod(path.join(root, 'usr/local/bin/node'), 0o755);
    const passwd = await readFile(path.join(root, 'etc/passwd'), 'utf8');
    if (!/^[^:]+:x:1000:/m.test(passwd)) {
      await appendFile(path.join(root, 'etc/passwd'), 'sandbox:x:1000:1000:agentd sandbox:/tmp:/bin/bash\n');
      await appendFile(path.join(root, 'etc/group'), 'sandbox:x:1000:\n');
      await appendFile(path.join(root, 'etc/shadow'), 'sandbox:!:19000:0:99999:7:::\n');
    }
    await mkdir(path.join(root, 'workspace'), { recursive: true });
    await mkdir(path.join(root, 'run/agentd'), { recursive: true });
    await chmod(path.join(root, 'run/agentd'), 0o755);
    // A tmpfs over /tmp copies the image directory's mode: it must already be 1777 (docs/architecture.md: hardening, images).
    await chmod(path.join(root, 'tmp'), 0o1777);
  }

  /** The build context: the Dockerfile and the compiled runner (no tests, maps or declarations). */
  async #collectContext(): Promise<{ digest: string; tar: () => Readable }> {
    const files: { name: string; content: Buffer }[] = [];
    files.push({
      name: 'Dockerfile',
      content: await readFile(path.join(this.options.dockerfileDir, 'Dockerfile')),
    });
    const dist = this.options.runnerDistDir;
    try {
      await stat(path.join(dist, 'main.js'));
    } catch {
      throw new AgentdError('INTERNAL_ERROR', `${dist}/main.js is missing: run \`npm run build\` first`);
    }
    for (const name of (await readdir(dist, { recursive: true })).sort()) {
      if (!name.endsWith('.js') || name.endsWith('.test.js')) continue;
      files.push({ name: `runner/${name}`, content: await readFile(path.join(dist, name)) });
    }
    files.push({ name: 'runner/package.json', content: Buffer.from('{ "type": "module" }\n') });
    const digest = createHash('sha256');
    for (const file of files) digest.update(file.name).update('\0').update(file.content).update('\0');
    return {
      digest: digest.digest('hex'),
      tar: () => {
        const archive = pack();
        for (const file of files) archive.entry({ name: file.name, mode: 0o644 }, file.content);
        archive.finalize();
        return Readable.from(archive);
      },
    };
  }
}
