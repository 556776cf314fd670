/** Where progress goes: a terminal gets one line redrawn in place, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** What the operation is doing now (a build step, a migration's name). */
  step(message: string): void;
  /** The operation ended; the summary stays on screen. */
  done(summary: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress for long CLI operations (image build, migrations, pool warm-up). On a TTY the current step replaces
 * the previous one with elapsed time, so hundreds of build lines do not scroll the screen away; piped or in CI
 * every step is its own line, greppable and free of escape codes.
 */
export function createProgress(
  label: string,
  stream: ProgressStream,
  now: () => number = Date.now,
): Progress {
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)}s`;
  if (stream.isTTY !== true) {
    return {
      step: (message) => stream.write(`${label}: ${message}\n`),
      done: (summary) => stream.write(`${label}: ${summary}\n`),
    };
  }
  let frame = 0;
  const width = Math.max(20, (stream.columns ?? 80) - 1);
  const fit = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
  return {
    step: (message) => {
      frame = (frame + 1) % FRAMES.length;
      const line = `${FRAMES[frame] ?? ''} ${label} ${elapsed()}: ${message.replace(/\s+/g, ' ').trim()}`;
      stream.write(`\r\x1b[2K${fit(line)}`);
    },
    done: (summary) => stream.write(`\r\x1b[2K✔ ${label}: ${summary} (${elapsed()})\n`),
  };
}
