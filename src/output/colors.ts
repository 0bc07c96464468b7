import { Chalk, type ChalkInstance } from 'chalk';

/** Colour on only for a TTY, without NO_COLOR, --no-color or --json (chalk alone ignores NO_COLOR). */
export function shouldUseColor(args: {
  isTTY: boolean;
  noColorFlag: boolean;
  json: boolean;
  env: Record<string, string | undefined>;
}): boolean {
  if (args.noColorFlag || args.json || !args.isTTY) return false;
  // https://no-color.org: any non-empty value disables colour.
  if (args.env.NO_COLOR !== undefined && args.env.NO_COLOR !== '') return false;
  if (args.env.TERM === 'dumb') return false;
  return true;
}

export type Colors = ChalkInstance;

/** A chalk instance of our own, so the decision above is the only one that counts. */
export function createColors(enabled: boolean): Colors {
  return new Chalk({ level: enabled ? 1 : 0 });
}
