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
