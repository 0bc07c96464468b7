import type { Command } from 'commander';
import type {
  AlarmActionsChoice,
  AlarmCreateOptions,
  ServiceSelection,
} from '../../commands/alarm-create.js';
import type { AlarmDeleteOptions } from '../../commands/alarm-delete.js';
import type { AlarmListOptions } from '../../commands/alarm-list.js';
import type { AlarmPruneOptions } from '../../commands/alarm-prune.js';
import type { AlarmTag } from '../../core/alarm/plan.js';
import { MISSING_DATA_VALUES } from '../../core/alarm/types.js';
import { UsageError } from '../../errors.js';
import { InvalidArgumentError, Option } from '../commander.js';
import { addMutatingOptions, collectList, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

/** Flags of `alarm create` as commander hands them over. */
export interface RawCreateFlags {
  cluster?: string[];
  service?: string[];
  allServices: boolean;
  threshold?: number;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  missingData?: string;
  snsTopic?: string[];
  okActions?: boolean;
  /** False with --no-actions. */
  actions: boolean;
  namePrefix?: string;
  description?: string;
  tag?: string[];
  includeZeroDesired: boolean;
  enableInsights: boolean;
  /** False with --no-events. */
  events: boolean;
  taskStops: boolean;
  emit?: string;
  format?: string;
  dryRun: boolean;
  yes: boolean;
}

/** Flags of `alarm delete` as commander hands them over. */
export interface RawDeleteFlags {
  cluster?: string[];
  service?: string[];
  name?: string[];
  namePrefix?: string;
  dryRun: boolean;
  yes: boolean;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

// Tag values may contain commas, so --tag is repeatable but never split; parsed in the action.
function collectTag(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const nonEmpty = <T>(items: readonly T[] | undefined): [T, ...T[]] | undefined =>
  items && items.length > 0 ? (items as [T, ...T[]]) : undefined;

/** `alarm create` flags -> options; exclusive flags become one choice, so bad combinations stop here. */
export function toAlarmCreateOptions(
  flags: RawCreateFlags,
  parseTag: (text: string) => AlarmTag,
): AlarmCreateOptions {
  const clusters = nonEmpty(flags.cluster);
  if (!clusters) throw new UsageError('Name at least one --cluster');
  const named = nonEmpty(flags.service);
  if (flags.allServices && named)
    throw new UsageError('--service and --all-services cannot be used together');
  let services: ServiceSelection;
  if (flags.allServices) services = { kind: 'all' };
  else if (named) services = { kind: 'named', names: named };
  else {
    throw new UsageError(
      'Choose services with --service NAME or --all-services',
      'Example: ecsops alarm create --cluster prod --all-services --dry-run',
    );
  }
  const topics = nonEmpty(flags.snsTopic);
  if (topics && !flags.actions) throw new UsageError('--sns-topic and --no-actions cannot be used together');
  if (!topics && flags.okActions !== undefined) {
    throw new UsageError(
      `--${flags.okActions ? '' : 'no-'}ok-actions needs --sns-topic`,
      'Without --sns-topic existing alarms keep their actions; --no-actions removes them.',
    );
  }
  if (!flags.events && flags.taskStops)
    throw new UsageError('--task-stops and --no-events cannot be used together');
  const actions: AlarmActionsChoice = topics
    ? { kind: 'topics', topics, okActions: flags.okActions }
    : flags.actions
      ? { kind: 'keep' }
      : { kind: 'none' };
  return {
    clusters,
    services,
    alarm: {
      threshold: flags.threshold,
      period: flags.period,
      evaluationPeriods: flags.evaluationPeriods,
      datapointsToAlarm: flags.datapointsToAlarm,
      missingData: flags.missingData,
      namePrefix: flags.namePrefix,
      description: flags.description,
    },
    actions,
    tags: (flags.tag ?? []).map(parseTag),
    includeZeroDesired: flags.includeZeroDesired,
    enableInsights: flags.enableInsights,
    events: flags.events,
    taskStops: flags.taskStops,
    emit: toEmit(flags),
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

/** `--emit cloudformation [--format json|yaml]` as one choice. */
export function toEmit(flags: {
  emit?: string;
  format?: string;
  dryRun?: boolean;
}): AlarmCreateOptions['emit'] {
  if (flags.format !== undefined && flags.emit === undefined)
    throw new UsageError('--format needs --emit cloudformation');
  if (flags.emit === undefined) return undefined;
  if (flags.dryRun) throw new UsageError('--emit cloudformation writes nothing already; drop --dry-run');
  return { kind: 'cloudformation', format: flags.format === 'yaml' ? 'yaml' : 'json' };
}

/** The `--emit` and `--format` options shared by `alarm create` and `dashboard create`. */
export function addEmitOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--emit <kind>', 'print a CloudFormation template instead of writing (reads only)').choices([
        'cloudformation',
      ]),
    )
    .addOption(
      new Option('--format <format>', 'template format with --emit (default json)').choices(['json', 'yaml']),
    );
}

/** `alarm delete` flags -> options: alarms of clusters (optionally some services), or named alarms. */
export function toAlarmDeleteOptions(flags: RawDeleteFlags): AlarmDeleteOptions {
  const clusters = flags.cluster ?? [];
  const services = flags.service ?? [];
  const names = flags.name ?? [];
  if (names.length && (clusters.length || services.length)) {
    throw new UsageError(
      '--name cannot be combined with --cluster/--service',
      'Delete by name, or by cluster and service, in separate runs.',
    );
  }
  if (services.length && clusters.length === 0) throw new UsageError('--service needs --cluster');
  if (names.length === 0 && clusters.length === 0) {
    throw new UsageError(
      'Choose alarms with --cluster (and optionally --service) or --name',
      'Example: ecsops alarm delete --cluster prod --service web --dry-run',
    );
  }
  return {
    selection: names.length ? { kind: 'names', names } : { kind: 'services', clusters, services },
    namePrefix: flags.namePrefix,
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}

const prefixOption = () =>
  new Option('--name-prefix <prefix>', 'alarm name prefix (default: ecsops-task-health)');

/** Registers `ecsops alarm create|list|delete|prune`. */
export function registerAlarmCommands(program: Command, run: RunCommand): void {
  const alarm = program
    .command('alarm')
    .description('Task-health alarms per ECS service: running/desired tasks, firing on total outages too');

  const create = alarm
    .command('create')
    .description('Create or update one alarm per service (idempotent: unchanged alarms are not written)')
    .addOption(new Option('--cluster <name...>', 'cluster names or ARNs (repeatable)').argParser(collectList))
    .addOption(new Option('--service <name...>', 'service names (repeatable)').argParser(collectList))
    .addOption(new Option('--all-services', 'every service of the clusters').default(false))
    .addOption(
      new Option('--threshold <ratio>', 'alarm when running/desired is below this (default 1)').argParser(
        parseNumber,
      ),
    )
    .addOption(
      new Option('--period <seconds>', 'seconds per datapoint, a multiple of 60 (default 60)').argParser(
        integerIn(60, 86_400),
      ),
    )
    .addOption(
      new Option('--evaluation-periods <n>', 'datapoints evaluated, N (default 3)').argParser(
        integerIn(1, 1440),
      ),
    )
    .addOption(
      new Option('--datapoints-to-alarm <m>', 'breaching datapoints that fire it, M (default 2)').argParser(
        integerIn(1, 1440),
      ),
    )
    .addOption(
      new Option('--missing-data <mode>', 'TreatMissingData (default ignore)').choices([
        ...MISSING_DATA_VALUES,
      ]),
    )
    .addOption(
      new Option(
        '--sns-topic <arn...>',
        'SNS topic for ALARM (and OK) notifications (repeatable); without it existing alarms keep their actions',
      ).argParser(collectList),
    )
    .addOption(
      new Option('--ok-actions', 'also notify the topics on recovery (default when a topic is given)'),
    )
    .addOption(new Option('--no-ok-actions', 'do not notify the topics on recovery'))
    .addOption(new Option('--no-actions', 'remove the notification actions of existing alarms'))
    .addOption(prefixOption())
    .addOption(new Option('--description <text>', 'alarm description (default: generated)'))
    .addOption(new Option('--tag <key=value>', 'extra tag (repeatable)').argParser(collectTag))
    .addOption(
      new Option('--include-zero-desired', 'also alarm services whose desired count is 0').default(false),
    )
    .addOption(
      new Option('--enable-insights', 'turn Container Insights on for clusters that have it off').default(
        false,
      ),
    )
    .addOption(
      new Option('--no-events', 'no ECS failure-events rule per cluster (default: one, to the same topics)'),
    )
    .addOption(
      new Option(
        '--task-stops',
        'the events rule also reports tasks stopped because they failed to start',
      ).default(false),
    );
  addEmitOptions(create);
  addMutatingOptions(create).action((flags: RawCreateFlags, command: Command) =>
    run(command, async (ctx) => {
      const [{ runAlarmCreate }, { parseTagOption }, { alarmCreateView }, { present }] = await Promise.all([
        import('../../commands/alarm-create.js'),
        import('../../core/alarm/plan.js'),
        import('../../output/alarm.js'),
        import('../../output/present.js'),
      ]);
      const options = toAlarmCreateOptions(flags, parseTagOption);
      return present(ctx.out, await runAlarmCreate(options, ctx), alarmCreateView);
    }),
  );

  alarm
    .command('list')
    .description('List ecsops alarms with their state, reason and the service each watches')
    .addOption(new Option('--cluster <name...>', 'only alarms of these clusters').argParser(collectList))
    .addOption(prefixOption())
    .addOption(
      new Option(
        '--check',
        'exit 1 if an alarm cannot fire: INSUFFICIENT_DATA past its window, Container Insights off, service gone or at 0',
      ).default(false),
    )
    .action((flags: { cluster?: string[]; namePrefix?: string; check: boolean }, command: Command) =>
      run(command, async (ctx) => {
        const [{ runAlarmList }, { alarmListView }, { present }] = await Promise.all([
          import('../../commands/alarm-list.js'),
          import('../../output/alarm.js'),
          import('../../output/present.js'),
        ]);
        const options: AlarmListOptions = {
          clusters: flags.cluster ?? [],
          namePrefix: flags.namePrefix,
          check: flags.check,
        };
        return present(ctx.out, await runAlarmList(options, ctx), alarmListView);
      }),
    );

  const del = alarm
    .command('delete')
    .description('Delete ecsops alarms by cluster, service or name (never alarms ecsops did not create)')
    .addOption(new Option('--cluster <name...>', 'alarms of these clusters').argParser(collectList))
    .addOption(
      new Option('--service <name...>', 'with --cluster: only these services').argParser(collectList),
    )
    .addOption(
      new Option('--name <alarm...>', 'exact alarm names (not with --cluster/--service)').argParser(
        collectList,
      ),
    )
    .addOption(prefixOption());
  addMutatingOptions(del).action((flags: RawDeleteFlags, command: Command) =>
    run(command, async (ctx) => {
      const [{ runAlarmDelete }, { alarmDeleteView }, { present }] = await Promise.all([
        import('../../commands/alarm-delete.js'),
        import('../../output/alarm.js'),
        import('../../output/present.js'),
      ]);
      const options = toAlarmDeleteOptions(flags);
      return present(ctx.out, await runAlarmDelete(options, ctx), alarmDeleteView);
    }),
  );

  const prune = alarm
    .command('prune')
    .description('Delete ecsops alarms whose service no longer exists or is now at desired 0')
    .addOption(new Option('--cluster <name...>', 'only alarms of these clusters').argParser(collectList))
    .addOption(prefixOption());
  addMutatingOptions(prune).action(
    (flags: { cluster?: string[]; namePrefix?: string; dryRun: boolean; yes: boolean }, command: Command) =>
      run(command, async (ctx) => {
        const [{ runAlarmPrune }, { alarmDeleteView }, { present }] = await Promise.all([
          import('../../commands/alarm-prune.js'),
          import('../../output/alarm.js'),
          import('../../output/present.js'),
        ]);
        const options: AlarmPruneOptions = {
          clusters: flags.cluster ?? [],
          namePrefix: flags.namePrefix,
          dryRun: flags.dryRun,
          yes: flags.yes,
        };
        return present(ctx.out, await runAlarmPrune(options, ctx), alarmDeleteView);
      }),
  );
}
