import type { Command } from 'commander';
import type { CommandContext } from '../../commands/context.js';
import type { ClusterSelection, InsightsApplyOptions } from '../../commands/insights-apply.js';
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
        const [{ runInsightsStatus }, { insightsStatusView }, { present }] = await Promise.all([
          import('../../commands/insights-status.js'),
          import('../../output/insights.js'),
          import('../../output/present.js'),
        ]);
        return present(
          ctx.out,
          await runInsightsStatus({ clusters: flags.cluster ?? [] }, ctx),
          insightsStatusView,
        );
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
        const options: InsightsApplyOptions = {
          ...toTargets(flags, 'enable'),
          level: flags.level,
          allowDowngrade: flags.allowDowngrade,
          wait: flags.wait ? { timeoutSeconds: flags.waitTimeout } : undefined,
        };
        return applyInsights(ctx, options);
      }),
  );

  const disable = insights
    .command('disable')
    .description('Turn Container Insights off for clusters and/or the account default')
    .addOption(
      new Option(
        '--force',
        'turn it off even where ecsops alarms watch the services (they go blind)',
      ).default(false),
    );
  addTargetOptions(disable);
  addMutatingOptions(disable).action((flags: RawTargetFlags & { force: boolean }, command: Command) =>
    run(command, (ctx) =>
      applyInsights(ctx, {
        ...toTargets(flags, 'disable'),
        level: 'disabled',
        allowDowngrade: false,
        force: flags.force,
      }),
    ),
  );
}

async function applyInsights(ctx: CommandContext, options: InsightsApplyOptions) {
  const [{ runInsightsApply }, { insightsApplyView }, { present }] = await Promise.all([
    import('../../commands/insights-apply.js'),
    import('../../output/insights.js'),
    import('../../output/present.js'),
  ]);
  return present(ctx.out, await runInsightsApply(options, ctx), insightsApplyView);
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

/** The target flags as one selection; `--cluster` with `--all`, or no target at all, is a usage error. */
function toTargets(
  flags: RawTargetFlags,
  verb: 'enable' | 'disable',
): Pick<InsightsApplyOptions, 'clusters' | 'accountDefault' | 'dryRun' | 'yes'> {
  const names = flags.cluster ?? [];
  if (names.length > 0 && flags.all) throw new UsageError('--cluster and --all cannot be used together');
  const clusters: ClusterSelection = flags.all
    ? { kind: 'all' }
    : names.length
      ? { kind: 'named', names }
      : { kind: 'none' };
  if (clusters.kind === 'none' && !flags.accountDefault) {
    throw new UsageError(
      `Nothing to ${verb}: name clusters with --cluster, choose --all, or use --account-default.`,
      `Example: ecsops insights ${verb} --cluster prod${verb === 'enable' ? ' --level enhanced' : ''} --dry-run`,
    );
  }
  return { clusters, accountDefault: flags.accountDefault, dryRun: flags.dryRun, yes: flags.yes };
}
