import { AgentdError, ValidationError } from '../common/errors.js';

/** A malformed or unsafe upload: 400 with the reason, nothing stored. */
export function badSkill(reason: string): ValidationError {
  return new ValidationError('invalid skill', [reason]);
}

/** An upload over a size, count or compression limit: 413 with the reason, nothing stored. */
export function skillTooLarge(reason: string): AgentdError {
  return new AgentdError('SKILL_LIMIT', `skill refused: ${reason}`, { details: { reason } });
}
