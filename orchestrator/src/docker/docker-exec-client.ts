import { errorMessage } from '../common/errors.js';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { shortContainerId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { BoundedSink, waitForEnd } from './engine-streams.js';
import type { ExecClient, ExecOptions, ExecResult } from './exec-client.js';
import { SANDBOX_USER } from './hardened-spec.js';

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export class DockerExecClient implements ExecClient {
  constructor(
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {}

  /** A frozen (paused, idle) sandbox is thawed for the probe and frozen again after it. */
  async run(containerId: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    try {
      return await this.#run(containerId, cmd, options);
    } catch (err) {
      if (!/is paused/i.test(errorMessage(err))) throw err;
    }
    const container = this.docker.getContainer(containerId);
    await container.unpause();
    try {
      return await this.#run(containerId, cmd, options);
    } finally {
      await container.pause();
    }
  }

  async #run(containerId: string, cmd: string[], options: ExecOptions): Promise<ExecResult> {
    const id = shortContainerId(containerId);
    const user = options.user ?? SANDBOX_USER;
    this.log.debug({ containerId: id, command: cmd[0], user }, 'Running exec in container');
    try {
      const exec = await this.docker.getContainer(containerId).exec({
        Cmd: cmd,
        User: user,
        Env: options.env,
        WorkingDir: options.workingDir,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      const stdout = new BoundedSink(max);
      const stderr = new BoundedSink(max);
      const out = new PassThrough();
      const err = new PassThrough();
      out.on('data', (c: Buffer) => stdout.push(c));
      err.on('data', (c: Buffer) => stderr.push(c));
      this.docker.modem.demuxStream(stream, out, err);
      await waitForEnd(stream, options.timeoutMs, () => {
        stream.destroy();
      });
      const exitCode = (await exec.inspect()).ExitCode ?? -1;
      this.log.debug({ containerId: id, command: cmd[0], exitCode }, 'Ran exec in container');
      return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
    } catch (err) {
      this.log.warn({ err, containerId: id, command: cmd[0] }, 'Failed to run exec in container');
      throw err;
    }
  }
}
