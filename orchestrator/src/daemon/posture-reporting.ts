import type { HealthPosture } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SecurityPosture } from '../security/security-posture.js';

/** The latest posture as /health shows it: each finding in brief (the audit has the detail). */
export function healthPosture(posture: SecurityPosture): () => HealthPosture | undefined {
  return () => {
    const latest = posture.latest;
    if (!latest) return undefined;
    return {
      mode: posture.mode,
      findings: latest.findings.map((f) => ({
        cve: f.cve,
        component: f.component,
        severity: f.severity,
        installed: f.installed,
        summary: f.summary,
      })),
      unverified: latest.unverified,
    };
  };
}

/** One series per finding (value 1), so an alert can fire on any and a dashboard can list them. */
export function registerPostureMetrics(metrics: Metrics, posture: SecurityPosture): void {
  metrics.computedGauge(
    'agentd_security_findings',
    'Known vulnerabilities that apply to this host’s engine, containerd, runc or kernel (1 per finding).',
    ['cve', 'component', 'severity'],
    () =>
      Promise.resolve(
        (posture.latest?.findings ?? []).map((f) => ({
          labels: { cve: f.cve, component: f.component, severity: f.severity },
          value: 1,
        })),
      ),
  );
}
