import pg from 'pg';
import { Fleet } from '../../fleet/fleet-harness.js';
import { startS3, type S3TestServer } from '../../support/s3-test-server.js';
import { percentile } from '../stats.js';
import { startPgStatementCounter, type StatementCounts } from './pg-statement-counter.js';
import type { CommandCounts, PrivateRedis } from './private-redis.js';
import { RoundRobinClient, type Answer } from './round-robin-client.js';
import { movedRuns, overlappingRuns, type RunSpan } from './run-overlaps.js';

export interface MixOptions {
  nodes: number;
  conversations: number;
  /** Runs per conversation, one after the other; the conversations run side by side. */
  turns: number;
  /** Seconds with no requests, to measure what idle nodes cost Redis and PostgreSQL. */
  idleSeconds: number;
  /** Simultaneous requests per conversation in the contention phase, spread over the nodes. */
  contenders: number;
}

/** The smoke sizes (the test suite runs them at 1 and 2 nodes; `bench:fleet --smoke` prints them). */
export const SMOKE_MIX: Omit<MixOptions, 'nodes'> = {
  conversations: 2,
  turns: 3,
  idleSeconds: 8,
  contenders: 2,
};

export interface SizeResult {
  nodes: number;
  runs: number;
  failed: number;
  /** Status and error code of each failed mix request. */
  failures: string[];
  seconds: number;
  latencyMs: { p50: number; p99: number };
  redis: CommandCounts;
  pg: StatementCounts;
  idle: { seconds: number; redis: CommandCounts; pg: StatementCounts };
  moved: { withPredecessor: number; moved: number };
  /** Mix runs the database says ran on a node other than the one the client sent them to. */
  ranElsewhere: number;
  contention: { attempts: number; succeeded: number; busy: number; other: number; otherCodes: string[] };
  overlaps: number;
  unfinished: number;
}

/**
 * The run mix, the same at every size: a file written (sync-out), a command that reads the workspace back
 * (sync-in where the run moved), a plain answer.
 */
export function mixMessage(turn: number): string {
  switch (turn % 3) {
    case 0:
      return `@tool write_file {"path":"notes/t${turn}.txt","content":"turn ${turn}\\n"}\n@say saved`;
    case 1:
      return '@tool bash {"command":"cat notes/*.txt | wc -l"}\n@result';
    default:
      return '@say a plain answer of a few words';
  }
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
export const total = sum;

/** Starts `options.nodes` agentd processes on a fresh database and drives the mix through them. */
export async function measureSize(redis: PrivateRedis, options: MixOptions): Promise<SizeResult> {
  const s3: S3TestServer = await startS3({ ownProcess: true });
  // One tenant owns every conversation here: its fleet-wide sandbox cap (10 by default) would turn the
  // stale sandboxes that moved runs leave behind into 429s, and this bench measures coordination, not caps.
  const fleet = new Fleet({
    REDIS_URL: redis.url,
    AGENTD_MAX_SANDBOXES_PER_TENANT: '1000',
    ...s3.env('fleet/'),
  });
  try {
    await fleet.setUp();
    const counter = await startPgStatementCounter(fleet.databaseUrl);
    try {
      await redis.reset();
      const ids = Array.from({ length: options.nodes }, (_, i) => `bench-node-${i + 1}`);
      await Promise.all(ids.map((id) => fleet.start(id, { DATABASE_URL: counter.url })));
      const client = new RoundRobinClient(
        ids.map((id) => fleet.node(id).url),
        fleet.adminKey,
      );
      const tenant = await client.request('POST', '/api/tenants', { name: 'fleet-bench' });
      const base = `/api/tenants/${tenant.body.id as string}/conversations`;
      const conversations: string[] = [];
      for (let i = 0; i < options.conversations; i++)
        conversations.push((await client.request('POST', base, {})).body.id as string);

      // Idle: what the nodes cost with nothing to do (heartbeats, reconcile, reaper, policy watch).
      await redis.reset();
      counter.reset();
      await new Promise((r) => setTimeout(r, options.idleSeconds * 1000));
      const idle = { seconds: options.idleSeconds, redis: await redis.commands(), pg: counter.counts() };

      // The mix.
      await redis.reset();
      counter.reset();
      const started = performance.now();
      const answers: Answer[][] = await Promise.all(
        conversations.map(async (id) => {
          const mine: Answer[] = [];
          for (let turn = 0; turn < options.turns; turn++)
            mine.push(await client.request('POST', `${base}/${id}/query`, { message: mixMessage(turn) }));
          return mine;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const redisCounts = await redis.commands();
      const pgCounts = counter.counts();
      const flat = answers.flat();
      const ok = flat.filter((a) => a.status === 200);

      // Contention: the same conversation asked several times at once, on different nodes.
      const contention = { attempts: 0, succeeded: 0, busy: 0, other: 0, otherCodes: [] as string[] };
      await Promise.all(
        conversations.map(async (id, c) => {
          const tries = await Promise.all(
            Array.from({ length: options.contenders }, (_, k) =>
              client.request(
                'POST',
                `${base}/${id}/query`,
                { message: '@sleep 300\n@say contended' },
                (c + k) % options.nodes,
              ),
            ),
          );
          for (const t of tries) {
            contention.attempts += 1;
            if (t.status === 200) contention.succeeded += 1;
            else if (t.status === 409) contention.busy += 1;
            else {
              contention.other += 1;
              contention.otherCodes.push(`${t.status} ${String(t.body?.error?.code ?? '')}`);
            }
          }
        }),
      );

      const spans = await runSpans(fleet.databaseUrl);
      const byId = new Map(spans.map((s) => [s.id, s]));
      const mixRuns = ok.map((a) => byId.get(String(a.body.runId))).filter((s): s is RunSpan => !!s);
      mixRuns.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
      const ranElsewhere = ok.filter(
        (a) => byId.get(String(a.body.runId))?.nodeId !== ids[a.nodeIndex],
      ).length;
      return {
        nodes: options.nodes,
        runs: ok.length,
        failed: flat.length - ok.length,
        failures: flat
          .filter((a) => a.status !== 200)
          .map((a) => `${a.status} ${String(a.body?.error?.code ?? a.body?.status ?? '')}`),
        seconds,
        latencyMs: {
          p50: percentile(
            ok.map((a) => a.ms),
            50,
          ),
          p99: percentile(
            ok.map((a) => a.ms),
            99,
          ),
        },
        redis: redisCounts,
        pg: pgCounts,
        idle,
        moved: movedRuns(mixRuns),
        ranElsewhere,
        contention,
        overlaps: overlappingRuns(spans).length,
        unfinished: spans.filter((s) => s.startedAt && !s.finishedAt).length,
      };
    } finally {
      await counter.close();
    }
  } finally {
    await fleet.tearDown();
    await s3.close();
  }
}

async function runSpans(databaseUrl: string): Promise<RunSpan[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (
      await client.query<RunSpan>(
        'SELECT id, conversation_id AS "conversationId", node_id AS "nodeId", started_at AS "startedAt", finished_at AS "finishedAt" FROM runs',
      )
    ).rows;
  } finally {
    await client.end();
  }
}

/** Per-run figures net of what the same nodes spend idle over the same time. */
export function perRun(
  result: SizeResult,
  counts: Record<string, number>,
  idle: Record<string, number>,
): number {
  const background = (sum(idle) / result.idle.seconds) * result.seconds;
  return (sum(counts) - background) / result.runs;
}
