import { describe, expect, it } from 'vitest';
import { syncPathProblem } from './sync-path.js';

describe('syncPathProblem', () => {
  it.each(['a', 'a/b/c.txt', 'ünï cødé ✓.txt', '.hidden', 'a..b', '...'])('accepts %s', (p) => {
    expect(syncPathProblem(p, 768)).toBeUndefined();
  });
  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['../x', /segment/],
    ['a/../../x', /segment/],
    ['a/./b', /segment/],
    ['a//b', /segment/],
    ['a/', /segment/],
    ['a\\b', /backslash/],
    ['a\0b', /control/],
    ['a\nb', /control/],
    ['\ud800', /UTF-8/],
    ['x'.repeat(769), /longer than 768/],
    [`${'x'.repeat(256)}/y`, /segment is longer/],
  ])('refuses %j', (p, problem) => {
    expect(syncPathProblem(p, 768)).toMatch(problem);
  });
});
