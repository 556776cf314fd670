import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../orchestrator/src/store/repositories.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Forwards to an object that only exists once `beforeAll` ran, so a file can name it at the top level. */
function late<T extends object>(get: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const target = get();
      if (target === undefined) throw new Error(`${what} is used outside a test (before beforeAll ran)`);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A fresh migrated database for this test file: created before its tests, dropped after them. */
export function useTestDatabase(): { db: TestDatabase; store: Store } {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase();
  });
  afterAll(async () => {
    await current?.dispose();
  });
  return {
    db: late(() => current, 'the test database'),
    store: late(() => current?.store, 'the test store'),
  };
}
