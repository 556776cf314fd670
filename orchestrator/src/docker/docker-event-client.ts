import type Docker from 'dockerode';
import type { Logger } from '../common/logger.js';
import type { ContainerEvent, EventClient } from './event-client.js';
import { MANAGED_FILTER } from './labels.js';

export class DockerEventClient implements EventClient {
  constructor(
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {}

  async watch(
    onEvent: (event: ContainerEvent) => void,
    onEnd: () => void = () => undefined,
  ): Promise<() => void> {
    this.log.debug('Subscribing to container events');
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.getEvents({ filters: { type: ['container'], label: [MANAGED_FILTER] } });
    } catch (err) {
      this.log.warn({ err }, 'Failed to subscribe to container events');
      throw err;
    }
    this.log.debug('Subscribed to container events');
    let buffered = '';
    let ended = false;
    let stopped = false;
    const end = (): void => {
      if (ended || stopped) return;
      ended = true;
      onEnd();
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = parseEvent(line);
        if (!event) continue;
        try {
          onEvent(event);
        } catch (err) {
          this.log.warn({ err, action: event.action }, 'Container event handler failed');
        }
      }
    });
    stream.on('error', (err) => {
      this.log.warn({ err }, 'Docker events stream failed');
      end();
    });
    stream.on('end', end);
    stream.on('close', end);
    return () => {
      stopped = true;
      (stream as unknown as { destroy(): void }).destroy();
    };
  }
}

function parseEvent(line: string): ContainerEvent | undefined {
  try {
    const e = JSON.parse(line) as {
      Action?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
    };
    return { action: e.Action ?? '', containerId: e.Actor?.ID ?? '', labels: e.Actor?.Attributes ?? {} };
  } catch {
    // A partial or foreign line on the events stream is not worth failing over.
    return undefined;
  }
}
