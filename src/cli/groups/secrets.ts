import type { Command } from 'commander';
import type { RunCommand } from '../run.js';
import { registerSecretsCheck } from './secrets-check.js';
import { registerSecretsDrift, registerSecretsSync } from './secrets-drift.js';
import { registerSecretsMigrate } from './secrets-migrate.js';

/** Registers `ecsops secrets check|migrate|drift|sync`. */
export function registerSecretsCommands(program: Command, run: RunCommand): void {
  const secrets = program
    .command('secrets')
    .description('Move task definitions onto native ECS secrets and prove the execution role can read them');
  registerSecretsCheck(secrets, run);
  registerSecretsMigrate(secrets, run);
  registerSecretsDrift(secrets, run);
  registerSecretsSync(secrets, run);
}
