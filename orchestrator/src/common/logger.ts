import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Human-readable output; only for a terminal (JSON lines otherwise). */
  pretty: boolean;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: options.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        '*.apiKey',
        '*.password',
        '*.secretAccessKey',
        '*.sessionToken',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

/** A logger that discards everything, for tests and tools that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
