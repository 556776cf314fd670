/**
 * What a client waits for under a burst of new conversations: BURST streams on fresh conversations at once
 * (no warm pool, so every sandbox is a new container), timing the response headers, the `allocating` event
 * and the first model event (`step_start`, sent once the sandbox runs the agent loop). The baseline is the
 * first model event itself: until agentd sent headers and `allocating` before the sandbox was ready, that
 * was the first thing a client received.
 */
import { startTestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { percentile } from './stats.js';

const BURST = Number(process.env.BENCH_BURST ?? 10);
const ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 3);

interface Timing {
  headers: number;
  allocating: number;
  firstModelEvent: number;
}

async function timeOne(url: string, key: string): Promise<Timing> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ message: '@say hello' }),
  });
  const headers = performance.now() - started;
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}`);
  let allocating = Number.NaN;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    if (Number.isNaN(allocating) && buffer.includes('"type":"allocating"'))
      allocating = performance.now() - started;
    if (buffer.includes('"type":"step_start"')) {
      // Leaving the loop cancels the stream; the run goes on and is cancelled after the disconnect grace.
      return { headers, allocating, firstModelEvent: performance.now() - started };
    }
  }
  throw new Error('the stream ended before its first model event');
}

async function main(): Promise<void> {
  const daemon = await startTestDaemon({
    env: { AGENTD_POOL_SIZE: '0', LOG_LEVEL: 'silent', AGENTD_MAX_SANDBOXES_PER_NODE: String(BURST * 2) },
  });
  try {
    const tenant = await daemon.api('POST', '/api/tenants', { name: 'burst' });
    const tenantId = tenant.body.id as string;
    const timings: Timing[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const urls = await Promise.all(
        Array.from({ length: BURST }, async () => {
          const c = await daemon.api('POST', `/api/tenants/${tenantId}/conversations`, {});
          return `${daemon.url ?? ''}/api/tenants/${tenantId}/conversations/${c.body.id as string}/stream`;
        }),
      );
      timings.push(...(await Promise.all(urls.map((url) => timeOne(url, daemon.adminKey)))));
      // Each round starts from no sandboxes, so every one of the burst is a cold start.
      for (const s of (await daemon.api('GET', '/api/admin/sandboxes')).body.items as { id: string }[])
        await daemon.api('DELETE', `/api/admin/sandboxes/${s.id}`);
    }
    const row = (name: string, values: number[]): string =>
      `| ${name} | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`;
    const headers = timings.map((t) => t.headers);
    const allocating = timings.map((t) => t.allocating);
    const first = timings.map((t) => t.firstModelEvent);
    process.stdout.write(
      [
        `\nburst of ${BURST} new conversations (cold sandboxes), ${ROUNDS} rounds, ms from the request`,
        '| received | p50 | p95 | max |',
        '|---|---:|---:|---:|',
        row('response headers', headers),
        row('`allocating` event', allocating),
        row('first model event (`step_start`; baseline)', first),
        '',
      ].join('\n'),
    );
    recordResult({
      benchmark: 'first-event',
      measure: `time to allocating, burst of ${BURST} cold starts (p50)`,
      unit: 'ms',
      agentd: percentile(allocating, 50),
      baseline: percentile(first, 50),
      baselineName: 'time to the first model event (sandbox ready)',
      better: 'lower',
    });
  } finally {
    await daemon.destroy();
  }
}

await main();
