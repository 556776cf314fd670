import type { EgressAttempt } from '../store/entities.js';

export type EgressAuditEntry = EgressAttempt;

/** Where egress attempts go; implementations batch and aggregate so a flood is not a write flood. */
export interface EgressAuditSink {
  record(entry: EgressAuditEntry): void;
}
