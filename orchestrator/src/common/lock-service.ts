/** A held lock. `lost` aborts when the lock can no longer be guaranteed (extension failed, expired). */
export interface Lock {
  readonly key: string;
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** Conversation run locks: fleet-wide with Redis, in-process in embedded mode. */
export interface LockService {
  /** Takes the lock now or returns undefined when someone else holds it. Never waits. */
  tryAcquire(key: string): Promise<Lock | undefined>;
}
