import { describe, expect, it } from 'vitest';
import { toCallResult } from './mcp-result.js';

const limits = { textBytes: 100, imageBytes: 1000, maxImages: 1 };

describe('toCallResult', () => {
  it('maps text, images and resources to Converse blocks', () => {
    const result = toCallResult(
      {
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'body' } },
        ],
      },
      limits,
    );
    expect(result.content).toEqual([
      { text: 'hi' },
      { image: { format: 'png', source: { bytes: 'aGVsbG8=' } } },
      { text: '[resource file:///a.txt]\nbody' },
    ]);
    expect(result).toMatchObject({ isError: false, truncated: false });
  });

  it('cuts text to the limit and leaves out images it cannot pass on, saying so', () => {
    const result = toCallResult(
      {
        content: [
          { type: 'image', data: 'aGVsbG8=', mimeType: 'image/bmp' },
          { type: 'text', text: 'x'.repeat(1000) },
        ],
        isError: true,
      },
      limits,
    );
    const bytes = result.content.reduce((n, b) => n + ('text' in b ? Buffer.byteLength(b.text) : 0), 0);
    expect(bytes).toBeLessThanOrEqual(limits.textBytes);
    expect(result).toMatchObject({ isError: true, truncated: true });
    expect(result.output).toMatch(/unsupported format/);
  });
});
