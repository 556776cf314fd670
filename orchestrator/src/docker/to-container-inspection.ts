import type { ContainerInspectInfo } from 'dockerode';
import type { ContainerInspection } from './container-inspection.js';
import { toConfigView, type RawHostConfig } from './to-config-view.js';

export function toContainerInspection(info: ContainerInspectInfo): ContainerInspection {
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    state: {
      running: info.State.Running,
      pid: info.State.Pid,
      exitCode: typeof info.State.ExitCode === 'number' ? info.State.ExitCode : null,
      oomKilled: info.State.OOMKilled,
    },
    config: toConfigView(info.Config, info.HostConfig as RawHostConfig),
  };
}
