import { errorMessage } from './runner-error.js';

/** The runner logs to stderr only: the container's log driver keeps it, agentd never parses it. */
export function log(message: string, err?: unknown): void {
  const detail = err === undefined ? '' : `: ${errorMessage(err)}`;
  process.stderr.write(`agentd-runner: ${message}${detail}\n`);
}
