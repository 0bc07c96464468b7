import type { Command } from 'commander';
import type { LogsCheckFixMode, LogsCheckOptions } from '../../commands/logs-check.js';
import type { LogsConfigOption, LogsMigrateCommandOptions } from '../../commands/logs-migrate.js';
import type {
  PipelineApply,
  PipelineOutput,
  PipelineSource,
} from '../../commands/task-definition-pipeline.js';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { addMutatingOptions, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

/** `logs migrate` flags as commander hands them over. */
export interface LogsMigrateFlags {
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
  routerImage?: string | undefined;
  keepMetadata: boolean;
  routes?: string | undefined;
  configS3?: string | undefined;
  configOut?: string | undefined;
  configPath: string;
  skipCheck: boolean;
  applyFix: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** `logs check` flags. */
export interface LogsCheckFlags {
  taskDef?: string | undefined;
  file?: string | undefined;
  fix: boolean;
  applyFix: boolean;
  dryRun: boolean;
  yes: boolean;
}

const DEFAULT_WAIT_TIMEOUT_SECONDS = 900;
/** Where AWS's config-file-type `file` example keeps its file in a custom image. */
const DEFAULT_CONFIG_PATH_IN_IMAGE = '/extra.conf';

/** Registers `ecsops logs migrate|check`. */
export function registerLogsCommands(program: Command, run: RunCommand): void {
  const logs = program
    .command('logs')
    .description(
      'Move containers from awslogs to FireLens (Fluent Bit), route log kinds, and prove the task role can ship them',
    );
  const migrate = logs
    .command('migrate')
    .description(
      'Move awslogs containers to FireLens with a pinned Fluent Bit router (the TASK role ships FireLens logs)',
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(new Option('--file <path>', 'a task definition JSON file (any shape)'))
    .addOption(new Option('--out <file>', 'write the new task definition here instead of stdout'))
    .addOption(new Option('--in-place', 'rewrite --file atomically, keeping FILE.bak').default(false))
    .addOption(
      new Option('--register', 'register the result as a new revision (never deregisters)').default(false),
    )
    .addOption(new Option('--update-service', 'point --service at the new revision').default(false))
    .addOption(new Option('--cluster <name>', 'cluster of --service'))
    .addOption(new Option('--service <name>', 'service to update'))
    .addOption(new Option('--wait', 'wait until the service is stable').default(false))
    .addOption(
      new Option('--wait-timeout <seconds>', 'how long --wait waits (30-3600, default 900)').argParser(
        integerIn(30, 3600),
      ),
    )
    .addOption(
      new Option(
        '--router-image <image:tag>',
        'router image (default: the AWS for Fluent Bit stable version, pinned)',
      ),
    )
    .addOption(
      new Option(
        '--keep-metadata',
        'send FireLens records as JSON with ECS metadata instead of the raw line',
      ).default(false),
    )
    .addOption(
      new Option('--routes <file>', 'JSON or YAML rules routing matching lines to their own destinations'),
    )
    .addOption(
      new Option(
        '--config-s3 <s3://bucket/prefix/>',
        'upload the generated Fluent Bit config and load it with the init image',
      ),
    )
    .addOption(
      new Option('--config-out <file>', 'write the generated Fluent Bit config for a custom router image'),
    )
    .addOption(
      new Option('--config-path <path>', 'where the custom image (--config-out) has the file').default(
        DEFAULT_CONFIG_PATH_IN_IMAGE,
      ),
    )
    .addOption(
      new Option('--skip-check', 'register without proving the roles can ship the logs').default(false),
    )
    .addOption(
      new Option(
        '--apply-fix',
        'put the least-privilege inline policy on the role(s), re-check, then register',
      ).default(false),
    );
  addMutatingOptions(migrate).action((flags: LogsMigrateFlags, command: Command) =>
    run(command, async (ctx) => {
      const options = toLogsMigrateOptions(flags);
      const [{ runLogsMigrate }, { logsMigrateView }, { present }] = await Promise.all([
        import('../../commands/logs-migrate.js'),
        import('../../output/logs.js'),
        import('../../output/present.js'),
      ]);
      return present(ctx.out, await runLogsMigrate(options, ctx), logsMigrateView);
    }),
  );

  const check = logs
    .command('check')
    .description(
      'Prove the TASK role can write every FireLens destination and the execution role every awslogs group',
    )
    .addOption(new Option('--task-def <family[:rev]|arn>', 'a registered task definition revision'))
    .addOption(new Option('--file <path>', 'a task definition JSON file'))
    .addOption(new Option('--fix', 'print the least-privilege inline policy').default(false))
    .addOption(new Option('--apply-fix', 'put that policy on the role(s) (PutRolePolicy)').default(false));
  addMutatingOptions(check).action((flags: LogsCheckFlags, command: Command) =>
    run(command, async (ctx) => {
      const options = toLogsCheckOptions(flags);
      const [{ runLogsCheck }, { logsCheckView }, { present }] = await Promise.all([
        import('../../commands/logs-check.js'),
        import('../../output/logs.js'),
        import('../../output/present.js'),
      ]);
      return present(ctx.out, await runLogsCheck(options, ctx), logsCheckView);
    }),
  );
}

/** Flags -> options of `logs migrate`; every impossible combination is a usage error here. */
export function toLogsMigrateOptions(flags: LogsMigrateFlags): LogsMigrateCommandOptions {
  if (flags.configS3 !== undefined && flags.configOut !== undefined) {
    throw new UsageError('--config-s3 and --config-out cannot be used together.');
  }
  const config: LogsConfigOption =
    flags.configS3 !== undefined
      ? { kind: 's3', uri: flags.configS3 }
      : flags.configOut !== undefined
        ? { kind: 'file', path: flags.configOut, imagePath: flags.configPath }
        : { kind: 'none' };
  return {
    source: parseSource(flags),
    output: parseOutput(flags),
    apply: parseApply(flags),
    routerImage: flags.routerImage,
    keepMetadata: flags.keepMetadata,
    routesFile: flags.routes,
    config,
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

/** Flags -> options of `logs check`. */
export function toLogsCheckOptions(flags: LogsCheckFlags): LogsCheckOptions {
  const fix: LogsCheckFixMode = flags.applyFix
    ? { kind: 'apply', dryRun: flags.dryRun, yes: flags.yes }
    : flags.fix
      ? { kind: 'print' }
      : { kind: 'none' };
  if (!flags.applyFix && (flags.dryRun || flags.yes)) {
    throw new UsageError('--dry-run and --yes only apply to --apply-fix');
  }
  return { source: parseSource(flags), fix };
}

function parseSource(flags: { taskDef?: string | undefined; file?: string | undefined }): PipelineSource {
  if (flags.taskDef !== undefined && flags.file === undefined)
    return { kind: 'registered', taskDef: flags.taskDef };
  if (flags.file !== undefined && flags.taskDef === undefined) return { kind: 'file', path: flags.file };
  throw new UsageError('Give exactly one source: --task-def FAMILY[:REV]|ARN or --file PATH.');
}

function parseOutput(flags: LogsMigrateFlags): PipelineOutput {
  if (flags.inPlace && flags.file === undefined) throw new UsageError('--in-place needs --file.');
  if (flags.inPlace && flags.out !== undefined)
    throw new UsageError('--in-place and --out cannot be used together.');
  if (flags.inPlace) return { kind: 'in-place' };
  if (flags.out !== undefined) return { kind: 'file', path: flags.out };
  return { kind: 'stdout' };
}

function parseApply(flags: LogsMigrateFlags): PipelineApply {
  const { cluster, service } = flags;
  if (flags.updateService && !flags.register) throw new UsageError('--update-service needs --register.');
  if (!flags.updateService && (cluster !== undefined || service !== undefined)) {
    throw new UsageError('--cluster and --service only apply with --update-service.');
  }
  if (flags.wait && !flags.updateService) throw new UsageError('--wait needs --update-service.');
  if (flags.waitTimeout !== undefined && !flags.wait) throw new UsageError('--wait-timeout needs --wait.');
  if (flags.applyFix && !flags.register) throw new UsageError('--apply-fix needs --register.');
  if (flags.applyFix && flags.skipCheck)
    throw new UsageError('--apply-fix and --skip-check cannot be used together.');
  if (flags.skipCheck && !flags.register) throw new UsageError('--skip-check only applies with --register.');
  if (!flags.register) return { kind: 'none' };
  const check = flags.applyFix ? 'fix' : flags.skipCheck ? 'skip' : 'verify';
  if (!flags.updateService) return { kind: 'register', check };
  if (cluster === undefined || service === undefined) {
    throw new UsageError('--update-service needs --cluster C and --service S.');
  }
  const wait = flags.wait ? { timeoutSeconds: flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS } : undefined;
  return { kind: 'register', check, updateService: { cluster, service, wait } };
}
