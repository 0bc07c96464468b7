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

/** The styles ecsops uses; a chalk instance satisfies it. */
export interface Colors {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  gray(text: string): string;
}

const identity = (text: string) => text;

/** No colour: what scripts, pipes, CI and --json get. */
export const plainColors: Colors = { green: identity, red: identity, yellow: identity, gray: identity };

/**
 * Colours for a terminal. chalk is imported only here, so runs that show no colour (--help, pipes,
 * --json, CI) never load it. Our own instance, so the decision above is the only one that counts.
 */
export async function loadColors(enabled: boolean): Promise<Colors> {
  if (!enabled) return plainColors;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}
