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

// Region names as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, ap-southeast-7.
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `--region`: like collectList, and each name must look like a region (or be `all`). */
export function collectRegions(value: string, previous: string[] | undefined): string[] {
  const regions = collectList(value, undefined);
  const bad = regions.filter((r) => r !== 'all' && !REGION_NAME.test(r));
  if (bad.length) {
    throw new InvalidArgumentError(
      `not a region name: ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected e.g. us-east-1, or "all")`,
    );
  }
  return [...(previous ?? []), ...regions];
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
