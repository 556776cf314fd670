import type { ContainerConfigView } from './container-config-view.js';

/** What agentd reads from `docker inspect`: its own type, so no engine client type leaves docker/. */
export interface ContainerInspection {
  id: string;
  name: string;
  state: {
    running: boolean;
    /** The container's init process on the host; 0 when it is not running. */
    pid: number;
    exitCode: number | null;
    oomKilled: boolean;
  };
  config: ContainerConfigView;
}
