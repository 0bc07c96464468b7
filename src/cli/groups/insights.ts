import type { Command } from 'commander';
import type { InsightsApplyOptions } from '../../commands/insights-apply.js';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { addMutatingOptions, collectList, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

interface RawTargetFlags {
  cluster?: string[];
  all: boolean;
  accountDefault: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** Registers `ecsops insights status|enable|disable`. */
export function registerInsightsCommands(program: Command, run: RunCommand): void {
  const insights = program
    .command('insights')
    .description('See and turn on CloudWatch Container Insights for ECS clusters and the account default');

  insights
    .command('status')
    .description("List clusters with their containerInsights setting, and each region's account default")
    .addOption(
      new Option('--cluster <name...>', 'cluster names or ARNs (default: all clusters)').argParser(
        collectList,
      ),
    )
    .action((flags: { cluster?: string[] }, command: Command) =>
      run(command, async (ctx) => {
        const { runInsightsStatus } = await import('../../commands/insights-status.js');
        return runInsightsStatus({ clusters: flags.cluster ?? [] }, ctx);
      }),
    );

  const enable = insights
    .command('enable')
    .description('Turn Container Insights on for clusters and/or the account default for new clusters')
    .addOption(
      new Option('--level <level>', 'enabled or enhanced')
        .choices(['enabled', 'enhanced'])
        .default('enabled'),
    )
    .addOption(new Option('--allow-downgrade', 'allow enhanced -> enabled').default(false))
    .addOption(new Option('--wait', 'poll CloudWatch until Container Insights metrics appear').default(false))
    .addOption(
      new Option('--wait-timeout <seconds>', 'how long --wait polls')
        .argParser(integerIn(10, 3600))
        .default(900),
    );
  addTargetOptions(enable);
  addMutatingOptions(enable).action(
    (
      flags: RawTargetFlags & {
        level: 'enabled' | 'enhanced';
        allowDowngrade: boolean;
        wait: boolean;
        waitTimeout: number;
      },
      command: Command,
    ) =>
      run(command, async (ctx) => {
        const options = toApplyOptions(flags, flags.level, 'enable');
        const { runInsightsApply } = await import('../../commands/insights-apply.js');
        return runInsightsApply(
          {
            ...options,
            allowDowngrade: flags.allowDowngrade,
            wait: flags.wait,
            waitTimeoutSeconds: flags.waitTimeout,
          },
          ctx,
        );
      }),
  );

  const disable = insights
    .command('disable')
    .description('Turn Container Insights off for clusters and/or the account default');
  addTargetOptions(disable);
  addMutatingOptions(disable).action((flags: RawTargetFlags, command: Command) =>
    run(command, async (ctx) => {
      const { runInsightsApply } = await import('../../commands/insights-apply.js');
      return runInsightsApply(toApplyOptions(flags, 'disabled', 'disable'), ctx);
    }),
  );
}

function addTargetOptions(command: Command): void {
  command
    .addOption(new Option('--cluster <name...>', 'cluster names or ARNs').argParser(collectList))
    .addOption(new Option('--all', 'every cluster in the selected region(s)').default(false))
    .addOption(
      new Option('--account-default', "also set the region's account default for new clusters").default(
        false,
      ),
    );
}

function toApplyOptions(
  flags: RawTargetFlags,
  level: InsightsApplyOptions['level'],
  verb: 'enable' | 'disable',
): InsightsApplyOptions {
  const clusters = flags.cluster ?? [];
  if (clusters.length > 0 && flags.all) throw new UsageError('--cluster and --all cannot be used together');
  if (clusters.length === 0 && !flags.all && !flags.accountDefault) {
    throw new UsageError(
      `Nothing to ${verb}: name clusters with --cluster, choose --all, or use --account-default.`,
      `Example: ecsops insights ${verb} --cluster prod${verb === 'enable' ? ' --level enhanced' : ''} --dry-run`,
    );
  }
  return {
    clusters,
    all: flags.all,
    level,
    accountDefault: flags.accountDefault,
    allowDowngrade: false,
    wait: false,
    waitTimeoutSeconds: 0,
    dryRun: flags.dryRun,
    yes: flags.yes,
  };
}
