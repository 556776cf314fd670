/**
 * Time to the first model event (`step_start`) of a simple chat against a sandboxed run on a warm pool,
 * alternating in the same daemon: a new chat per sample (`POST …/simple-chats/stream`, which also creates the
 * chat) vs a new conversation per sample whose sandbox is claimed from the warm pool (created beforehand, not
 * timed). Each stream is read to its end before the next sample, and the pool refilled.
 */
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { recordResult } from './results.js';
import { percentile, table, type Row } from './stats.js';

const N = Number(process.env.BENCH_N ?? 20);

/** POSTs `body` to `url` and returns the ms to the first `step_start`, reading the stream to its end. */
async function timeFirstEvent(
  daemon: TestDaemon,
  url: string,
  body: unknown,
  source?: string,
): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'x-api-key': daemon.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}`);
  let first = Number.NaN;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    if (Number.isNaN(first) && buffer.includes('"type":"step_start"')) first = performance.now() - started;
  }
  if (!buffer.includes(': done')) throw new Error('the stream did not end with : done');
  if (source && !buffer.includes(`"source":"${source}"`)) throw new Error(`expected a ${source} sandbox`);
  if (Number.isNaN(first)) throw new Error('no model event');
  return first;
}

async function main(): Promise<void> {
  const daemon = await startTestDaemon({
    env: { AGENTD_POOL_SIZE: '1', AGENTD_MAX_SANDBOXES_PER_TENANT: '1000', LOG_LEVEL: 'silent' },
  });
  try {
    const tenantId = (await daemon.api('POST', '/api/tenants', { name: 'chat-bench' })).body.id as string;
    const path = `/api/tenants/${tenantId}`;
    const base = `${daemon.url ?? ''}${path}`;
    const chat: number[] = [];
    const sandboxed: number[] = [];
    process.stderr.write(`bench:chat: ${N} samples each\n`);
    for (let i = 0; i < N; i += 1) {
      await daemon.pool.settled();
      const c = (await daemon.api('POST', `${path}/conversations`, {})).body.id as string;
      sandboxed.push(
        await timeFirstEvent(daemon, `${base}/conversations/${c}/stream`, { message: '@say hi' }, 'pool'),
      );
      await daemon.api('DELETE', `${path}/conversations/${c}`);
      // The pool refills after each claim: a chat sample must not run beside a container start either.
      await daemon.pool.settled();
      chat.push(await timeFirstEvent(daemon, `${base}/simple-chats/stream`, { message: '@say hi' }));
    }
    const baseline: Row = {
      name: 'sandboxed run, warm pool (baseline)',
      samples: sandboxed,
      note: 'pool claim, workspace sync-in, runner loop, then the model call',
    };
    const rows: Row[] = [
      { name: 'simple chat', samples: chat, note: 'creates the chat, then the model call (no sandbox)' },
      baseline,
    ];
    process.stdout.write(
      `\ntime to the first model event (step_start), ms from the request\n${table(rows, baseline)}\n`,
    );
    recordResult({
      benchmark: 'chat-first-event',
      measure: 'simple chat: time to the first model event (p50)',
      unit: 'ms',
      agentd: percentile(chat, 50),
      baseline: percentile(sandboxed, 50),
      baselineName: 'a sandboxed run on a warm-pool sandbox',
      better: 'lower',
    });
  } finally {
    await daemon.destroy();
  }
}

await main();
