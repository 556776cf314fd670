import { describe, expect, it } from 'vitest';
import { exposedToolName, TOOL_NAME_PATTERN } from './tool-names.js';

describe('exposedToolName', () => {
  it('keeps a plain name as mcp__<server>__<tool>', () => {
    expect(exposedToolName('docs', 'search')).toBe('mcp__docs__search');
  });

  it('fits Bedrock’s rule for any tool name, stably, and keeps distinct tools apart', () => {
    const names = ['a.b', 'a_b', 'a/b', 'x'.repeat(200), `${'x'.repeat(200)}y`, 'ünïcode tool'];
    const exposed = names.map((n) => exposedToolName('server-name_24-characters', n));
    for (const name of exposed) expect(name).toMatch(TOOL_NAME_PATTERN);
    expect(new Set(exposed).size).toBe(names.length);
    expect(exposedToolName('server-name_24-characters', 'a.b')).toBe(exposed[0]);
  });
});
