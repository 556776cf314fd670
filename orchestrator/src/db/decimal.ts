import { ValidationError } from '../common/errors.js';

/** Column scales, as in prisma/schema.prisma: prices Decimal(18, 6), costs Decimal(24, 12). */
export const PRICE = { precision: 18, scale: 6 } as const;
export const COST = { precision: 24, scale: 12 } as const;

export interface DecimalShape {
  precision: number;
  scale: number;
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/**
 * Checks a non-negative decimal string fits the column exactly: PostgreSQL would silently round extra
 * fractional digits, and money must never be rounded behind the caller's back.
 */
export function decimalIssue(field: string, value: string, shape: DecimalShape): string | undefined {
  const match = DECIMAL.exec(value);
  if (match === null) return `${field} must be a non-negative decimal string (got ${JSON.stringify(value)})`;
  const integerDigits = match[1] === '0' ? 0 : (match[1] ?? '').length;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > shape.scale) return `${field} has more than ${shape.scale} decimal places`;
  if (integerDigits > shape.precision - shape.scale) return `${field} is too large`;
  return undefined;
}

export function checkDecimals(
  what: string,
  fields: Record<string, string | undefined>,
  shape: DecimalShape,
): void {
  const issues: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const issue = decimalIssue(field, value, shape);
    if (issue !== undefined) issues.push(issue);
  }
  if (issues.length > 0) throw new ValidationError(what, issues);
}

/** Prisma's Decimal (decimal.js) or any value with `toFixed`, as a string with the column's scale. */
export function formatDecimal(value: { toFixed(digits: number): string }, shape: DecimalShape): string {
  return value.toFixed(shape.scale);
}
