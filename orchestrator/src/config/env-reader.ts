/** Reads typed values from an environment, collecting every problem instead of stopping at the first. */
export class EnvReader {
  readonly issues: string[] = [];

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.issues.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.issues.push(`${name}: must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.issues.push(`${name}: must be true or false (got "${value}")`);
    return fallback;
  }

  /** A duration as `500ms`, `30s`, `10m`, `2h`, or plain seconds; returns milliseconds. */
  durationMs(name: string, fallbackMs: number, minMs = 0): number {
    const value = this.raw(name);
    if (value === undefined) return fallbackMs;
    const ms = parseDurationMs(value);
    if (ms === undefined || ms < minMs) {
      this.issues.push(
        `${name}: must be a duration like 30s, 10m or 2h, at least ${minMs} ms (got "${value}")`,
      );
      return fallbackMs;
    }
    return ms;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  return Math.round(amount * (UNIT_MS[match[2] ?? 's'] ?? 1000));
}
