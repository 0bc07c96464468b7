import type { Command } from 'commander';
import type {
  SecretsCheckFixMode,
  SecretsCheckOptions,
  SecretsCheckSource,
} from '../../commands/secrets-check.js';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { addMutatingOptions, collectList } from '../options.js';
import type { RunCommand } from '../run.js';

/** The flags as commander parses them. */
export interface RawFlags {
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
      const opts = parseSecretsCheckFlags(flags);
      const [{ runSecretsCheck }, { secretsCheckView }, { present }] = await Promise.all([
        import('../../commands/secrets-check.js'),
        import('../../output/secrets-check.js'),
        import('../../output/present.js'),
      ]);
      return present(ctx.out, await runSecretsCheck(opts, ctx), secretsCheckView);
    }),
  );
}

/** Flags -> options; every combination the options cannot express is a usage error here. */
export function parseSecretsCheckFlags(flags: RawFlags): SecretsCheckOptions {
  return {
    source: parseSource(flags),
    executionRole: flags.executionRole,
    fix: parseFix(flags),
    iamSimulator: flags.iamSimulator,
  };
}

function parseSource(flags: RawFlags): SecretsCheckSource {
  const services = flags.service ?? [];
  const modes = [flags.taskDef, flags.file, flags.cluster].filter((m) => m !== undefined).length;
  if (modes !== 1) {
    throw new UsageError(
      'Say what to check: exactly one of --task-def, --file or --cluster.',
      'Examples: ecsops secrets check --task-def web:42 | --file td.json | --cluster prod --service web',
    );
  }
  if (flags.cluster !== undefined && services.length === 0 && !flags.allServices) {
    throw new UsageError('--cluster needs --service NAME... or --all-services');
  }
  if (services.length > 0 && flags.allServices) {
    throw new UsageError('--service and --all-services cannot be used together');
  }
  if ((services.length > 0 || flags.allServices) && flags.cluster === undefined) {
    throw new UsageError('--service and --all-services need --cluster');
  }
  if (flags.taskDef !== undefined) return { kind: 'task-def', taskDef: flags.taskDef };
  if (flags.file !== undefined) return { kind: 'file', path: flags.file };
  return {
    kind: 'services',
    cluster: flags.cluster as string,
    services: flags.allServices ? { kind: 'all' } : { kind: 'named', names: services },
  };
}

function parseFix(flags: RawFlags): SecretsCheckFixMode {
  if (flags.applyFix) return { kind: 'apply', dryRun: flags.dryRun, yes: flags.yes };
  if (flags.dryRun || flags.yes) throw new UsageError('--dry-run and --yes only apply to --apply-fix');
  return flags.fix ? { kind: 'print' } : { kind: 'none' };
}
