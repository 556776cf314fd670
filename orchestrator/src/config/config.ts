import type { IsolationPolicy, LifecyclePolicy } from '../sandbox/lifecycle-policy.js';

export type AppEnv = 'development' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface SandboxConfig {
  image: string;
  profilesDir: string;
  seccompDir: string;
  apparmorDir: string;
  defaultProfile: string;
  isolation: IsolationPolicy;
  lifecycle: LifecyclePolicy;
  /** From container start until the runner's first call home. */
  startTimeoutMs: number;
}

export interface AgentdConfig {
  appEnv: AppEnv;
  nodeId: string;
  stateDir: string;
  log: { level: LogLevel; pretty: boolean };
  docker: { host: string };
  sandbox: SandboxConfig;
  callHome: { pollTimeoutMs: number; maxJsonBytes: number; maxConnectionsPerSandbox: number };
  image: { debianMirror: string | undefined; baseImage: string | undefined };
  /** Where the repository's deployment/ directory is (profiles, seccomp, AppArmor, image build files). */
  deploymentDir: string;
}
