/**
 * createProgram: the one registry of command groups. Group modules only declare flags; each action
 * imports its command module (and through it the AWS SDK clients it needs) when it runs, so
 * `ecsops --help` loads no SDK.
 */
import type { Command as CommanderCommand } from 'commander';
import { Command, Option } from './commander.js';
import { registerAlarmCommands } from './groups/alarm.js';
import { registerAuditCommands } from './groups/audit.js';
import { registerCostCommands } from './groups/cost.js';
import { registerDashboardCommands } from './groups/dashboard.js';
import { registerInsightsCommands } from './groups/insights.js';
import { registerLogsCommands } from './groups/logs.js';
import { registerSecretsCommands } from './groups/secrets.js';
import { collectList, collectRegions, integerIn } from './options.js';
import type { RunCommand } from './run.js';

export interface ProgramDeps {
  version: string;
  run: RunCommand;
}

/** Builds the commander program with global options and every command group. */
export function createProgram(deps: ProgramDeps): CommanderCommand {
  const program = new Command('ecsops')
    .description('Operations for Amazon ECS: Container Insights, native secrets, task-health alarms.')
    .version(deps.version, '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    // Every subcommand's --help lists these global options too.
    .configureHelp({ showGlobalOptions: true })
    .addOption(
      new Option(
        '--region <regions>',
        'AWS region(s): comma-separated, repeatable, or "all" (default: AWS_REGION / profile)',
      ).argParser(collectRegions),
    )
    .addOption(new Option('--profile <name>', 'named AWS profile (default: the standard credential chain)'))
    .addOption(
      new Option('--endpoint-url <url>', 'send every AWS call to this endpoint (also AWS_ENDPOINT_URL)'),
    )
    .addOption(new Option('--json', 'print exactly one JSON document on stdout').default(false))
    .addOption(new Option('--no-color', 'no ANSI colours (also NO_COLOR, non-TTY, --json)'))
    .addOption(new Option('--debug', 'log AWS calls and show stack traces').default(false))
    .addOption(
      new Option('--concurrency <n>', 'max targets processed at once').argParser(integerIn(1, 64)).default(8),
    )
    .addOption(
      new Option('--max-attempts <n>', 'attempts per AWS call, with adaptive retry and backoff')
        .argParser(integerIn(1, 20))
        .default(8),
    )
    // Accounts and organizations (README): the command runs once per account, on assumed-role credentials.
    .addOption(
      new Option('--accounts <ids>', 'run in these AWS accounts: comma-separated, repeatable').argParser(
        collectList,
      ),
    )
    .addOption(new Option('--org', 'run in every ACTIVE account of the AWS Organization'))
    .addOption(
      new Option(
        '--org-ou <ids>',
        'run in every ACTIVE account under these OUs and their child OUs',
      ).argParser(collectList),
    )
    .addOption(
      new Option(
        '--exclude-accounts <ids>',
        'leave these accounts out (comma-separated, repeatable)',
      ).argParser(collectList),
    )
    .addOption(
      new Option(
        '--assume-role <name|arn>',
        'role to assume in each account: a name, or an ARN template with {account} (default: OrganizationAccountAccessRole)',
      ),
    )
    .addOption(
      new Option('--external-id <id>', 'external id for sts:AssumeRole, when the trust policy needs one'),
    )
    .addOption(
      new Option('--role-session-name <name>', 'session name of the assumed roles (default: ecsops-<user>)'),
    )
    .addOption(new Option('--dry-run', 'mutating commands: show the plan and send no writes'))
    .addOption(new Option('-y, --yes', 'mutating commands: apply without asking'));
  // `ecsops --yes alarm create ...` means the same as `ecsops alarm create ... --yes`.
  program.hook('preAction', (_program, action) => {
    const top = program.opts() as { dryRun?: boolean; yes?: boolean };
    if (top.dryRun) action.setOptionValue('dryRun', true);
    if (top.yes) action.setOptionValue('yes', true);
  });

  registerInsightsCommands(program, deps.run);
  registerSecretsCommands(program, deps.run);
  registerLogsCommands(program, deps.run);
  registerAlarmCommands(program, deps.run);
  registerDashboardCommands(program, deps.run);
  registerAuditCommands(program, deps.run);
  registerCostCommands(program, deps.run);
  return program;
}
