import type { Command } from 'commander';
import type {
  SecretsMigrateApply,
  SecretsMigrateOptions,
  SecretsMigrateOutput,
  SecretsMigrateSource,
} from '../../commands/secrets-migrate.js';
import { describeMigratableWrappers } from '../../core/secrets/tools/descriptors.js';
import { UsageError } from '../../errors.js';
import { InvalidArgumentError, Option } from '../commander.js';
import { addMutatingOptions, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

/** The flags as commander hands them over. */
export interface SecretsMigrateFlags {
  taskDef?: string | undefined;
  file?: string | undefined;
  out?: string | undefined;
  inPlace: boolean;
  register: boolean;
  updateService: boolean;
  cluster?: string | undefined;
  service?: string | undefined;
  wait: boolean;
  waitTimeout?: number | undefined;
  imageEntrypoint?: string[] | undefined;
  imageCommand?: string[] | undefined;
  executionRole?: string | undefined;
  valueFrom: 'arn' | 'name';
  paramsFile?: string | undefined;
  skipCheck: boolean;
  applyFix: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** `--wait-timeout` when not given: 15 minutes, the usual time a deployment needs to settle. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 900;
// The ECS waiter polls every 15 s or more, and the SDK needs the timeout to exceed that.
const WAIT_TIMEOUT_MIN_SECONDS = 30;
const WAIT_TIMEOUT_MAX_SECONDS = 3600;

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

/**
 * Maps the flags to the command's options; every combination the options cannot express is a
 * usage error here, so the command never sees one.
 */
export function toSecretsMigrateOptions(flags: SecretsMigrateFlags): SecretsMigrateOptions {
  return {
    source: parseSource(flags),
    output: parseOutput(flags),
    apply: parseApply(flags),
    imageEntryPoint: flags.imageEntrypoint,
    imageCommand: flags.imageCommand,
    executionRole: flags.executionRole,
    valueFrom: flags.valueFrom,
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

function parseSource(flags: SecretsMigrateFlags): SecretsMigrateSource {
  const { taskDef, file, paramsFile } = flags;
  if (taskDef !== undefined && file === undefined) {
    if (paramsFile !== undefined) {
      throw new UsageError('--params-file is for offline runs on --file; --task-def reads AWS.');
    }
    return { kind: 'registered', taskDef };
  }
  if (file !== undefined && taskDef === undefined) return { kind: 'file', path: file, paramsFile };
  throw new UsageError('Give exactly one source: --task-def FAMILY[:REV]|ARN or --file PATH.');
}

/** The pipeline flags every task-definition command shares (`secrets migrate`, `secrets sync`). */
export type PipelineFlags = Pick<
  SecretsMigrateFlags,
  | 'file'
  | 'out'
  | 'inPlace'
  | 'register'
  | 'updateService'
  | 'cluster'
  | 'service'
  | 'wait'
  | 'waitTimeout'
  | 'paramsFile'
  | 'skipCheck'
  | 'applyFix'
>;

/** `--out` / `--in-place` -> where the new definition goes. */
export function parseOutput(flags: PipelineFlags): SecretsMigrateOutput {
  if (flags.inPlace && flags.file === undefined) throw new UsageError('--in-place needs --file.');
  if (flags.inPlace && flags.out !== undefined) {
    throw new UsageError('--in-place and --out cannot be used together.');
  }
  if (flags.inPlace) return { kind: 'in-place' };
  if (flags.out !== undefined) return { kind: 'file', path: flags.out };
  return { kind: 'stdout' };
}

/** `--register`, `--update-service`, `--wait`, `--skip-check`, `--apply-fix` -> what to do in AWS. */
export function parseApply(flags: PipelineFlags): SecretsMigrateApply {
  const { cluster, service } = flags;
  if (flags.updateService && !flags.register) throw new UsageError('--update-service needs --register.');
  if (!flags.updateService && (cluster !== undefined || service !== undefined)) {
    throw new UsageError('--cluster and --service only apply with --update-service.');
  }
  if (flags.wait && !flags.updateService) throw new UsageError('--wait needs --update-service.');
  if (flags.waitTimeout !== undefined && !flags.wait) throw new UsageError('--wait-timeout needs --wait.');
  if (flags.applyFix && !flags.register) {
    throw new UsageError('--apply-fix needs --register: the check it fixes runs before registering.');
  }
  if (flags.applyFix && flags.skipCheck) {
    throw new UsageError('--apply-fix and --skip-check cannot be used together.');
  }
  if (flags.skipCheck && !flags.register) throw new UsageError('--skip-check only applies with --register.');
  if (!flags.register) return { kind: 'none' };
  if (flags.paramsFile !== undefined) {
    throw new UsageError(
      '--params-file is offline; --register needs AWS (drop --params-file to read parameters live).',
    );
  }
  const check = flags.applyFix ? 'fix' : flags.skipCheck ? 'skip' : 'verify';
  if (!flags.updateService) return { kind: 'register', check };
  if (cluster === undefined || service === undefined) {
    throw new UsageError('--update-service needs --cluster C and --service S.');
  }
  const wait = flags.wait ? { timeoutSeconds: flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS } : undefined;
  return { kind: 'register', check, updateService: { cluster, service, wait } };
}

/** Registers `ecsops secrets migrate`. */
export function registerSecretsMigrate(parent: Command, run: RunCommand): void {
  const migrate = parent
    .command('migrate')
    .description(
      `Replace an env-loading wrapper (${describeMigratableWrappers()}) with native ECS secrets, expanding paths now`,
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(new Option('--file <path>', 'a task definition JSON file (any shape, any key casing)'));
  addOutputAndRegisterOptions(migrate)
    .addOption(
      new Option(
        '--image-entrypoint <json>',
        "the image's ENTRYPOINT, when the wrapper is baked into the image (alone: the image has no CMD)",
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
    );
  addCheckOptions(migrate);
  addMutatingOptions(migrate).action((flags: SecretsMigrateFlags, command: Command) =>
    run(command, async (ctx) => {
      const options = toSecretsMigrateOptions(flags);
      const [{ runSecretsMigrate }, { secretsMigrateView }, { present }] = await Promise.all([
        import('../../commands/secrets-migrate.js'),
        import('../../output/secrets-migrate.js'),
        import('../../output/present.js'),
      ]);
      return present(ctx.out, await runSecretsMigrate(options, ctx), secretsMigrateView);
    }),
  );
}

/** --out, --in-place, --register, --update-service, --cluster, --service, --wait, --wait-timeout. */
export function addOutputAndRegisterOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--out <file>',
        'write the new task definition here instead of stdout (the --file itself: as --in-place)',
      ),
    )
    .addOption(
      new Option(
        '--in-place',
        'rewrite --file atomically, keeping FILE.bak (a symlink: its target is rewritten)',
      ).default(false),
    )
    .addOption(
      new Option('--register', 'register the result as a new revision (never deregisters)').default(false),
    )
    .addOption(new Option('--update-service', 'point --service at the new revision').default(false))
    .addOption(new Option('--cluster <name>', 'cluster of --service'))
    .addOption(new Option('--service <name>', 'service to update'))
    .addOption(new Option('--wait', 'wait until the service is stable').default(false))
    .addOption(
      new Option(
        '--wait-timeout <seconds>',
        `how long --wait waits (${WAIT_TIMEOUT_MIN_SECONDS}-${WAIT_TIMEOUT_MAX_SECONDS}, default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
      ).argParser(integerIn(WAIT_TIMEOUT_MIN_SECONDS, WAIT_TIMEOUT_MAX_SECONDS)),
    );
}

/** --skip-check and --apply-fix: the role check before registering. */
export function addCheckOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--skip-check', 'register without proving the execution role can read the secrets').default(
        false,
      ),
    )
    .addOption(
      new Option(
        '--apply-fix',
        'when the execution role cannot read the secrets, put the least-privilege inline policy on it, re-check, then register',
      ).default(false),
    );
}
