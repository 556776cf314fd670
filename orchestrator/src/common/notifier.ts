/**
 * Fire-and-forget messages to every node (Redis pub/sub in a fleet, in-process on one node). Delivery is best
 * effort: a message can be lost while a connection is down, so every user also bounds staleness another way
 * (polling, a TTL).
 */
export interface Notifier {
  subscribe(channel: string, listener: (message: string) => void): Promise<() => void>;
  publish(channel: string, message: string): void;
}
