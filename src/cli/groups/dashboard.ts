import type { Command } from 'commander';
import { Option } from '../commander.js';
import { addMutatingOptions, collectList } from '../options.js';
import type { RunCommand } from '../run.js';
import { addEmitOptions, toEmit } from './alarm.js';

/** Registers `ecsops dashboard create`. */
export function registerDashboardCommands(program: Command, run: RunCommand): void {
  const dashboard = program
    .command('dashboard')
    .description('CloudWatch dashboards of running/desired tasks per service');
  const create = dashboard
    .command('create')
    .description('Create or update a dashboard: one widget per cluster, a running/desired line per service')
    .addOption(new Option('--cluster <name...>', 'cluster names or ARNs (repeatable)').argParser(collectList))
    .addOption(new Option('--name <name>', 'dashboard name (default: ecsops-<clusters>)'))
    .addOption(
      new Option('--force', 'replace a dashboard of that name that ecsops did not make').default(false),
    );
  addEmitOptions(create);
  addMutatingOptions(create).action(
    (
      flags: {
        cluster?: string[];
        name?: string;
        force: boolean;
        emit?: string;
        format?: string;
        dryRun: boolean;
        yes: boolean;
      },
      command: Command,
    ) =>
      run(command, async (ctx) => {
        const [{ runDashboardCreate }, { dashboardCreateView }, { present }] = await Promise.all([
          import('../../commands/dashboard-create.js'),
          import('../../output/dashboard.js'),
          import('../../output/present.js'),
        ]);
        const options = {
          clusters: flags.cluster ?? [],
          name: flags.name,
          force: flags.force,
          emit: toEmit(flags),
          dryRun: flags.dryRun,
          yes: flags.yes,
        };
        return present(ctx.out, await runDashboardCreate(options, ctx), dashboardCreateView);
      }),
  );
}
