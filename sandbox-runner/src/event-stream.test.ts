import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeClient } from './call-home-client.js';
import { EventStream } from './event-stream.js';
import type { RunnerError } from './runner-error.js';

describe('EventStream', () => {
  let dir: string;
  let server: http.Server;
  let client: CallHomeClient;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'events-'));
    server = http.createServer((req, res) => handler(req, res));
    const socketPath = path.join(dir, 's.sock');
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    client = new CallHomeClient(socketPath, 'test');
  });

  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for agentd to read before sending more (backpressure)', async () => {
    let release!: () => void;
    const reading = new Promise<void>((resolve) => (release = resolve));
    let received = '';
    handler = (req, res) => {
      req.pause();
      void reading.then(() => {
        req.setEncoding('utf8');
        req.on('data', (text: string) => (received += text));
        req.on('end', () => res.writeHead(204).end());
        req.resume();
      });
    };
    const stream = EventStream.open(client, 'run-1', () => undefined);
    const big = 'x'.repeat(4 * 1024 * 1024);
    let sent = false;
    const sending = stream.send({ type: 'text', delta: big }).then(() => (sent = true));
    await sleep(200);
    expect(sent).toBe(false);
    release();
    await sending;
    await stream.send({ type: 'final', content: 'done' });
    await stream.close();
    expect(received).toBe(
      `data: ${JSON.stringify({ type: 'text', delta: big })}\n\ndata: {"type":"final","content":"done"}\n\n`,
    );
  });

  it('reports an early refusal once and fails later sends with its code', async () => {
    handler = (_req, res) => {
      const body = JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no active run' } });
      res
        .writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    };
    const failures: RunnerError[] = [];
    const stream = EventStream.open(client, 'run-2', (failure) => failures.push(failure));
    for (let i = 0; i < 50 && failures.length === 0; i += 1) await sleep(10);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      code: 'NOT_FOUND',
      message: 'agentd refused the event stream (404): no active run',
    });
    await expect(stream.send({ type: 'step_start', step: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stream.close()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
