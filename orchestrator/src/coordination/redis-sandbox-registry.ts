import type { SandboxRecord, SandboxState } from '../sandbox/sandbox-record.js';
import { redisCall, type RedisClient } from './redis-connection.js';
import type { SandboxFilter, SandboxRegistry } from '../sandbox/sandbox-registry.js';

// Records are JSON under <p>sbx:<id>, indexed by node and tenant sets, with the conversation's current sandbox
// under <p>sbx:conv:<tenant>:<conversation>. Every change that touches indexes is one Lua script, so readers
// on other nodes never see a half-applied transition. (Single-instance Redis: keys are not cluster-slotted.)
const INDEX_LUA = `
local function index(prefix, rec, old)
  local null = cjson.null
  if old ~= nil and old.tenantId ~= null and old.tenantId ~= rec.tenantId then
    redis.call('SREM', prefix .. 'sbx:tenant:' .. old.tenantId, rec.id)
  end
  redis.call('SADD', prefix .. 'sbx:node:' .. rec.nodeId, rec.id)
  if rec.tenantId ~= null then
    redis.call('SADD', prefix .. 'sbx:tenant:' .. rec.tenantId, rec.id)
    if rec.conversationId ~= null and rec.state ~= 'removing' then
      redis.call('SET', prefix .. 'sbx:conv:' .. rec.tenantId .. ':' .. rec.conversationId, rec.id)
    end
  end
end
`;

const PUT = `${INDEX_LUA}
local rec = cjson.decode(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local old = nil
if raw then old = cjson.decode(raw) end
redis.call('SET', KEYS[1], ARGV[1])
index(ARGV[2], rec, old)
return 1
`;

const TRANSITION = `${INDEX_LUA}
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local rec = cjson.decode(raw)
local old = cjson.decode(raw)
if ARGV[1] ~= '*' then
  local allowed = cjson.decode(ARGV[1])
  local ok = false
  for _, s in ipairs(allowed) do
    if rec.state == s then ok = true end
  end
  if not ok then return nil end
end
for k, v in pairs(cjson.decode(ARGV[2])) do rec[k] = v end
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out)
index(ARGV[3], rec, old)
return out
`;

const REMOVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
local prefix = ARGV[1]
redis.call('DEL', KEYS[1])
redis.call('SREM', prefix .. 'sbx:node:' .. rec.nodeId, rec.id)
if rec.tenantId ~= cjson.null then
  redis.call('SREM', prefix .. 'sbx:tenant:' .. rec.tenantId, rec.id)
  if rec.conversationId ~= cjson.null then
    local conv = prefix .. 'sbx:conv:' .. rec.tenantId .. ':' .. rec.conversationId
    if redis.call('GET', conv) == rec.id then redis.call('DEL', conv) end
  end
end
return 1
`;

/** The fleet's sandbox registry in Redis: every node sees every sandbox and which one a conversation owns. */
export class RedisSandboxRegistry implements SandboxRegistry {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async put(record: SandboxRecord): Promise<void> {
    await redisCall(() =>
      this.client.eval(PUT, 1, this.#key(record.id), JSON.stringify(record), this.prefix),
    );
  }

  async get(id: string): Promise<SandboxRecord | undefined> {
    const raw = await redisCall(() => this.client.get(this.#key(id)));
    return raw === null ? undefined : parse(raw);
  }

  update(id: string, patch: Partial<Omit<SandboxRecord, 'id'>>): Promise<SandboxRecord | undefined> {
    return this.#apply(id, '*', patch);
  }

  transition(
    id: string,
    from: readonly SandboxState[],
    patch: Partial<Omit<SandboxRecord, 'id'>>,
  ): Promise<SandboxRecord | undefined> {
    return this.#apply(id, JSON.stringify(from), patch);
  }

  /** `allowed` is '*' (any state) or a JSON array of states the record must be in. */
  async #apply(
    id: string,
    allowed: string,
    patch: Partial<Omit<SandboxRecord, 'id'>>,
  ): Promise<SandboxRecord | undefined> {
    const raw = await redisCall(
      () =>
        this.client.eval(
          TRANSITION,
          1,
          this.#key(id),
          allowed,
          JSON.stringify(patch),
          this.prefix,
        ) as Promise<string | null>,
    );
    return raw === null ? undefined : parse(raw);
  }

  async remove(id: string): Promise<void> {
    await redisCall(() => this.client.eval(REMOVE, 1, this.#key(id), this.prefix));
  }

  async list(filter: SandboxFilter = {}): Promise<SandboxRecord[]> {
    let ids: string[];
    if (filter.nodeId !== undefined)
      ids = await redisCall(() => this.client.smembers(`${this.prefix}sbx:node:${filter.nodeId ?? ''}`));
    else if (filter.tenantId !== undefined)
      ids = await redisCall(() => this.client.smembers(`${this.prefix}sbx:tenant:${filter.tenantId ?? ''}`));
    else ids = await this.#allIds();
    if (ids.length === 0) return [];
    const raws = await redisCall(() => this.client.mget(ids.map((id) => this.#key(id))));
    const records = raws.flatMap((raw) => (raw === null ? [] : [parse(raw)]));
    return records.filter(
      (r) =>
        (filter.nodeId === undefined || r.nodeId === filter.nodeId) &&
        (filter.tenantId === undefined || r.tenantId === filter.tenantId),
    );
  }

  async findByConversation(tenantId: string, conversationId: string): Promise<SandboxRecord | undefined> {
    const id = await redisCall(() => this.client.get(`${this.prefix}sbx:conv:${tenantId}:${conversationId}`));
    if (id === null) return undefined;
    const record = await this.get(id);
    return record && record.state !== 'removing' && record.conversationId === conversationId
      ? record
      : undefined;
  }

  async #allIds(): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redisCall(() =>
        this.client.scan(cursor, 'MATCH', `${this.prefix}sbx:node:*`, 'COUNT', 100),
      );
      cursor = next;
      for (const key of keys) for (const id of await redisCall(() => this.client.smembers(key))) ids.add(id);
    } while (cursor !== '0');
    return [...ids];
  }

  #key(id: string): string {
    return `${this.prefix}sbx:${id}`;
  }
}

function parse(raw: string): SandboxRecord {
  return JSON.parse(raw) as SandboxRecord;
}
