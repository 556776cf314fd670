import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 60, write: (text: string) => chunks.push(text) } };
}

describe('createProgress', () => {
  it('writes one plain line per step when the output is not a terminal', () => {
    const { chunks, stream } = capture(false);
    const progress = createProgress('image build', stream);
    progress.step('Step 1/3 : FROM base');
    progress.step('Step 2/3 : COPY dist');
    progress.done('built: agentd-runner:0.1.0');
    expect(chunks).toEqual([
      'image build: Step 1/3 : FROM base\n',
      'image build: Step 2/3 : COPY dist\n',
      'image build: built: agentd-runner:0.1.0\n',
    ]);
    expect(chunks.join('')).not.toContain('\x1b');
    expect(chunks.join('')).not.toContain('\r');
  });

  it('redraws one line in place on a terminal, with elapsed time, and ends it with the summary', () => {
    const { chunks, stream } = capture(true);
    let now = 0;
    const progress = createProgress('migrate', stream, () => now);
    progress.step('applying 0001_init');
    now = 1_500;
    progress.step(`applying ${'x'.repeat(200)}`);
    progress.done('2 applied');
    expect(chunks).toHaveLength(3);
    for (const chunk of chunks) expect(chunk.startsWith('\r\x1b[2K')).toBe(true);
    expect(chunks[0]).toContain('migrate 0.0s: applying 0001_init');
    expect(chunks[1]).toContain('migrate 1.5s: applying x');
    // Long steps are cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn).
    expect((chunks[1] ?? '').length - '\r\x1b[2K'.length).toBeLessThanOrEqual(59);
    expect(chunks.slice(0, 2).join('')).not.toContain('\n');
    expect(chunks[2]).toBe('\r\x1b[2K✔ migrate: 2 applied (1.5s)\n');
  });
});
