import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AdvisoryTable } from './advisory-table.js';
import { assessPosture, type PostureAssessment } from './assess-posture.js';
import type { VersionSource } from './version-source.js';

export type PostureMode = 'required' | 'preferred';

export interface SecurityPostureOptions {
  mode: PostureMode;
  source: VersionSource;
  table: AdvisoryTable;
  logger: Logger;
}

/**
 * The host's known-vulnerability posture: read at start-up (the gate) and again by every audit, so a
 * runtime upgraded under a running agentd is reported as it is now. /health and metrics read the latest.
 */
export class SecurityPosture {
  #latest: PostureAssessment | undefined;

  constructor(private readonly options: SecurityPostureOptions) {}

  get mode(): PostureMode {
    return this.options.mode;
  }

  /** The last assessment (undefined before the first). */
  get latest(): PostureAssessment | undefined {
    return this.#latest;
  }

  async assess(): Promise<PostureAssessment> {
    const assessment = assessPosture(this.options.table, await this.options.source.read());
    this.#latest = assessment;
    return assessment;
  }

  /**
   * The start-up gate. `required` refuses with every finding (and every component it could not verify);
   * `preferred` logs each and goes on.
   */
  async gate(): Promise<PostureAssessment> {
    const assessment = await this.assess();
    const problems = [
      ...assessment.findings.map(
        (f) => `${f.cve} (${f.component} ${f.installed}, ${f.severity}): ${f.reason}`,
      ),
      ...assessment.unverified,
    ];
    if (problems.length === 0) return assessment;
    if (this.options.mode === 'required') {
      throw new AgentdError(
        'SECURITY_POSTURE',
        `agentd refuses to start: the host runs components with known vulnerabilities (AGENTD_POSTURE=required):\n  - ${problems.join('\n  - ')}`,
        {
          severity: 'critical',
          details: {
            findings: assessment.findings.map((f) => ({
              cve: f.cve,
              component: f.component,
              installed: f.installed,
              reason: f.reason,
            })),
            unverified: assessment.unverified,
          },
        },
      );
    }
    for (const f of assessment.findings) {
      this.options.logger.warn(
        { cve: f.cve, component: f.component, installed: f.installed, severity: f.severity },
        `Security posture: ${f.cve} applies to ${f.component} ${f.installed}: ${f.reason}`,
      );
    }
    for (const u of assessment.unverified) this.options.logger.warn(`Security posture: ${u}`);
    return assessment;
  }
}
