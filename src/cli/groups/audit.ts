import type { Command } from 'commander';
import { Option } from '../commander.js';
import { collectList } from '../options.js';
import type { RunCommand } from '../run.js';

/** Registers `ecsops audit`. */
export function registerAuditCommands(program: Command, run: RunCommand): void {
  program
    .command('audit')
    .description(
      'Read-only audit: Container Insights, task-health alarms, wrappers and secrets, with the command that fixes each finding',
    )
    .addOption(
      new Option('--cluster <name...>', 'cluster names or ARNs (default: all clusters)').argParser(
        collectList,
      ),
    )
    .addOption(
      new Option(
        '--name-prefix <prefix>',
        'the alarm name prefix alarm create used (default: ecsops-task-health)',
      ),
    )
    .action((flags: { cluster?: string[]; namePrefix?: string }, command: Command) =>
      run(command, async (ctx) => {
        const [{ runAudit }, { auditView }, { present }] = await Promise.all([
          import('../../commands/audit.js'),
          import('../../output/audit.js'),
          import('../../output/present.js'),
        ]);
        return present(
          ctx.out,
          await runAudit({ clusters: flags.cluster ?? [], namePrefix: flags.namePrefix }, ctx),
          auditView,
        );
      }),
    );
}
