/**
 * `ecsops secrets migrate`: read a task definition (registered or a file) -> plan the move from an
 * env-loading wrapper to native `secrets` -> diff -> check the execution role (optionally fix it) ->
 * confirm -> register (and point a service at it) -> a typed result. Never reads a parameter value;
 * never deregisters. This module is the planner and the check; the read / output / register / update
 * steps are the shared task-definition pipeline (src/commands/task-definition-pipeline.ts).
 */
import { readFile } from 'node:fs/promises';
import { createParameterCatalogue, readDescribeParametersJson } from '../core/secrets/catalogue.js';
import type { SecretsCheckResult, TaskSecretReference } from '../core/secrets/check.js';
import {
  isMigrationRegistration,
  type MigrationResult,
  planMigration,
  prepareMigration,
  SECRETS_SOURCE_TAG,
  secretsSourceTagValue,
} from '../core/secrets/migrate.js';
import { partitionForRegion, secretsManagerSecretArn } from '../core/secrets/reference.js';
import type { ParameterMetadata, SecretMetadata } from '../core/secrets/tools/types.js';
import { readTaskDefinitionDocument, type TaskDefinitionTag } from '../core/task-definition/parse.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import {
  showAlreadyRegistered,
  showCheckPassed,
  showFixPlan,
  showMigrationPreview,
  showSkipCheckWarning,
} from '../output/secrets-migrate.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveOneRegion } from './regions.js';
import type { TaskDefinitionSecretsReport } from './secrets-check.js';
import {
  type EditPlan,
  type Online,
  type PipelineApply,
  type PipelineChange,
  type PipelineCheckInput,
  type PipelineOptions,
  type PipelineOutput,
  type PipelineStatus,
  pipelineCommandLine,
  readOnline,
  readTaskDefinitionSource,
  runTaskDefinitionPipeline,
  stopIfInterrupted,
  type TaskDefinitionPipelineResult,
  type TaskDefinitionPipelineSpec,
} from './task-definition-pipeline.js';

export type {
  RegisterChange,
  RevisionRef,
  UpdateServiceChange,
  UpdateServiceTarget,
  WriteFileChange,
} from './task-definition-pipeline.js';

/** Where the task definition comes from: a local file (optionally offline) or a registered revision. */
export type SecretsMigrateSource =
  | {
      kind: 'file';
      path: string;
      /** `--params-file`: `aws ssm describe-parameters` JSON, for offline runs (no --register). */
      paramsFile?: string | undefined;
    }
  | { kind: 'registered'; taskDef: string };

/** Where the new task definition goes locally: stdout, `--out FILE`, or `--in-place` (the --file). */
export type SecretsMigrateOutput = PipelineOutput;

/**
 * What to do in AWS: nothing, or register (after the secrets check: `verify`, `skip` with
 * --skip-check, or `fix` with --apply-fix) and optionally point a service at the new revision.
 */
export type SecretsMigrateApply = PipelineApply;

/** Parsed flags of `secrets migrate` (src/cli/groups/secrets-migrate.ts rejects what cannot be expressed). */
export interface SecretsMigrateOptions extends PipelineOptions {
  source: SecretsMigrateSource;
  imageEntryPoint?: string[] | undefined;
  imageCommand?: string[] | undefined;
  executionRole?: string | undefined;
  valueFrom: 'arn' | 'name';
}

/** Input of the secrets-check hook: the definition about to be registered. */
export interface MigrationCheckInput extends PipelineCheckInput {
  /** The references the migration added (the engine may check the whole definition). */
  references: readonly TaskSecretReference[];
}

/** Runs the `secrets check` engine against live IAM/KMS state. */
export type MigrationCheck = (
  ctx: CommandContext,
  input: MigrationCheckInput,
) => Promise<TaskDefinitionSecretsReport>;

/** Injectable collaborators (tests replace the check). */
export interface SecretsMigrateDeps {
  check?: MigrationCheck | undefined;
}

/** One write of `secrets migrate`, in the order they happen. */
export type SecretsMigrateChange = PipelineChange;

/** How a run ended (see PipelineStatus). */
export type SecretsMigrateStatus = PipelineStatus;

/** The typed result of `secrets migrate`; src/output/secrets-migrate.ts renders it. */
export interface SecretsMigrateResult extends TaskDefinitionPipelineResult<SecretsCheckResult> {
  migration: MigrationResult;
}

const COMMAND = 'secrets migrate';

