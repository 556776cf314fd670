import { parseErrorBody } from '../read-body.js';
import { RunnerError } from '../runner-error.js';

/** agentd's error answer to a workspace request, as the job's error (WORKSPACE_LIMIT keeps its code). */
export function refusal(status: number, body: Buffer): RunnerError {
  const parsed = parseErrorBody(body);
  const code = parsed.code === 'WORKSPACE_LIMIT' ? 'WORKSPACE_LIMIT' : 'WORKSPACE_SYNC_FAILED';
  return new RunnerError(
    code,
    `agentd refused the workspace (${status}): ${parsed.message ?? 'no reason given'}`,
  );
}
