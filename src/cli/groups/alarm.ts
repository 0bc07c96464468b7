import type { Command } from 'commander';
import { MISSING_DATA_VALUES } from '../../core/alarm/types.js';
import { InvalidArgumentError, Option } from '../commander.js';
import { addMutatingOptions, collectList, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

interface RawCreateFlags {
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
  namePrefix?: string;
  description?: string;
  tag?: string[];
  includeZeroDesired: boolean;
  enableInsights: boolean;
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
      new Option('--sns-topic <arn...>', 'SNS topic for ALARM (and OK) notifications (repeatable)').argParser(
        collectList,
      ),
    )
    .addOption(
      new Option('--ok-actions', 'also notify the topics on recovery (default when a topic is given)'),
    )
    .addOption(new Option('--no-ok-actions', 'do not notify the topics on recovery'))
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
    );
  addMutatingOptions(create).action((flags: RawCreateFlags, command: Command) =>
    run(command, async (ctx) => {
      const { runAlarmCreate } = await import('../../commands/alarm-create.js');
      const { parseTagOption } = await import('../../core/alarm/plan.js');
      return runAlarmCreate(
        {
          clusters: flags.cluster ?? [],
          services: flags.service ?? [],
          allServices: flags.allServices,
          alarm: {
            threshold: flags.threshold,
            period: flags.period,
            evaluationPeriods: flags.evaluationPeriods,
            datapointsToAlarm: flags.datapointsToAlarm,
            missingData: flags.missingData,
            topics: flags.snsTopic ?? [],
            okActions: flags.okActions,
            namePrefix: flags.namePrefix,
            description: flags.description,
          },
          tags: (flags.tag ?? []).map(parseTagOption),
          includeZeroDesired: flags.includeZeroDesired,
          enableInsights: flags.enableInsights,
          dryRun: flags.dryRun,
          yes: flags.yes,
        },
        ctx,
      );
    }),
  );

  alarm
    .command('list')
    .description('List ecsops alarms with their state, reason and the service each watches')
    .addOption(new Option('--cluster <name...>', 'only alarms of these clusters').argParser(collectList))
    .addOption(prefixOption())
    .action((flags: { cluster?: string[]; namePrefix?: string }, command: Command) =>
      run(command, async (ctx) => {
        const { runAlarmList } = await import('../../commands/alarm-list.js');
        return runAlarmList({ clusters: flags.cluster ?? [], namePrefix: flags.namePrefix }, ctx);
      }),
    );

  const del = alarm
    .command('delete')
    .description('Delete ecsops alarms by cluster, service or name (never alarms ecsops did not create)')
    .addOption(new Option('--cluster <name...>', 'alarms of these clusters').argParser(collectList))
    .addOption(
      new Option('--service <name...>', 'with --cluster: only these services').argParser(collectList),
    )
    .addOption(new Option('--name <alarm...>', 'exact alarm names').argParser(collectList))
    .addOption(prefixOption());
  addMutatingOptions(del).action(
    (
      flags: {
        cluster?: string[];
        service?: string[];
        name?: string[];
        namePrefix?: string;
        dryRun: boolean;
        yes: boolean;
      },
      command: Command,
    ) =>
      run(command, async (ctx) => {
        const { runAlarmDelete } = await import('../../commands/alarm-delete.js');
        return runAlarmDelete(
          {
            clusters: flags.cluster ?? [],
            services: flags.service ?? [],
            names: flags.name ?? [],
            namePrefix: flags.namePrefix,
            dryRun: flags.dryRun,
            yes: flags.yes,
          },
          ctx,
        );
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
        const { runAlarmPrune } = await import('../../commands/alarm-prune.js');
        return runAlarmPrune(
          {
            clusters: flags.cluster ?? [],
            namePrefix: flags.namePrefix,
            dryRun: flags.dryRun,
            yes: flags.yes,
          },
          ctx,
        );
      }),
  );
}