/** `ecsops secrets migrate`. */
export async function runSecretsMigrate(
  options: SecretsMigrateOptions,
  ctx: CommandContext,
  deps: SecretsMigrateDeps = {},
): Promise<SecretsMigrateResult> {
  const paramsFile = options.source.kind === 'file' ? options.source.paramsFile : undefined;
  if (paramsFile !== undefined && options.apply.kind === 'register') {
    throw new UsageError(
      '--params-file is offline; --register needs AWS (drop --params-file to read parameters live).',
    );
  }
  if (options.output.kind === 'in-place' && options.source.kind !== 'file') {
    throw new UsageError('--in-place needs --file.');
  }

  // Read.
  const online = paramsFile === undefined ? await readOnline(ctx, COMMAND) : undefined;
  const region = online?.region ?? (await resolveOneRegion(ctx, COMMAND, { optional: true }));
  const source = await readTaskDefinitionSource(ctx, options.source, online);
  stopIfInterrupted(ctx);
  const account =
    online?.account ?? accountFromArns(options.executionRole, source.parsed.view.executionRoleArn);
  const prep = prepareMigration(source.parsed, {
    imageEntryPoint: options.imageEntryPoint,
    imageCommand: options.imageCommand,
    executionRoleArn: options.executionRole,
    valueFrom: options.valueFrom,
    region,
    accountId: account,
  });
  const catalogue =
    paramsFile !== undefined
      ? await readParamsFile(paramsFile)
      : await fetchCatalogue(ctx, online, account, prep.refusals.length > 0 ? [] : prep.queries);
  stopIfInterrupted(ctx);

  // Plan.
  const migration = planMigration(prep, catalogue);
  const result: SecretsMigrateResult = {
    exitCode: ExitCode.ok,
    status: migration.status,
    source: { kind: source.kind, label: source.label },
    dryRun: options.dryRun,
    migration,
    refusals: migration.refusals,
    registerProblems: [],
  };
  const plan: EditPlan<SecretsMigrateResult> =
    migration.status !== 'migrated'
      ? { kind: migration.status, result }
      : {
          kind: 'edit',
          result,
          document: migration.document,
          registerInput: migration.registerInput,
          // The new revision as RegisterTaskDefinition receives it, tagged with where the secrets came from.
          register:
            migration.registerInput === undefined
              ? undefined
              : { ...migration.registerInput, tags: withSourceTag(source.parsed.tags, migration.sources) },
          preview: (out, before, after) =>
            showMigrationPreview(out, { label: source.label, before, after, migration }),
        };
  const references = migration.status === 'migrated' ? migration.references : [];
  const spec = secretsPipelineSpec({
    command: COMMAND,
    check: deps.check,
    references,
    commandLine: (extra) => migrateCommandLine(options, online?.region ?? '', extra),
  });
  return runTaskDefinitionPipeline(ctx, options, spec, {
    source,
    online,
    plan,
  });
}

/**
 * The half of the pipeline a secrets command supplies: the `secrets check` engine as the role check
 * (execution role can read and decrypt every secret of the new revision), its words, and re-run
 * detection by content and the `ecsops:secrets-source` tag. `secrets migrate` and `secrets sync`.
 */
export function secretsPipelineSpec(args: {
  command: string;
  commandLine: (extra: readonly string[]) => string;
  check?: MigrationCheck | undefined;
  references?: readonly TaskSecretReference[] | undefined;
}): TaskDefinitionPipelineSpec<SecretsCheckResult> {
  const references = args.references ?? [];
  return {
    command: args.command,
    isSameRegistration: isMigrationRegistration,
    check: async (ctx, input) => {
      const report = await (args.check ?? defaultCheck)(ctx, { ...input, references });
      const checked = report.result;
      return {
        status: checked.status,
        result: checked,
        refusals: checked.findings
          .filter((f) => f.severity !== 'info')
          .map((f) => ({
            container: f.containerName ?? '*',
            tool: undefined,
            reason: `${f.name ? `${f.name} ` : ''}${f.code}: ${f.message}`,
          })),
        fixable: checked.fix?.policy !== undefined,
        planFixes: async () => (await import('./secrets-check.js')).planFixChanges([report]),
      };
    },
    commandLine: args.commandLine,
    messages: {
      checkPassed: showCheckPassed,
      skipCheckWarning: showSkipCheckWarning,
      fixPlan: showFixPlan,
      alreadyRegistered: showAlreadyRegistered,
      fixNotApplied: 'the execution role fix was not applied',
    },
  };
}

