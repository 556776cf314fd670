import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/** Calls per command since the last reset, from `INFO commandstats` (`cmdstat_get:calls=3,...`). */
export type CommandCounts = Record<string, number>;

export function parseCommandStats(info: string): CommandCounts {
  const counts: CommandCounts = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Commands agentd sent since the last reset (the bench's own INFO and CONFIG calls left out). */
  commands(): Promise<CommandCounts>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A redis-server of its own for the bench: the machine's shared Redis also serves other suites, whose
 * commands would land in the same `INFO commandstats`. No persistence, so no background saves either.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = once(child, 'exit');
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
  // Refused connections while the server starts surface through the awaited calls below; without a
  // listener ioredis would also print each one as unhandled.
  admin.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await admin.connect();
      await admin.ping();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s', { cause: err });
      admin.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const own = new Set(['info', 'config|resetstat', 'config', 'ping', 'client|setinfo', 'client']);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    commands: async () => {
      const all = parseCommandStats(await admin.info('commandstats'));
      return Object.fromEntries(Object.entries(all).filter(([name]) => !own.has(name)));
    },
    reset: async () => {
      await admin.config('RESETSTAT');
    },
    close: async () => {
      admin.disconnect();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** redis-benchmark against `port`: requests/s per test, one connection pool of 50 clients, no pipelining. */
export function redisOpsPerSecond(port: number, requests: number): Record<string, number> {
  const out = spawnSync(
    'redis-benchmark',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-n',
      String(requests),
      '-c',
      '50',
      '-q',
      '--csv',
      '-t',
      'set,get,incr,hset,zadd',
    ],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`redis-benchmark failed: ${out.stderr}`);
  const rates: Record<string, number> = {};
  for (const line of out.stdout.trim().split('\n').slice(1)) {
    const [name, rps] = line.split(',').map((f) => f.replace(/"/g, ''));
    if (name && rps) rates[name] = Number(rps);
  }
  // What one run event costs: the event log appends with one script (INCR the sequence, XADD, two
  // PEXPIREs; see redis-run-event-log.ts) and then PUBLISHes a wake-up. redis-benchmark has no preset for either.
  const custom = (label: string, args: string[]): void => {
    const out = spawnSync(
      'redis-benchmark',
      ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', '50', '-q', '--csv', ...args],
      { encoding: 'utf8' },
    );
    const line = out.stdout.trim().split('\n')[1];
    if (out.status !== 0 || !line) throw new Error(`redis-benchmark ${label} failed: ${out.stderr}`);
    // The test name (the command line) may itself hold commas: the 7 numeric columns are the last ones.
    const fields = line.split(',');
    rates[label] = Number(fields[fields.length - 7]?.replace(/"/g, ''));
  };
  custom('event append (EVAL: INCR, XADD, 2x PEXPIRE)', [
    'EVAL',
    "local s = redis.call('INCR', KEYS[2]) redis.call('XADD', KEYS[1], 'MAXLEN', '~', '10000', tostring(s) .. '-0', 'e', ARGV[1]) redis.call('PEXPIRE', KEYS[1], 60000) redis.call('PEXPIRE', KEYS[2], 60000) return s",
    '2',
    'bench:stream',
    'bench:seq',
    '{"type":"text","delta":"a few words of model output"}',
  ]);
  custom('PUBLISH', ['PUBLISH', 'bench:events', 'run-0123456789 42']);
  return rates;
}
