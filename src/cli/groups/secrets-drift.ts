import type { Command } from 'commander';
import type { SecretsDriftOptions, SecretsDriftTarget } from '../../commands/secrets-drift.js';
import type { SecretsSyncOptions } from '../../commands/secrets-sync.js';
import type { PipelineSource } from '../../commands/task-definition-pipeline.js';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { addMutatingOptions, collectList } from '../options.js';
import type { RunCommand } from '../run.js';
import {
  addCheckOptions,
  addOutputAndRegisterOptions,
  type PipelineFlags,
  parseApply,
  parseOutput,
} from './secrets-migrate.js';

/** The flags of `secrets drift` as commander parses them. */
export interface SecretsDriftFlags {
  taskDef?: string | undefined;
  cluster?: string | undefined;
  service?: string[] | undefined;
  allServices: boolean;
}

/** Flags -> the target; every combination the options cannot express is a usage error here. */
export function parseDriftTarget(flags: SecretsDriftFlags): SecretsDriftTarget {
  const services = flags.service ?? [];
  if ((flags.taskDef === undefined) === (flags.cluster === undefined)) {
    throw new UsageError(
      'Say what to compare: exactly one of --task-def or --cluster.',
      'Examples: ecsops secrets drift --task-def billing:7 | --cluster prod --all-services',
    );
  }
  if (services.length > 0 && flags.allServices) {
    throw new UsageError('--service and --all-services cannot be used together');
  }
  if ((services.length > 0 || flags.allServices) && flags.cluster === undefined) {
    throw new UsageError('--service and --all-services need --cluster');
  }
  if (flags.taskDef !== undefined) return { kind: 'task-def', taskDef: flags.taskDef };
  if (services.length === 0 && !flags.allServices) {
    throw new UsageError('--cluster needs --service NAME... or --all-services');
  }
  return {
    kind: 'cluster',
    cluster: flags.cluster as string,
    services: flags.allServices ? { kind: 'all' } : { kind: 'names', names: services },
  };
}

/** `secrets drift` flags -> options. */
export function toSecretsDriftOptions(flags: SecretsDriftFlags): SecretsDriftOptions {
  return { target: parseDriftTarget(flags) };
}

/** Registers `ecsops secrets drift`. */
export function registerSecretsDrift(parent: Command, run: RunCommand): void {
  parent
    .command('drift')
    .description(
      'Compare migrated task definitions with the paths they were expanded from (metadata only): added, deleted, changed',
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(new Option('--cluster <name>', 'compare the revisions services in this cluster run'))
    .addOption(new Option('--service <name...>', 'service names (with --cluster)').argParser(collectList))
    .addOption(new Option('--all-services', 'every service in --cluster').default(false))
    .action((flags: SecretsDriftFlags, command: Command) =>
      run(command, async (ctx) => {
        const options = toSecretsDriftOptions(flags);
        const [{ runSecretsDrift }, { secretsDriftView }, { present }] = await Promise.all([
          import('../../commands/secrets-drift.js'),
          import('../../output/secrets-drift.js'),
          import('../../output/present.js'),
        ]);
        return present(ctx.out, await runSecretsDrift(options, ctx), secretsDriftView);
      }),
    );
}

/** The flags of `secrets sync` as commander parses them: the `secrets migrate` pipeline flags. */
export interface SecretsSyncFlags extends PipelineFlags {
  taskDef?: string | undefined;
  dryRun: boolean;
  yes: boolean;
}

/** `secrets sync` flags -> options (the same combinations as `secrets migrate` are usage errors). */
export function toSecretsSyncOptions(flags: SecretsSyncFlags): SecretsSyncOptions {
  const source: PipelineSource | undefined =
    flags.taskDef !== undefined && flags.file === undefined
      ? { kind: 'registered', taskDef: flags.taskDef }
      : flags.file !== undefined && flags.taskDef === undefined
        ? { kind: 'file', path: flags.file }
        : undefined;
  if (source === undefined) {
    throw new UsageError('Give exactly one source: --task-def FAMILY[:REV]|ARN or --file PATH.');
  }
  return {
    source,
    output: parseOutput(flags),
    apply: parseApply(flags),
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

/** Registers `ecsops secrets sync`. */
export function registerSecretsSync(parent: Command, run: RunCommand): void {
  const sync = parent
    .command('sync')
    .description(
      'Register a revision whose secrets match the recorded paths again (added, deleted, changed); hand-added secrets are kept',
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(
      new Option(
        '--file <path>',
        'a task definition JSON file with its tags (register input or describe output)',
      ),
    );
  addOutputAndRegisterOptions(sync);
  addCheckOptions(sync);
  addMutatingOptions(sync).action((flags: SecretsSyncFlags, command: Command) =>
    run(command, async (ctx) => {
      const options = toSecretsSyncOptions(flags);
      const [{ runSecretsSync }, { secretsSyncView }, { present }] = await Promise.all([
        import('../../commands/secrets-sync.js'),
        import('../../output/secrets-sync.js'),
        import('../../output/present.js'),
      ]);
      return present(ctx.out, await runSecretsSync(options, ctx), secretsSyncView);
    }),
  );
}
