import { log } from '../log.js';

/**
 * Process groups started by one run's bash calls. Background jobs outlive their bash call on purpose (an agent
 * may start a server); a cancelled run takes all of them down.
 */
export class ProcessGroups {
  readonly #groups = new Set<number>();

  add(pgid: number): void {
    this.#groups.add(pgid);
  }

  killAll(): void {
    for (const pgid of this.#groups) killProcessGroup(pgid);
    this.#groups.clear();
  }
}

/** Never throws: it runs inside abort listeners, where an exception would take the runner down. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') log(`cannot kill process group ${pgid}`, err);
  }
}
