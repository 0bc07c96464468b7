import type { Command } from 'commander';
import type { CommandContext } from '../commands/context.js';
import type { ExitCode } from '../errors.js';

/** Runs a command body with a fully built context; main.ts provides it, tests can replace it. */
export type RunCommand = (
  command: Command,
  body: (ctx: CommandContext) => Promise<ExitCode>,
) => Promise<void>;
