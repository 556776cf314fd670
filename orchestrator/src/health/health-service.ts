import { errorMessage } from '../common/errors.js';

export interface DependencyCheck {
  name: string;
  /** How this dependency is provided: a real service, or embedded in the process (single node). */
  mode: 'service' | 'embedded';
  /** A failing critical dependency makes the node not ready. */
  critical: boolean;
  /** Resolves with an optional detail when the dependency answers; rejects when it does not. */
  check(): Promise<string | undefined>;
}

export interface DependencyStatus {
  name: string;
  status: 'up' | 'down';
  mode: 'service' | 'embedded';
  latencyMs: number;
  detail?: string;
  error?: string;
}

/** Known vulnerabilities of the host's runtime: reported, never a reason to be unready. */
export interface HealthPosture {
  mode: string;
  findings: { cve: string; component: string; severity: string; installed: string; summary: string }[];
  unverified: string[];
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  ready: boolean;
  node: string;
  shuttingDown: boolean;
  dependencies: DependencyStatus[];
  posture?: HealthPosture;
}

/** Probes every dependency with a deadline; results are cached briefly so probes cannot hammer them. */
export class HealthService {
  #cached: { at: number; report: HealthReport } | undefined;
  #inFlight: Promise<HealthReport> | undefined;
  #shuttingDown = false;

  constructor(
    private readonly checks: readonly DependencyCheck[],
    private readonly options: {
      nodeId: string;
      timeoutMs: number;
      cacheMs: number;
      posture?: () => HealthPosture | undefined;
    },
  ) {}

  markShuttingDown(): void {
    this.#shuttingDown = true;
    this.#cached = undefined;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async report(): Promise<HealthReport> {
    if (this.#cached && Date.now() - this.#cached.at < this.options.cacheMs) return this.#cached.report;
    this.#inFlight ??= this.#probe().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #probe(): Promise<HealthReport> {
    const dependencies = await Promise.all(this.checks.map((c) => this.#run(c)));
    const criticalDown = dependencies.some((d, i) => d.status === 'down' && this.checks[i]?.critical);
    const anyDown = dependencies.some((d) => d.status === 'down');
    const posture = this.options.posture?.();
    const report: HealthReport = {
      status: criticalDown ? 'down' : anyDown ? 'degraded' : 'ok',
      ready: !criticalDown && !this.#shuttingDown,
      node: this.options.nodeId,
      shuttingDown: this.#shuttingDown,
      dependencies,
      ...(posture ? { posture } : {}),
    };
    this.#cached = { at: Date.now(), report };
    return report;
  }

  async #run(check: DependencyCheck): Promise<DependencyStatus> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const detail = await Promise.race([
        check.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)),
            this.options.timeoutMs,
          );
        }),
      ]);
      return {
        name: check.name,
        status: 'up',
        mode: check.mode,
        latencyMs: round(performance.now() - started),
        ...(detail ? { detail } : {}),
      };
    } catch (err) {
      return {
        name: check.name,
        status: 'down',
        mode: check.mode,
        latencyMs: round(performance.now() - started),
        error: errorMessage(err),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
