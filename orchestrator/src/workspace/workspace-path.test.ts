import { describe, expect, it } from 'vitest';
import { parentsOf, pathProblem, treeConflict } from './workspace-path.js';

describe('workspace paths', () => {
  it.each(['a', 'a/b/c.txt', 'ünï cødé ✓/x', '.env', 'a..b', 'x'.repeat(255)])('accepts %s', (p) => {
    expect(pathProblem(p)).toBeUndefined();
  });
  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'is absolute'],
    ['../x', 'has a ".." segment'],
    ['a/../../x', 'has a ".." segment'],
    ['./a', 'has a "." segment'],
    ['a//b', 'has an empty segment'],
    ['a/', 'has an empty segment'],
    ['..\\..\\x', 'contains a backslash'],
    ['a\0b', 'contains a control character or NUL'],
    ['a\u001bb', 'contains a control character or NUL'],
    ['\udc00x', 'not well-formed UTF-8'],
    ['x'.repeat(769), 'longer than 768 bytes'],
    ['é'.repeat(385), 'longer than 768 bytes'],
    ['x'.repeat(256), 'has a segment longer than 255 bytes'],
    [42, 'not a string'],
  ])('refuses %j: %s', (p, problem) => {
    expect(pathProblem(p)).toBe(problem);
  });
  it('finds a file that is also a directory', () => {
    expect(parentsOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(treeConflict(['a/b/c', 'a/d'])).toBeUndefined();
    expect(treeConflict(['a/b/c', 'a/b'])).toBe('a/b');
  });
});
