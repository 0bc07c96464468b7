import type { Command } from 'commander';
import type { RunCommand } from '../run.js';

/** Placeholder registration, replaced by the real command group. */
export function registerSecretsCheck(_parent: Command, _run: RunCommand): void {}
