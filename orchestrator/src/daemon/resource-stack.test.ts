import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { ResourceStack } from './resource-stack.js';

describe('ResourceStack', () => {
  it('closes in reverse order, goes on past a failure, and closes each resource once', async () => {
    const closed: string[] = [];
    const stack = new ResourceStack(createLogger({ level: 'silent', pretty: false }));
    stack.defer('database', () => Promise.resolve(void closed.push('database')));
    stack.defer('redis', () => Promise.reject(new Error('already gone')));
    stack.defer('http', () => Promise.resolve(void closed.push('http')));
    await stack.closeAll();
    await stack.closeAll();
    expect(closed).toEqual(['http', 'database']);
  });
});
