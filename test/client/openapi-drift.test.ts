import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { GENERATED_TYPES, generateClientTypes } from './openapi-types.js';

const CLIENT_SRC = path.join(path.dirname(GENERATED_TYPES), '..');
/** Operations of the document the client has no method for, each with why. */
const NOT_IN_CLIENT: Record<string, string> = {
  'GET /ws':
    "AgentCore Runtime's WebSocket takes its session and credential in headers, which a browser's or Node's global WebSocket cannot send",
};

type OpenApiDoc = { paths: Record<string, Record<string, unknown>> };

/** The client's types come from the document agentd serves; this suite fails when the two part ways. */
describe('@agentd/client against the OpenAPI document', () => {
  let d: TestDaemon;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    d = await startTestDaemon();
    doc = (await d.api('GET', '/docs/json')).body as OpenApiDoc;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('the committed types are what the served document generates (else: npm run client:types)', async () => {
    const committed = await readFile(GENERATED_TYPES, 'utf8');
    expect(committed, 'client/src/generated/openapi.ts drifted: run `npm run client:types`').toBe(
      await generateClientTypes(doc),
    );
  });

  it('every operation of the document has a client method', async () => {
    const used = new Set((await clientFiles(CLIENT_SRC)).flatMap(routesOf));
    const operations = Object.entries(doc.paths).flatMap(([route, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
        .map((method) => `${method.toUpperCase()} ${route}`),
    );
    const missing = operations.filter((op) => !used.has(op) && !(op in NOT_IN_CLIENT));
    expect(missing).toEqual([]);
    // An exclusion for an operation that is gone, or that the client now covers, is stale.
    expect(Object.keys(NOT_IN_CLIENT).filter((op) => !operations.includes(op) || used.has(op))).toEqual([]);
  });
});

async function clientFiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('generated'),
  );
  return Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
}

/** The routes a file calls: `'GET /api/…'` literals, and `` `GET ${ONE}/tail` `` over a `const ONE = '/…'`. */
function routesOf(source: string): string[] {
  const routes = [...source.matchAll(/'(GET|POST|PUT|DELETE) (\/[^'\s]*)'/g)].map((m) => `${m[1]} ${m[2]}`);
  for (const [, name, route] of source.matchAll(/const (\w+) = '(\/[^']+)';/g)) {
    const template = new RegExp(`\`(GET|POST|PUT|DELETE) \\$\\{${name}\\}([^\`]*)\``, 'g');
    for (const [, method, tail] of source.matchAll(template)) routes.push(`${method} ${route}${tail}`);
  }
  return routes;
}
