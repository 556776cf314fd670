import type { SocketPathEnv } from './protocol.js';

export interface RunnerConfig {
  socketPath: string;
  version: string;
}

const SOCKET_ENV: SocketPathEnv = 'AGENTD_SOCKET';

/** The runner's whole configuration: where agentd listens. It carries no credentials by design. */
export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  return {
    socketPath: env[SOCKET_ENV] ?? '/run/agentd/agentd.sock',
    version: env.AGENTD_RUNNER_VERSION ?? '0.0.0-dev',
  };
}
