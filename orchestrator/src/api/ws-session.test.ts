import { describe, expect, it } from 'vitest';
import { toLoggedEvent } from '../runs/run-event-log.js';
import type { RunEvent } from '../runs/run-events.js';
import { loggedEventFrame, runEventFrame } from './ws-session.js';

const at = { runId: 'run_abc', timestamp: '2026-01-01T00:00:00.000Z' };

const events: RunEvent[] = [
  { type: 'text', delta: 'plain', seq: 1, ...at },
  { type: 'text', delta: 'quotes "id": and \\"id\\": and {"id":1} in text', seq: 2, ...at },
  { type: 'thinking', delta: 'ünïcødé ✓ \u2028', seq: 3, ...at },
  { type: 'tool_call', id: 'tu_1', toolUseId: 'tu_1', name: 'bash', input: { command: 'ls' }, seq: 4, ...at },
  {
    type: 'tool_call',
    id: 'tu_2',
    toolUseId: 'tu_2',
    name: 'write_file',
    input: { path: 'a', nested: { id: 7 } },
    seq: 5,
    ...at,
  },
  { type: 'step_start', step: 2, seq: 6, ...at },
];

describe('loggedEventFrame', () => {
  it('frames a logged event exactly as runEventFrame frames the event, with or without an id of its own', () => {
    for (const event of events) {
      expect(loggedEventFrame(toLoggedEvent(event), event.runId)).toBe(runEventFrame(event));
    }
  });

  it('puts the message id last, after the event’s own fields', () => {
    const event = events[0];
    if (!event) throw new Error('no event');
    const frame = JSON.parse(loggedEventFrame(toLoggedEvent(event), event.runId)) as Record<string, unknown>;
    expect(Object.keys(frame).at(-1)).toBe('id');
    expect(frame.id).toBe('run_abc:1');
  });
});
