import type { Colors } from './colors.js';

/** One line of a rendered plan: `+` create, `~` change, `-` delete. */
export interface PlanLine {
  sign: '+' | '~' | '-';
  text: string;
}

/** Renders `+ ~ -` plan lines, coloured green / yellow / red when colour is on. */
export function renderPlanLines(lines: readonly PlanLine[], colors: Colors): string {
  return lines
    .map((line) => {
      const text = `${line.sign} ${line.text}`;
      if (line.sign === '+') return colors.green(text);
      if (line.sign === '-') return colors.red(text);
      return colors.yellow(text);
    })
    .join('\n');
}
