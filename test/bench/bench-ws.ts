/**
 * WebSocket load: 100 connections x 10 messages each, against agentd and, in the same run, a fair baseline.
 * 1. Round trips: each connection sends 10 `ping` messages one after another (agentd: upgrade with a stored
 *    tenant key, TypeBox validation, framing) vs a bare `ws` server answering the same `pong` bytes.
 * 2. Run streaming: each connection replays one finished run 10 times (`resume` from 0 until `end`) vs the
 *    same 100 x 10 replays over SSE (`GET …/runs/{id}/events`): the same event log, the other transport.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';
import { recordResult } from './results.js';
import { fmt, percentile } from './stats.js';

const CONNECTIONS = Number(process.env.BENCH_WS_CONNECTIONS ?? 100);
const MESSAGES = Number(process.env.BENCH_WS_MESSAGES ?? 10);

interface Load {
  seconds: number;
  latencies: number[];
  /** Events (run streaming) or messages (round trips) received. */
  received: number;
}

async function roundTrips(url: string, headers: Record<string, string>): Promise<Load> {
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => WsTestClient.open(url, { headers })),
  );
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < MESSAGES; i++) {
        const sent = performance.now();
        client.send({ type: 'ping' });
        await client.next((m) => m.type === 'pong');
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return { seconds, latencies, received: latencies.length };
}

async function wsReplays(url: string, key: string, runId: string): Promise<Load> {
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => WsTestClient.open(url, { headers: { 'x-api-key': key } })),
  );
  const latencies: number[] = [];
  let received = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < MESSAGES; i++) {
        const sent = performance.now();
        client.send({ type: 'resume', runId, lastEventId: 0 });
        const replayed = await client.untilEnd(runId);
        received += replayed.length - 1;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return { seconds, latencies, received };
}

async function sseReplays(url: string, key: string): Promise<Load> {
  const latencies: number[] = [];
  let received = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = 0; i < MESSAGES; i++) {
        const sent = performance.now();
        const res = await sse(url, { method: 'GET', headers: { 'x-api-key': key, 'last-event-id': '0' } });
        if (!res.done) throw new Error(`SSE replay did not end (${res.status})`);
        received += res.events.length;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies, received };
}

/** A bare `ws` server answering every message with a pong of agentd's shape (ids and timestamp included). */
async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  let n = 0;
  server.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      JSON.parse((data as Buffer).toString('utf8'));
      n += 1;
      socket.send(
        JSON.stringify({
          id: `req_${'x'.repeat(16)}.${n}`,
          timestamp: new Date().toISOString(),
          type: 'pong',
        }),
      );
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

async function tenantKey(d: TestDaemon): Promise<{ tenantId: string; key: string }> {
  const tenant = await d.api('POST', '/api/tenants', { name: 'bench-ws' });
  const key = await d.api('POST', '/api/keys', {
    name: 'bench-ws',
    scope: 'tenant',
    tenantId: tenant.body.id,
  });
  if (key.status !== 201) throw new Error(`cannot create a tenant key: ${key.status}`);
  return { tenantId: tenant.body.id as string, key: key.body.key as string };
}

function row(name: string, load: Load, base: Load, unit: string): string {
  const rate = load.received / load.seconds;
  return `| ${name} | ${load.received} | ${rate.toFixed(0)} ${unit}/s | ${fmt(percentile(load.latencies, 50))} | ${fmt(percentile(load.latencies, 99))} | ${(rate / (base.received / base.seconds)).toFixed(2)}x |`;
}

async function main(): Promise<void> {
  const d = await startTestDaemon({
    env: { LOG_LEVEL: 'silent', WS_MAX_CONNECTIONS_PER_PRINCIPAL: String(CONNECTIONS * 2) },
  });
  const bare = await bareServer();
  try {
    const { tenantId, key } = await tenantKey(d);
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {}, key)).body
      .id as string;
    const url = wsUrl(d.url ?? '', `/ws/${conversationId}`);
    // One real run (one sandbox) whose events every replay reads: about 100 events.
    const setup = await WsTestClient.open(url, { headers: { 'x-api-key': key } });
    setup.send({ type: 'chat', content: Array.from({ length: 30 }, (_, i) => `@say part ${i}`).join('\n') });
    const run = await setup.untilEnd();
    await setup.close();
    const runId = String(run[0]?.runId);
    if (run.at(-1)?.status !== 'succeeded')
      throw new Error(`the setup run ended ${String(run.at(-1)?.status)}`);
    process.stderr.write(
      `bench:ws: ${CONNECTIONS} connections x ${MESSAGES} messages; run of ${run.length - 1} events\n`,
    );

    // Warm-up (JIT, key cache, pools) for each side, then the measured rounds.
    await roundTrips(url, { 'x-api-key': key });
    await roundTrips(bare.url, {});
    const agentdPing = await roundTrips(url, { 'x-api-key': key });
    const barePing = await roundTrips(bare.url, {});
    const eventsUrl = `${d.url ?? ''}/api/tenants/${tenantId}/conversations/${conversationId}/runs/${runId}/events`;
    await sseReplays(eventsUrl, key);
    const wsReplay = await wsReplays(url, key, runId);
    const sseReplay = await sseReplays(eventsUrl, key);

    const lines = [
      '| load | received | rate | p50 ms | p99 ms | rate vs baseline |',
      '|---|---:|---:|---:|---:|---:|',
      row('agentd WebSocket `ping` → `pong`', agentdPing, barePing, 'msg'),
      row('bare `ws` echo server (baseline)', barePing, barePing, 'msg'),
      row('agentd WebSocket `resume` replays (events)', wsReplay, sseReplay, 'ev'),
      row('agentd SSE `GET …/events` replays (baseline)', sseReplay, sseReplay, 'ev'),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    recordResult({
      benchmark: 'websocket',
      measure: `${CONNECTIONS}x${MESSAGES} ping round trips`,
      unit: 'msg/s',
      agentd: agentdPing.received / agentdPing.seconds,
      baseline: barePing.received / barePing.seconds,
      baselineName: 'bare ws echo server',
      better: 'higher',
    });
    recordResult({
      benchmark: 'websocket',
      measure: `${CONNECTIONS}x${MESSAGES} run replays`,
      unit: 'events/s',
      agentd: wsReplay.received / wsReplay.seconds,
      baseline: sseReplay.received / sseReplay.seconds,
      baselineName: 'same replays over SSE',
      better: 'higher',
    });
  } finally {
    await bare.close();
    await d.destroy();
  }
}

await main();
