/**
 * Conversation history: 10 / 100 / 1,000 earlier messages (about 500 bytes each, user and assistant in turn)
 * before a new run. The history is seeded straight into PostgreSQL through the store (as a finished run would
 * have written it), then the same short run is started a few times: the curve shows what the history costs
 * the run's start (PostgreSQL read, the RunSpec to the runner, the runner's model call with the whole
 * history through the gateway) and memory (agentd's heap and the sandbox's, measured after the runs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomId } from '../../../orchestrator/src/common/ids.js';
import type { NewMessage } from '../../../orchestrator/src/store/repositories.js';
import { sse, type SseResult } from '../../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../../support/test-daemon.js';
import { percentile } from '../stats.js';
import type { Curve, CurvePoint, ScaleSection } from './curve.js';

const execFileAsync = promisify(execFile);
const RUNS = 5;
const MESSAGE_CHARS = 500;

const metrics = [
  { key: 'runStartMs', label: 'request to run_start p50', unit: 'ms', growth: true },
  { key: 'firstEventMs', label: 'request to first model event p50', unit: 'ms', growth: true },
  { key: 'historyKiB', label: 'history (JSON)', unit: 'KiB', growth: true },
  { key: 'heapMiB', label: 'agentd heap after the runs', unit: 'MiB', growth: true },
  { key: 'sandboxMiB', label: 'sandbox memory after the runs', unit: 'MiB', growth: true },
] as const;

function seedMessages(n: number): NewMessage[] {
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(MESSAGE_CHARS / 27)).slice(0, MESSAGE_CHARS);
  return Array.from({ length: n }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: [{ text: `${i}: ${filler}` }],
  }));
}

/** Writes `n` messages after the conversation's last one, as a finished run of its own. */
async function seed(daemon: TestDaemon, tenantId: string, conversationId: string, n: number): Promise<void> {
  const { store } = daemon;
  const conversation = await store.conversations.get(tenantId, conversationId);
  if (!conversation) throw new Error('no conversation');
  const run = await store.runs.start({
    id: `run_seed${randomId(8)}`,
    tenantId,
    conversationId,
    modelId: conversation.modelId,
    nodeId: 'seed',
  });
  if (!(await store.runs.appendMessages(run.id, run.fencingToken, seedMessages(n))))
    throw new Error('seeding the history was refused');
  await store.runs.finish(run.id, run.fencingToken, {
    status: 'succeeded',
    usage: {
      steps: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: '0',
    },
  });
}

/** The container's memory use as `docker stats` reports it (cgroup usage less its inactive file cache). */
async function containerMiB(containerId: string): Promise<number> {
  const { stdout } = await execFileAsync('docker', [
    'stats',
    '--no-stream',
    '--format',
    '{{.MemUsage}}',
    containerId,
  ]);
  const match = /^([\d.]+)\s*([KMG]i?B|B)/.exec(stdout.trim());
  if (!match) throw new Error(`unexpected docker stats output: ${stdout}`);
  const scale: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  return Number(match[1]) * (scale[match[2]!] ?? NaN);
}

function eventAt(res: SseResult, type: string, at: number[]): number {
  const i = res.events.findIndex((e) => e.data.type === type);
  if (i < 0) throw new Error(`the run sent no ${type} event`);
  return at[i]!;
}

export const section: ScaleSection = {
  name: 'history',
  sizes: { full: [10, 100, 1_000], smoke: [2, 10] },
  async run(sizes, options) {
    const daemon = await startTestDaemon();
    const points: CurvePoint[] = [];
    try {
      const tenantId = (await daemon.api('POST', '/api/tenants', { name: 'scale-history' })).body
        .id as string;
      const runOnce = async (id: string): Promise<{ runStart: number; first: number }> => {
        const arrivals: number[] = [];
        const t0 = performance.now();
        const res = await sse(`${daemon.url}/api/tenants/${tenantId}/conversations/${id}/stream`, {
          body: { message: '@say ok' },
          headers: { 'x-api-key': daemon.adminKey },
          onEvent: () => void arrivals.push(performance.now()),
        });
        const error = res.events.find((e) => e.data.type === 'error');
        if (error || !res.done) throw new Error(`run failed: ${JSON.stringify(error?.data ?? res.error)}`);
        return {
          runStart: eventAt(res, 'run_start', arrivals) - t0,
          first: eventAt(res, 'text', arrivals) - t0,
        };
      };
      for (const size of sizes) {
        const id = (await daemon.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
        // A first run gives the conversation its sandbox, so the measured runs all reuse it.
        await runOnce(id);
        await seed(daemon, tenantId, id, size);
        const history = await daemon.store.messages.history(id);
        const samples: { runStart: number; first: number }[] = [];
        for (let i = 0; i < RUNS; i++) samples.push(await runOnce(id));
        const record = await daemon.registry.findByConversation(tenantId, id);
        if (!record?.containerId) throw new Error('no sandbox');
        const values = {
          runStartMs: percentile(
            samples.map((s) => s.runStart),
            50,
          ),
          firstEventMs: percentile(
            samples.map((s) => s.first),
            50,
          ),
          historyKiB: Buffer.byteLength(JSON.stringify(history.map((m) => m.content))) / 1024,
          heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
          sandboxMiB: await containerMiB(record.containerId),
        };
        options.log(`${size} messages: ${JSON.stringify(values)}`);
        points.push({ size, values });
      }
    } finally {
      await daemon.destroy();
    }
    return {
      title: `Conversation history (~${MESSAGE_CHARS}-character messages; a one-line answer)`,
      sizeLabel: 'messages before the run',
      metrics,
      points,
      notes: [
        `Latencies are p50 of ${RUNS} runs on a sandbox the conversation already has. agentd's heap is this ` +
          'process’s (the daemon runs in it; not collected first, so it is an upper bound); the sandbox’s is ' +
          '`docker stats` after the runs (the runner has the history in memory during a run).',
      ],
    } satisfies Curve;
  },
};
