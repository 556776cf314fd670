import type { SocketPathEnv } from './protocol.js';

export interface RunnerConfig {
  socketPath: string;
  version: string;
  /** Root every tool path is relative to, and the working directory of `bash`. */
  workspaceRoot: string;
  /** Where agentd delivers the tenant's skills (a tmpfs). */
  skillsRoot: string;
  /** The environment tools run with: the runner's own, minus its AGENTD_* settings. */
  toolEnv: Record<string, string>;
}

const SOCKET_ENV: SocketPathEnv = 'AGENTD_SOCKET';

/** The runner's whole configuration: where agentd listens. It carries no credentials by design. */
export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  const toolEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !name.startsWith('AGENTD_')) toolEnv[name] = value;
  }
  return {
    socketPath: env[SOCKET_ENV] ?? '/run/agentd/agentd.sock',
    version: env.AGENTD_RUNNER_VERSION ?? '0.0.0-dev',
    workspaceRoot: env.AGENTD_WORKSPACE ?? '/workspace',
    skillsRoot: env.AGENTD_SKILLS ?? '/skills',
    toolEnv,
  };
}
