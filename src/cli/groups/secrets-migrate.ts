import type { Command } from 'commander';
import type { SecretsMigrateOptions } from '../../commands/secrets-migrate.js';
import { describeMigratableWrappers } from '../../core/secrets/tools/descriptors.js';
import { InvalidArgumentError, Option } from '../commander.js';
import { addMutatingOptions } from '../options.js';
import type { RunCommand } from '../run.js';

interface RawFlags {
  taskDef?: string;
  file?: string;
  out?: string;
  inPlace: boolean;
  register: boolean;
  updateService: boolean;
  cluster?: string;
  service?: string;
  wait: boolean;
  imageEntrypoint?: string[];
  imageCommand?: string[];
  executionRole?: string;
  valueFrom: 'arn' | 'name';
  paramsFile?: string;
  skipCheck: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** Parses a JSON array of strings, the form of a Dockerfile exec-form ENTRYPOINT/CMD. */
export function jsonStringArray(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(
      `expected a JSON array of strings, e.g. '["/bin/chamber","exec","app","--"]'`,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw new InvalidArgumentError('expected a JSON array of strings');
  }
  return parsed;
}

/** Maps parsed flags to the command's options. */
export function toSecretsMigrateOptions(flags: RawFlags): SecretsMigrateOptions {
  return {
    taskDef: flags.taskDef,
    file: flags.file,
    out: flags.out,
    inPlace: flags.inPlace,
    register: flags.register,
    updateService: flags.updateService,
    cluster: flags.cluster,
    service: flags.service,
    wait: flags.wait,
    imageEntryPoint: flags.imageEntrypoint,
    imageCommand: flags.imageCommand,
    executionRole: flags.executionRole,
    valueFrom: flags.valueFrom,
    paramsFile: flags.paramsFile,
    skipCheck: flags.skipCheck,
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

/** Registers `ecsops secrets migrate`. */
export function registerSecretsMigrate(parent: Command, run: RunCommand): void {
  const migrate = parent
    .command('migrate')
    .description(
      `Replace an env-loading wrapper (${describeMigratableWrappers()}) with native ECS secrets, expanding paths now`,
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(new Option('--file <path>', 'a task definition JSON file (any shape, any key casing)'))
    .addOption(new Option('--out <file>', 'write the new task definition here instead of stdout'))
    .addOption(new Option('--in-place', 'rewrite --file atomically, keeping a .bak').default(false))
    .addOption(
      new Option('--register', 'register the result as a new revision (never deregisters)').default(false),
    )
    .addOption(new Option('--update-service', 'point --service at the new revision').default(false))
    .addOption(new Option('--cluster <name>', 'cluster of --service'))
    .addOption(new Option('--service <name>', 'service to update'))
    .addOption(new Option('--wait', 'wait until the service is stable').default(false))
    .addOption(
      new Option(
        '--image-entrypoint <json>',
        "the image's ENTRYPOINT, when the wrapper is baked into the image",
      ).argParser(jsonStringArray),
    )
    .addOption(new Option('--image-command <json>', "the image's CMD").argParser(jsonStringArray))
    .addOption(
      new Option('--execution-role <arn>', 'execution role to set when the task definition has none'),
    )
    .addOption(
      new Option('--value-from <form>', 'arn (default) or name (same-region SSM only, saves bytes)')
        .choices(['arn', 'name'])
        .default('arn'),
    )
    .addOption(
      new Option(
        '--params-file <path>',
        'offline: JSON output of `aws ssm describe-parameters` instead of AWS',
      ),
    )
    .addOption(
      new Option('--skip-check', 'register without proving the execution role can read the secrets').default(
        false,
      ),
    );
  addMutatingOptions(migrate).action((flags: RawFlags, command: Command) =>
    run(command, async (ctx) => {
      const { runSecretsMigrate } = await import('../../commands/secrets-migrate.js');
      return runSecretsMigrate(toSecretsMigrateOptions(flags), ctx);
    }),
  );
}
