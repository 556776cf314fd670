import type { NodeDirectory, NodeInfo } from '../runs/node-directory.js';

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
