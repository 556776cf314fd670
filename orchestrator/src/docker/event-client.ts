export interface ContainerEvent {
  action: string;
  containerId: string;
  labels: Record<string, string>;
}

export interface EventClient {
  /**
   * Live container events for managed containers (`die`, `oom`, …); resolves to a stop function. `onEnd` is
   * called once when the stream breaks or ends (for example, the engine restarted), never after stop.
   */
  watch(onEvent: (event: ContainerEvent) => void, onEnd?: () => void): Promise<() => void>;
}
