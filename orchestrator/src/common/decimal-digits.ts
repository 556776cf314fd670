/** How many decimal digits a non-negative integer has. */
export function digitCount(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  return digits;
}

/**
 * Writes a non-negative integer's decimal digits as ASCII at `at`, `digits` of them (`digitCount(n)`), and
 * returns the offset after them: on a hot path, a string per number and its encoding cost more than this.
 */
export function writeDigits(target: Buffer, at: number, n: number, digits = digitCount(n)): number {
  for (let i = digits - 1, rest = n; i >= 0; i--, rest = Math.floor(rest / 10))
    target[at + i] = 0x30 + (rest % 10);
  return at + digits;
}
