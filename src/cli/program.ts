/**
 * createProgram: the one registry of command groups. Group modules only declare flags; each action
 * imports its command module (and through it the AWS SDK clients it needs) when it runs, so
 * `ecsops --help` loads no SDK.
 */
import type { Command as CommanderCommand } from 'commander';
import { Command, Option } from './commander.js';
import { registerAlarmCommands } from './groups/alarm.js';
import { registerDashboardCommands } from './groups/dashboard.js';
import { registerInsightsCommands } from './groups/insights.js';
import { registerSecretsCommands } from './groups/secrets.js';
import { collectList, integerIn } from './options.js';
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
    .addOption(
      new Option(
        '--region <regions>',
        'AWS region(s): comma-separated, repeatable, or "all" (default: AWS_REGION / profile)',
      ).argParser(collectList),
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
    );

  registerInsightsCommands(program, deps.run);
  registerSecretsCommands(program, deps.run);
  registerAlarmCommands(program, deps.run);
  registerDashboardCommands(program, deps.run);
  return program;
}
