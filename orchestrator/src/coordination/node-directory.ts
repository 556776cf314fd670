export interface NodeInfo {
  nodeId: string;
  url: string | null;
  startedAt: string;
}

/** Which agentd nodes are alive: each node refreshes its heartbeat; a node whose heartbeat lapsed is dead. */
export interface NodeDirectory {
  /** Starts refreshing this node's heartbeat. */
  start(info: NodeInfo): Promise<void>;
  stop(): Promise<void>;
  isAlive(nodeId: string): Promise<boolean>;
  list(): Promise<NodeInfo[]>;
}

/** Embedded mode: this node is the fleet. */
export class LocalNodeDirectory implements NodeDirectory {
  #self: NodeInfo | undefined;

  start(info: NodeInfo): Promise<void> {
    this.#self = info;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#self = undefined;
    return Promise.resolve();
  }

  isAlive(nodeId: string): Promise<boolean> {
    return Promise.resolve(this.#self?.nodeId === nodeId);
  }

  list(): Promise<NodeInfo[]> {
    return Promise.resolve(this.#self ? [this.#self] : []);
  }
}
