/**
 * A CPU profile of this thread (the in-process daemon's) over one section of a benchmark, written where
 * `BENCH_PROFILE_DIR` says (open it in Chrome DevTools); without that variable nothing is profiled.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`CPU profile of ${name}: ${file}\n`);
    session.disconnect();
  }
}
