import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { addMutatingOptions, collectList } from '../options.js';
import type { RunCommand } from '../run.js';

interface RawFlags {
  taskDef?: string;
  file?: string;
  cluster?: string;
  service?: string[];
  allServices: boolean;
  executionRole?: string;
  fix: boolean;
  applyFix: boolean;
  iamSimulator: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** Registers `ecsops secrets check`. */
export function registerSecretsCheck(parent: Command, run: RunCommand): void {
  const check = parent
    .command('check')
    .description(
      'Prove the task execution role can read every secret and decrypt its KMS key (metadata only, never values)',
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(
      new Option(
        '--file <path>',
        'a task definition JSON file (register input, describe output, or a containerDefinitions array)',
      ),
    )
    .addOption(new Option('--cluster <name>', 'check the revisions services in this cluster run'))
    .addOption(new Option('--service <name...>', 'service names (with --cluster)').argParser(collectList))
    .addOption(new Option('--all-services', 'every service in --cluster').default(false))
    .addOption(
      new Option(
        '--execution-role <arn>',
        'execution role to check (needed for a bare containerDefinitions array)',
      ),
    )
    .addOption(
      new Option('--fix', 'print the least-privilege inline policy and key-policy statements').default(false),
    )
    .addOption(
      new Option('--apply-fix', 'attach the inline policy to the execution role (PutRolePolicy)').default(
        false,
      ),
    )
    .addOption(
      new Option(
        '--iam-simulator',
        "also ask IAM's SimulatePrincipalPolicy and report disagreements",
      ).default(false),
    );
  addMutatingOptions(check).action((flags: RawFlags, command: Command) =>
    run(command, async (ctx) => {
      if ((flags.dryRun || flags.yes) && !flags.applyFix) {
        throw new UsageError('--dry-run and --yes only apply to --apply-fix');
      }
      const { runSecretsCheck } = await import('../../commands/secrets-check.js');
      return runSecretsCheck(
        {
          taskDef: flags.taskDef,
          file: flags.file,
          cluster: flags.cluster,
          services: flags.service ?? [],
          allServices: flags.allServices,
          executionRole: flags.executionRole,
          fix: flags.fix,
          applyFix: flags.applyFix,
          iamSimulator: flags.iamSimulator,
          dryRun: flags.dryRun,
          yes: flags.yes,
        },
        ctx,
      );
    }),
  );
}
