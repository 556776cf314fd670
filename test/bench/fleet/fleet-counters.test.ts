import { describe, expect, it } from 'vitest';
import { FrontendParser, statementKind } from './pg-statement-counter.js';
import { parseCommandStats } from './private-redis.js';
import { movedRuns, overlappingRuns, type RunSpan } from './run-overlaps.js';

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstr = (...parts: string[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(`${p}\0`)));

describe('the PostgreSQL statement counter', () => {
  it('counts simple queries and extended-protocol executions, split across chunks, after an SSL request', () => {
    const seen: string[] = [];
    const parser = new FrontendParser((kind) => seen.push(kind));
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    const startup = Buffer.concat([Buffer.alloc(8), cstr('user', 'agentd', '')]);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    const wire = Buffer.concat([
      ssl,
      startup,
      message('Q', cstr('BEGIN')),
      message('P', Buffer.concat([cstr('', '  select 1'), Buffer.alloc(2)])),
      message('B', Buffer.concat([cstr('', ''), Buffer.alloc(6)])),
      message('E', Buffer.concat([cstr(''), Buffer.alloc(4)])),
      message('S', Buffer.alloc(0)),
      message('P', Buffer.concat([cstr('s1', 'INSERT INTO runs VALUES ($1)'), Buffer.alloc(2)])),
      message('B', Buffer.concat([cstr('p1', 's1'), Buffer.alloc(6)])),
      message('E', Buffer.concat([cstr('p1'), Buffer.alloc(4)])),
      message('B', Buffer.concat([cstr('', 's1'), Buffer.alloc(6)])),
      message('E', Buffer.concat([cstr(''), Buffer.alloc(4)])),
      message('Q', cstr('/* note */ COMMIT')),
    ]);
    // Byte by byte: message boundaries never line up with chunks on a real socket.
    for (let i = 0; i < wire.length; i++) parser.push(wire.subarray(i, i + 1));
    expect(seen).toEqual(['BEGIN', 'SELECT', 'INSERT', 'INSERT', 'COMMIT']);
  });

  it('names a statement by its first keyword', () => {
    expect(statementKind('(SELECT 1) UNION (SELECT 2)')).toBe('SELECT');
    expect(statementKind('-- why\nupdate "runs" set x = 1')).toBe('UPDATE');
    expect(statementKind('')).toBe('OTHER');
  });
});

describe('the Redis commandstats reader', () => {
  it('reads calls per command, subcommands included', () => {
    const info =
      '# Commandstats\r\ncmdstat_get:calls=3,usec=10,usec_per_call=3.33,rejected_calls=0,failed_calls=0\r\n' +
      'cmdstat_client|setinfo:calls=2,usec=1,usec_per_call=0.5,rejected_calls=0,failed_calls=0\r\n';
    expect(parseCommandStats(info)).toEqual({ get: 3, 'client|setinfo': 2 });
  });
});

describe('the fleet checks on recorded runs', () => {
  const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const run = (id: string, c: string, node: string, from: number, to: number | null): RunSpan => ({
    id,
    conversationId: c,
    nodeId: node,
    startedAt: at(from),
    finishedAt: to === null ? null : at(to),
  });

  it('finds a conversation that ran twice at once, and only that', () => {
    const runs = [
      run('a1', 'a', 'n1', 0, 2),
      run('a2', 'a', 'n2', 2, 4), // starts as a1 ends: not an overlap
      run('b1', 'b', 'n1', 0, 5),
      run('b2', 'b', 'n2', 3, 6),
      run('c1', 'c', 'n1', 0, 1), // another conversation at the same time: fine
      run('d1', 'd', 'n1', 0, null),
      run('d2', 'd', 'n1', 9, 10), // d1 never finished
    ];
    expect(overlappingRuns(runs).map(([x, y]) => `${x.id}+${y.id}`)).toEqual(['b1+b2', 'd1+d2']);
  });

  it('counts the runs that ran on another node than the conversation before them', () => {
    const runs = [
      run('a1', 'a', 'n1', 0, 1),
      run('b1', 'b', 'n2', 0, 1),
      run('a2', 'a', 'n1', 1, 2),
      run('b2', 'b', 'n1', 1, 2),
      run('a3', 'a', 'n2', 2, 3),
    ];
    expect(movedRuns(runs)).toEqual({ withPredecessor: 3, moved: 2 });
  });
});
