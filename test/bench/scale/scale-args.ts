/** Command-line options of `npm run bench:scale`. */
export interface ScaleArgs {
  /** Stop before any size above this. */
  max: number;
  /** Each section's tiny sizes (the smoke test). */
  smoke: boolean;
  /** Run only the sections with these names (or file names without `-section.ts`). */
  only: string[];
}

const USAGE = 'usage: bench-scale [--max N] [--smoke] [--only <section>]...';

export function parseScaleArgs(argv: readonly string[]): ScaleArgs {
  const args: ScaleArgs = { max: Number.POSITIVE_INFINITY, smoke: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--max': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new Error(`--max wants a positive integer\n${USAGE}`);
        args.max = n;
        break;
      }
      case '--smoke':
        args.smoke = true;
        break;
      case '--only':
        args.only.push(...value().split(','));
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return args;
}

/** The sizes a section runs at: its smoke sizes, or its full sizes up to `max`. */
export function sizesFor(
  sizes: { full: readonly number[]; smoke: readonly number[] },
  args: Pick<ScaleArgs, 'max' | 'smoke'>,
): number[] {
  return (args.smoke ? [...sizes.smoke] : sizes.full.filter((s) => s <= args.max)).sort((a, b) => a - b);
}
