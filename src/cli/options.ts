/** Commander option parsers shared by every command group. No AWS, no I/O. */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from './commander.js';

/** Accumulates comma-separated, repeatable values: `--region a,b --region c` -> [a, b, c]. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected at least one value');
  return [...(previous ?? []), ...items];
}

/** Parses a whole number within [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Adds --dry-run and --yes, the flags of every mutating command. */
export function addMutatingOptions(command: Command): Command {
  return command
    .addOption(new Option('--dry-run', 'show the plan and send no writes').default(false))
    .addOption(
      new Option('-y, --yes', 'apply without asking (needed when stdin is not a terminal)').default(false),
    );
}
