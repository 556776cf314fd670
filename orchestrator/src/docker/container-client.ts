import type { ContainerInspection } from './container-inspection.js';
import type { HardenedContainerSpec } from './hardened-spec.js';

export interface ManagedContainer {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
  createdAt: number;
}

/** Container lifecycle on the engine. agentd only ever creates hardened sandboxes and removes its own. */
export interface ContainerClient {
  /** Creates a container from a hardened spec; refuses (SANDBOX_START_FAILED) options that fail a hardening rule. */
  createSandbox(spec: HardenedContainerSpec): Promise<string>;
  start(containerId: string): Promise<void>;
  /** undefined when the container does not exist. */
  inspect(containerId: string): Promise<ContainerInspection | undefined>;
  /** Kills (if running) and removes a managed container; one that is already gone is not an error. */
  remove(containerId: string): Promise<void>;
  stop(containerId: string, timeoutSeconds: number): Promise<void>;
  /** Freezes every process of the container (cgroup freezer); one already paused is not an error. */
  pause(containerId: string): Promise<void>;
  /** Thaws a paused container; one that is not paused (or gone) is not an error. */
  unpause(containerId: string): Promise<void>;
  /** Sends a signal to the container's init process (Init: true forwards it to the whole tree). */
  kill(containerId: string, signal?: string): Promise<void>;
  /** Containers labelled agentd.managed=true, optionally narrowed by more label filters. */
  listManaged(extraLabels?: Record<string, string>): Promise<ManagedContainer[]>;
  /** The command lines of the container's processes (`docker top`). */
  processes(containerId: string): Promise<string[]>;
  /** The last lines of the container's output; '' when they cannot be read. */
  logs(containerId: string, tailLines: number): Promise<string>;
}
