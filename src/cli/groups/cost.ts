import type { Command } from 'commander';
import type { PriceChoice } from '../../commands/cost-prices.js';
import { UsageError } from '../../errors.js';
import { Option } from '../commander.js';
import { collectList, integerIn } from '../options.js';
import type { RunCommand } from '../run.js';

interface PriceFlags {
  cluster?: string[];
  pricesFile?: string;
  bundledPrices: boolean;
}

function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--cluster <name...>', 'cluster names or ARNs (default: all clusters)').argParser(
        collectList,
      ),
    )
    .addOption(
      new Option(
        '--prices-file <path>',
        "use this price table (the bundled table's JSON format) instead of the price APIs",
      ),
    )
    .addOption(
      new Option('--bundled-prices', 'use the bundled price table; call no price API').default(false),
    );
}

function priceChoice(flags: PriceFlags): PriceChoice {
  if (flags.pricesFile && flags.bundledPrices)
    throw new UsageError('--prices-file and --bundled-prices cannot be used together');
  if (flags.pricesFile) return { kind: 'file', path: flags.pricesFile };
  return flags.bundledPrices ? { kind: 'bundled' } : { kind: 'live' };
}

/** Registers `ecsops cost report|rightsize` (both read-only). */
export function registerCostCommands(program: Command, run: RunCommand): void {
  const cost = program
    .command('cost')
    .description(
      'What each Fargate service costs a month, what Spot, Graviton and Savings Plans save, and right-sizing (read-only)',
    );

  addCommonOptions(
    cost
      .command('report')
      .description(
        'Monthly cost per service (730 h): current, on demand, all Spot, arm64, Savings Plans 1y/3y, with Spot eligibility',
      ),
  )
    .addOption(
      new Option(
        '--include-tasks',
        'also price RUNNING standalone tasks (RunTask), grouped by group',
      ).default(false),
    )
    .action((flags: PriceFlags & { includeTasks: boolean }, command: Command) =>
      run(command, async (ctx) => {
        const options = {
          clusters: flags.cluster ?? [],
          includeTasks: flags.includeTasks,
          prices: priceChoice(flags),
        };
        const [{ runCostReport }, { costReportView }, { present }] = await Promise.all([
          import('../../commands/cost-report.js'),
          import('../../output/cost.js'),
          import('../../output/present.js'),
        ]);
        return present(ctx.out, await runCostReport(options, ctx), costReportView);
      }),
    );

  addCommonOptions(
    cost
      .command('rightsize')
      .description(
        'Recommend the smallest valid Fargate cpu/memory from Container Insights peaks (exit 1 when something should change)',
      ),
  )
    .addOption(
      new Option('--days <n>', 'how many days of Container Insights data to read')
        .argParser(integerIn(1, 455))
        .default(14),
    )
    .addOption(
      new Option('--headroom <percent>', 'room above the peak, in percent')
        .argParser(integerIn(0, 400))
        .default(25),
    )
    .action((flags: PriceFlags & { days: number; headroom: number }, command: Command) =>
      run(command, async (ctx) => {
        const options = {
          clusters: flags.cluster ?? [],
          days: flags.days,
          headroom: flags.headroom / 100,
          prices: priceChoice(flags),
        };
        const [{ runCostRightsize }, { costRightsizeView }, { present }] = await Promise.all([
          import('../../commands/cost-rightsize.js'),
          import('../../output/cost.js'),
          import('../../output/present.js'),
        ]);
        return present(ctx.out, await runCostRightsize(options, ctx), costRightsizeView);
      }),
    );
}
