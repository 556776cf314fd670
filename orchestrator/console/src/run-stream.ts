import { describeError, type Api } from './api.js';
import { badge, el, fill, type Child } from './dom.js';
import { usd } from './format.js';

/** A run event as agentd sends it (section 5 of the API: `type`, `seq` and the type's own fields). */
interface RunEvent {
  type: string;
  seq: number;
  timestamp?: string;
  [field: string]: unknown;
}

const COMMON = new Set(['type', 'seq', 'runId', 'timestamp']);

/**
 * Follows one run's events with the browser's EventSource and a run ticket (a page cannot send the API key
 * header on an EventSource), from its first event: live while the run goes on, a replay once it ended.
 * Every field is shown as text: tool output is whatever the sandbox printed.
 */
export function runStream(api: Api, base: string, signal: AbortSignal): HTMLElement {
  const log = el('ol', { class: 'events', 'data-testid': 'run-events' });
  const state = el('p', { class: 'status', 'data-testid': 'run-stream-state' });
  const replay = el('button', { type: 'button', 'data-testid': 'run-replay' }, 'Replay from the start');
  let source: EventSource | undefined;

  const open = async () => {
    source?.close();
    fill(log);
    fill(state, 'Connecting…');
    try {
      const { ticket } = await api.post<{ ticket: string }>(`${base}/tickets`);
      if (signal.aborted) return;
      const es = new EventSource(`${base}/events?ticket=${encodeURIComponent(ticket)}&lastEventId=0`);
      source = es;
      es.onopen = () => fill(state, 'Streaming…');
      es.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as RunEvent;
        log.appendChild(eventRow(event));
        if (event.type === 'final' || event.type === 'usage' || event.type === 'error')
          fill(state, `Last event: ${event.type}`);
      };
      // agentd answers 204 once the run's last event was delivered: EventSource then stops for good.
      es.onerror = () => {
        if (es.readyState === EventSource.CLOSED) fill(state, 'Run ended; every event shown.');
        else fill(state, 'Reconnecting…');
      };
    } catch (err) {
      fill(state, describeError(err));
    }
  };
  replay.addEventListener('click', () => void open());
  signal.addEventListener('abort', () => source?.close(), { once: true });
  void open();
  return el('div', { class: 'run-stream' }, el('div', { class: 'actions' }, replay, state), log);
}

function eventRow(event: RunEvent): HTMLElement {
  return el(
    'li',
    { class: `event event-${event.type}`, 'data-seq': event.seq, 'data-type': event.type },
    el('span', { class: 'seq' }, event.seq),
    badge(event.type, event.type),
    el('span', { class: 'body' }, ...eventBody(event)),
  );
}

function eventBody(event: RunEvent): Child[] {
  const str = (field: string) => {
    const value = event[field];
    return typeof value === 'string' ? value : JSON.stringify(value ?? null);
  };
  switch (event.type) {
    case 'text':
    case 'thinking':
      return [str('delta')];
    case 'tool_call':
      return [el('strong', {}, str('name')), ' ', el('code', {}, JSON.stringify(event.input ?? null))];
    case 'tool_result':
      return [
        event.isError === true ? badge('error', 'fail') : null,
        el('pre', { class: 'output' }, str('output')),
      ];
    case 'final':
      return [el('pre', { class: 'output' }, str('content'))];
    case 'usage':
      return [
        `${str('inputTokens')} in, ${str('outputTokens')} out, `,
        usd(typeof event.costUsd === 'number' ? event.costUsd : 0),
      ];
    case 'error':
      return [el('strong', {}, str('code')), ' ', str('message')];
    default: {
      const rest = Object.fromEntries(Object.entries(event).filter(([k]) => !COMMON.has(k)));
      return Object.keys(rest).length === 0 ? [] : [el('code', {}, JSON.stringify(rest))];
    }
  }
}
