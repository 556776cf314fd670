import { AgentdError } from '../common/errors.js';
import type { ActiveRun } from './active-run.js';
import type { RelayedRunnerEvent, RunnerProgressEvent } from './run-events.js';

/**
 * Adds to a runner event what agentd knows first-hand: the tool a result answers (from the model's own
 * turn) and a step's usage and stop reason (from the gateway); tool events name their tool use in
 * `toolUseId` on every transport. A result for a tool the model never asked
 * for is a protocol violation.
 */
export function enrichRunnerEvent(run: ActiveRun, event: RunnerProgressEvent): RelayedRunnerEvent {
  switch (event.type) {
    case 'tool_result': {
      const name = run.transcript.toolName(event.id);
      if (name === undefined)
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', `tool_result for a tool use the model never made`);
      return { ...event, name, toolUseId: event.id };
    }
    case 'tool_call':
      return { ...event, toolUseId: event.id };
    case 'step_complete': {
      const call = run.transcript.lastCall;
      if (!call) return event;
      return { ...event, ...(call.usage ? { usage: { ...call.usage } } : {}), stopReason: call.stopReason };
    }
    case 'step_start':
    case 'text':
    case 'thinking':
      return event;
  }
}