/** The command line that re-runs this migration with `extra` flags (for the "next step" hint). */
export function migrateCommandLine(
  options: SecretsMigrateOptions,
  region: string,
  extra: readonly string[],
): string {
  const flags: string[] = [];
  if (options.imageEntryPoint) flags.push('--image-entrypoint', JSON.stringify(options.imageEntryPoint));
  if (options.imageCommand) flags.push('--image-command', JSON.stringify(options.imageCommand));
  if (options.executionRole) flags.push('--execution-role', options.executionRole);
  if (options.valueFrom !== 'arn') flags.push('--value-from', options.valueFrom);
  return pipelineCommandLine({
    command: ['secrets', 'migrate'],
    region,
    options,
    commandFlags: flags,
    extra,
  });
}

// The `secrets check` engine (src/commands/secrets-check.ts) reads the roles, keys and parameters
// the new revision references (metadata only) and decides whether the execution role can use them.
const defaultCheck: MigrationCheck = async (ctx, input) => {
  const { checkTaskDefinitionSecrets } = await import('./secrets-check.js');
  return checkTaskDefinitionSecrets(ctx, {
    view: readTaskDefinitionDocument(input.taskDefinition, 'new revision').view,
    region: input.region,
    account: input.account === '' ? undefined : input.account,
    label:
      typeof input.taskDefinition.family === 'string'
        ? `${input.taskDefinition.family} (new revision)`
        : 'new revision',
  });
};

// ---- read ----------------------------------------------------------------------------------------

// Offline there is no STS: the account comes from the execution role ARN (`arn:aws:iam::ACCOUNT:role/x`).
function accountFromArns(...arns: (string | undefined)[]): string | undefined {
  for (const arn of arns) {
    const account = arn?.split(':')[4];
    if (account !== undefined && /^\d{12}$/.test(account)) return account;
  }
  return undefined;
}

async function readParamsFile(path: string) {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(`Cannot read --params-file ${path}: ${describeError(error)}`);
  }
  const parameters = readDescribeParametersJson(document);
  if (typeof parameters === 'string') throw new InputError(`--params-file ${path}: ${parameters}`);
  return createParameterCatalogue(parameters, []);
}

// DescribeParameters and DescribeSecret only (metadata, never values), every page. A secret that
// cannot be described is referenced by partial ARN (no random suffix), which ECS accepts; the
// `secrets check` run before --register then decides whether it is usable.
async function fetchCatalogue(
  ctx: CommandContext,
  online: Online | undefined,
  account: string | undefined,
  queries: ReturnType<typeof prepareMigration>['queries'],
) {
  if (!online) throw new Error('BUG: reading parameters without AWS access');
  const { region, partition } = online;
  const ssm = await ctx.aws.ssm(region);
  const byName = new Map<string, ParameterMetadata>();
  const secrets: SecretMetadata[] = [];
  for (const q of queries) {
    stopIfInterrupted(ctx);
    if (q.kind === 'secret') {
      const found = await (await ctx.aws.secretsManager(region)).readSecretMetadata(q.secretId);
      if (found.status === 'found') secrets.push({ name: q.secretId, arn: found.value.arn });
      else if (found.status === 'unreadable' && account !== undefined) {
        ctx.out.warn(
          `cannot describe secret ${q.secretId} (${found.lackingPermission}); using its partial ARN`,
        );
        secrets.push({
          name: q.secretId,
          arn: secretsManagerSecretArn(partition ?? partitionForRegion(region), region, account, q.secretId),
        });
      }
      continue;
    }
    const found =
      q.kind === 'names'
        ? await ssm.describeParametersByName(q.names)
        : await ssm.describeParametersByPath(normalisePath(q.path), q.recursive);
    for (const p of found) byName.set(p.name, p);
  }
  return createParameterCatalogue([...byName.values()], secrets);
}

// DescribeParameters' Path filter takes `/a/b`, not `/a/b/` (the root `/` stays as it is).
function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function withSourceTag(tags: readonly TaskDefinitionTag[], sources: readonly string[]): TaskDefinitionTag[] {
  const kept = tags.filter((t) => t.key !== SECRETS_SOURCE_TAG);
  return [...kept, { key: SECRETS_SOURCE_TAG, value: secretsSourceTagValue(sources) }];
}
