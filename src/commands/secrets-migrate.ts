/**
 * `ecsops secrets migrate`: read a task definition (registered or a file) -> plan the move from an
 * env-loading wrapper to native `secrets` -> diff -> check the execution role -> confirm -> register
 * (and point a service at it) -> report. Never reads a parameter value; never deregisters.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createParameterCatalogue, readDescribeParametersJson } from '../core/secrets/catalogue.js';
import type { SecretsCheckResult, TaskSecretReference } from '../core/secrets/check.js';
import {
  type MigrationResult,
  planMigration,
  prepareMigration,
  SECRETS_SOURCE_TAG,
  secretsSourceTagValue,
} from '../core/secrets/migrate.js';
import { partitionForRegion, secretsManagerSecretArn } from '../core/secrets/reference.js';
import type { ParameterMetadata, SecretMetadata } from '../core/secrets/tools/types.js';
import { renderTaskDefinitionJson } from '../core/task-definition/edit.js';
import type { JsonObject } from '../core/task-definition/json.js';
import {
  type ParsedTaskDefinition,
  parseTaskDefinition,
  readTaskDefinitionDocument,
  type TaskDefinitionTag,
  taskDefinitionObject,
  toRegisterInput,
} from '../core/task-definition/parse.js';
import { ExitCode, InputError, PartialApplyError, UsageError } from '../errors.js';
import { renderUnifiedDiff } from '../output/diff.js';
import { renderTable } from '../output/table.js';
import { confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveOneRegion } from './regions.js';

/** Parsed flags of `secrets migrate`. */
export interface SecretsMigrateOptions extends MutatingOptions {
  /** `--task-def FAMILY[:REV]|ARN`. */
  taskDef?: string | undefined;
  /** `--file PATH`. */
  file?: string | undefined;
  out?: string | undefined;
  inPlace: boolean;
  register: boolean;
  updateService: boolean;
  cluster?: string | undefined;
  service?: string | undefined;
  wait: boolean;
  imageEntryPoint?: string[] | undefined;
  imageCommand?: string[] | undefined;
  executionRole?: string | undefined;
  valueFrom: 'arn' | 'name';
  /** `--params-file`: `aws ssm describe-parameters` JSON, for offline runs. */
  paramsFile?: string | undefined;
  skipCheck: boolean;
}

/** Input of the secrets-check hook: the definition about to be registered. */
export interface MigrationCheckInput {
  region: string;
  account: string;
  /** RegisterTaskDefinition input of the new revision. */
  taskDefinition: JsonObject;
  /** The references the migration added (the engine may check the whole definition). */
  references: readonly TaskSecretReference[];
}

/** Runs the `secrets check` engine against live IAM/KMS state. */
export type MigrationCheck = (ctx: CommandContext, input: MigrationCheckInput) => Promise<SecretsCheckResult>;

/** Injectable collaborators (tests replace the check). */
export interface SecretsMigrateDeps {
  check?: MigrationCheck | undefined;
}

/** How long `--wait` waits for the service to become stable. */
export const WAIT_MAX_SECONDS = 900;

/** Validates flag combinations that commander cannot express. */
export function validateSecretsMigrateOptions(o: SecretsMigrateOptions): void {
  if ((o.taskDef === undefined) === (o.file === undefined)) {
    throw new UsageError('Give exactly one source: --task-def FAMILY[:REV]|ARN or --file PATH.');
  }
  if (o.inPlace && o.file === undefined) throw new UsageError('--in-place needs --file.');
  if (o.inPlace && o.out !== undefined) throw new UsageError('--in-place and --out cannot be used together.');
  if (o.updateService && !o.register) throw new UsageError('--update-service needs --register.');
  if (o.updateService && (o.cluster === undefined || o.service === undefined)) {
    throw new UsageError('--update-service needs --cluster C and --service S.');
  }
  if (!o.updateService && (o.cluster !== undefined || o.service !== undefined)) {
    throw new UsageError('--cluster and --service only apply with --update-service.');
  }
  if (o.wait && !o.updateService) throw new UsageError('--wait needs --update-service.');
  if (o.paramsFile !== undefined && o.taskDef !== undefined) {
    throw new UsageError('--params-file is for offline runs on --file; --task-def reads AWS.');
  }
  if (o.paramsFile !== undefined && o.register) {
    throw new UsageError(
      '--params-file is offline; --register needs AWS (drop --params-file to read parameters live).',
    );
  }
}

interface Source {
  /** A local file keeps its shape on output; a registered revision prints as RegisterTaskDefinition input. */
  kind: 'file' | 'registered';
  parsed: ParsedTaskDefinition;
  /** Text to diff against and to shape the output like (the file, or the stripped register input). */
  originalText: string;
  label: string;
  region: string | undefined;
}

/** `ecsops secrets migrate`. */
export async function runSecretsMigrate(
  options: SecretsMigrateOptions,
  ctx: CommandContext,
  deps: SecretsMigrateDeps = {},
): Promise<ExitCode> {
  validateSecretsMigrateOptions(options);
  const { out } = ctx;
  const offline = options.paramsFile !== undefined;
  const region = offline
    ? await resolveOneRegion(ctx, 'secrets migrate', { optional: true })
    : await resolveOneRegion(ctx, 'secrets migrate');

  // Read.
  const source = await readSource(ctx, options, region);
  const identity = offline ? undefined : await readIdentity(ctx, region as string);
  const account =
    identity?.account ?? accountFromArns(options.executionRole, source.parsed.view.executionRoleArn);
  const migrateOptions = {
    imageEntryPoint: options.imageEntryPoint,
    imageCommand: options.imageCommand,
    executionRoleArn: options.executionRole,
    valueFrom: options.valueFrom,
    region,
    accountId: account,
  };
  const prep = prepareMigration(source.parsed, migrateOptions);
  const catalogue = offline
    ? await readParamsFile(options.paramsFile as string)
    : await fetchCatalogue(
        ctx,
        region as string,
        identity?.partition,
        account,
        prep.refusals.length > 0 ? [] : prep.queries,
      );

  // Plan.
  const result = planMigration(prep, catalogue);
  const report: Record<string, unknown> = {
    source: source.label,
    status: result.status,
    dryRun: options.dryRun,
    sizeBytes: result.sizeBytes,
    sizeLimitBytes: result.sizeLimitBytes,
    mappings: result.mappings,
    collisions: result.collisions,
    removedEnvironment: result.removedEnvironment,
    skippedSecrets: result.skippedSecrets,
    warnings: result.warnings,
    refusals: result.refusals,
    sources: result.sources,
  };
  if (result.status === 'refused') {
    if (out.jsonMode) out.json(report);
    else {
      for (const r of result.refusals)
        out.error(`${r.container === '*' ? '' : `${r.container}: `}${r.reason}`);
      out.info('Nothing was written: ecsops never emits a half-migrated task definition.');
    }
    return ExitCode.findings;
  }
  if (result.status === 'nothing-to-do') {
    if (out.jsonMode) out.json(report);
    else out.info('Nothing to do: no env-loading wrapper found.');
    return ExitCode.ok;
  }

  // Diff.
  const newText = renderOutput(source, result);
  report.taskDefinition = outputDocument(source, result);
  if (!out.jsonMode) {
    for (const w of result.warnings) out.warn(w);
    out.info(renderDiff(source, newText));
    out.info(renderMappingTable(result));
    out.info(
      `Size: ${result.sizeBytes} of ${result.sizeLimitBytes} bytes (${Math.round((result.sizeBytes / result.sizeLimitBytes) * 100)}% of the 64 KiB limit).`,
    );
  }

  // Local output: stdout, --out, or --in-place.
  if (options.inPlace || options.out !== undefined) {
    const target = options.inPlace ? (options.file as string) : (options.out as string);
    if (options.dryRun) out.info(`Dry run: ${target} was not written.`);
    else {
      await writeAtomically(target, newText, options.inPlace);
      out.info(`Wrote ${target}${options.inPlace ? ` (original kept as ${target}.bak)` : ''}.`);
    }
    report.written = options.dryRun ? undefined : target;
  } else if (!options.register && !out.jsonMode) {
    out.raw(newText);
  }
  if (!options.register) {
    if (out.jsonMode) out.json(report);
    return ExitCode.ok;
  }

  return registerFlow(ctx, options, deps, { source, result, report, region: region as string, account });
}

interface RegisterState {
  source: Source;
  result: MigrationResult;
  report: Record<string, unknown>;
  region: string;
  account: string | undefined;
}

async function registerFlow(
  ctx: CommandContext,
  options: SecretsMigrateOptions,
  deps: SecretsMigrateDeps,
  { source, result, report, region, account }: RegisterState,
): Promise<ExitCode> {
  const { out } = ctx;
  const input = result.registerInput;
  if (input === undefined) {
    throw new UsageError(
      '--register needs a whole task definition; this file is a bare containerDefinitions array.',
      'Register it through the tool that owns the task definition (e.g. Terraform), or pass a task definition file.',
    );
  }
  const family = typeof input.family === 'string' ? input.family : undefined;
  if (family === undefined)
    throw new InputError('The task definition has no family; cannot register it.', { path: 'family' });
  input.tags = withSourceTag(source.parsed.tags, result.sources);

  // Read the service now so the plan, the rollback command and a failure report are exact.
  const ecs = await ctx.aws.ecs(region);
  let previousTaskDefinition: string | undefined;
  if (options.updateService) {
    const found = await ecs.describeServices(options.cluster as string, [options.service as string]);
    const svc = found.services[0];
    if (svc === undefined) {
      throw new InputError(
        `Service ${options.service} not found in cluster ${options.cluster} (${region}).`,
        {
          hint: 'Nothing was registered. Check --cluster, --service and --region.',
        },
      );
    }
    previousTaskDefinition = svc.taskDefinition;
  }

  // Check the execution role can read and decrypt, before anything is written.
  if (options.skipCheck) {
    out.warn(
      '--skip-check: NOT verifying that the execution role can read and decrypt these secrets. If it cannot, new tasks fail to start with ResourceInitializationError.',
    );
    report.check = { skipped: true };
  } else {
    const check = deps.check ?? defaultCheck;
    const checked = await check(ctx, {
      region,
      account: account ?? '',
      taskDefinition: input,
      references: result.references,
    });
    report.check = checked;
    if (checked.status !== 'ok') {
      if (out.jsonMode) out.json(report);
      else renderCheckFailure(ctx, checked);
      return checked.status === 'incomplete' ? ExitCode.aws : ExitCode.findings;
    }
    if (!out.jsonMode) out.info('Check: the execution role can read and decrypt every secret.');
  }

  const steps = [`register a new revision of ${family}`];
  if (options.updateService) steps.push(`point ${options.cluster}/${options.service} at it`);
  if (!out.jsonMode) out.info(`Plan: ${steps.join(', then ')}. The current revision stays ACTIVE.`);
  const decision = await confirmApply(ctx, options, `Apply: ${steps.join(', then ')}?`);
  if (decision === 'dry-run') {
    if (out.jsonMode) out.json(report);
    else out.info('Dry run: nothing was registered.');
    return ExitCode.ok;
  }

  // Apply.
  const registered = await ecs.registerTaskDefinition(input);
  const newRef = `${family}:${registered.revision}`;
  report.registered = registered;
  if (!out.jsonMode) out.result(`Registered ${registered.taskDefinitionArn}`);
  if (!options.updateService) {
    if (out.jsonMode) out.json(report);
    return ExitCode.ok;
  }
  const cluster = options.cluster as string;
  const service = options.service as string;
  // Ctrl-C after the register: say exactly what exists now and how to finish, then stop.
  if (ctx.signal.aborted) {
    report.service = { cluster, service, status: 'not-started' };
    if (out.jsonMode) out.json({ ...report, interrupted: true });
    else {
      out.result(`Interrupted: service ${cluster}/${service} was not updated.`);
      out.info(
        `Finish with: aws ecs update-service --region ${region} --cluster ${cluster} --service ${service} --task-definition ${newRef}`,
      );
    }
    return ExitCode.interrupted;
  }
  const rollback = `aws ecs update-service --region ${region} --cluster ${cluster} --service ${service} --task-definition ${rollbackTarget(previousTaskDefinition)}`;
  report.rollbackCommand = rollback;
  try {
    await ecs.updateServiceTaskDefinition(cluster, service, newRef);
  } catch (error) {
    report.service = { cluster, service, status: 'failed', error: describeError(error) };
    if (out.jsonMode) out.json(report);
    throw new PartialApplyError(
      `Registered ${registered.taskDefinitionArn}, but updating service ${cluster}/${service} failed: ${describeError(error)}`,
      `Nothing else changed. Finish with: aws ecs update-service --region ${region} --cluster ${cluster} --service ${service} --task-definition ${newRef}`,
    );
  }
  report.service = { cluster, service, status: 'updated', taskDefinition: newRef, previousTaskDefinition };
  if (!out.jsonMode) {
    out.result(`Updated service ${cluster}/${service} to ${newRef}`);
    out.result(`Rollback: ${rollback}`);
  }
  if (options.wait) {
    if (!out.jsonMode) out.info(`Waiting up to ${WAIT_MAX_SECONDS} s for ${service} to become stable...`);
    try {
      await ecs.waitForServicesStable(cluster, [service], WAIT_MAX_SECONDS);
      report.stable = true;
    } catch (error) {
      // The change is applied; the deployment did not settle (e.g. ResourceInitializationError when
      // the execution role cannot fetch a secret). That is a finding for the operator, with the way back.
      report.stable = false;
      if (out.jsonMode) out.json({ ...report, waitError: describeError(error) });
      else {
        out.error(`Service ${cluster}/${service} did not become stable: ${describeError(error)}`);
        out.info(
          `Check its events (aws ecs describe-services --cluster ${cluster} --services ${service}); roll back with: ${rollback}`,
        );
      }
      return ExitCode.findings;
    }
  }
  if (out.jsonMode) out.json(report);
  return ExitCode.ok;
}

// The rollback target is `family:rev`, as the user would type it (moto and old tools may store the ARN).
function rollbackTarget(taskDefinition: string | undefined): string {
  if (taskDefinition === undefined || taskDefinition === '') return '<previous revision>';
  return taskDefinition.includes(':task-definition/')
    ? (taskDefinition.split('/').pop() ?? taskDefinition)
    : taskDefinition;
}

// The `secrets check` engine (src/commands/secrets-check.ts) reads the roles, keys and parameters
// the new revision references (metadata only) and decides whether the execution role can use them.
const defaultCheck: MigrationCheck = async (ctx, input) => {
  const { checkTaskDefinitionSecrets } = await import('./secrets-check.js');
  const report = await checkTaskDefinitionSecrets(ctx, {
    view: readTaskDefinitionDocument(input.taskDefinition, 'new revision').view,
    region: input.region,
    account: input.account === '' ? undefined : input.account,
    label:
      typeof input.taskDefinition.family === 'string'
        ? `${input.taskDefinition.family} (new revision)`
        : 'new revision',
  });
  return report.result;
};

function renderCheckFailure(ctx: CommandContext, checked: SecretsCheckResult): void {
  const { out } = ctx;
  out.error('Not registering: the execution role cannot use every secret of the new revision.');
  for (const f of checked.findings.filter((x) => x.severity !== 'info')) {
    out.error(`${f.containerName ? `${f.containerName}/` : ''}${f.name ?? ''} ${f.code}: ${f.message}`);
  }
  if (checked.fix?.policy !== undefined) {
    out.info(`Add this inline policy (${checked.fix.policyName}) to ${checked.fix.roleArn}, then re-run:`);
    out.result(JSON.stringify(checked.fix.policy, null, 2));
  }
  for (const k of checked.fix?.keyPolicyStatements ?? []) {
    out.info(`Add to the key policy of ${k.keyArn}:`);
    out.result(JSON.stringify(k.statement, null, 2));
  }
}

// ---- read ----------------------------------------------------------------------------------------

async function readSource(
  ctx: CommandContext,
  options: SecretsMigrateOptions,
  region: string | undefined,
): Promise<Source> {
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      throw new InputError(`Cannot read ${options.file}: ${describeError(error)}`);
    }
    return {
      kind: 'file',
      parsed: parseTaskDefinition(text, options.file),
      originalText: text,
      label: options.file,
      region,
    };
  }
  const { taskDefinition, tags } = await (await ctx.aws.ecs(region as string)).describeTaskDefinition(
    options.taskDef as string,
  );
  const document: JsonObject = { taskDefinition, tags };
  const parsed = readTaskDefinitionDocument(document, options.taskDef as string);
  const td = taskDefinitionObject(parsed.document, parsed.shape) as JsonObject;
  const originalText = `${JSON.stringify(toRegisterInput(td, tags), null, 2)}\n`;
  const arn = typeof td.taskDefinitionArn === 'string' ? td.taskDefinitionArn : (options.taskDef as string);
  return { kind: 'registered', parsed, originalText, label: arn, region };
}

async function readIdentity(ctx: CommandContext, region: string) {
  return (await ctx.aws.sts(region)).getCallerIdentity();
}

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
  region: string,
  partition: string | undefined,
  account: string | undefined,
  queries: ReturnType<typeof prepareMigration>['queries'],
) {
  const ssm = await ctx.aws.ssm(region);
  const byName = new Map<string, ParameterMetadata>();
  const secrets: SecretMetadata[] = [];
  for (const q of queries) {
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

// ---- output --------------------------------------------------------------------------------------

function outputDocument(source: Source, result: MigrationResult): unknown {
  return source.kind === 'file' ? result.document : result.registerInput;
}

function renderOutput(source: Source, result: MigrationResult): string {
  return source.kind === 'file'
    ? renderTaskDefinitionJson(result.document, source.originalText)
    : `${JSON.stringify(result.registerInput, null, 2)}\n`;
}

function renderDiff(source: Source, newText: string): string {
  return renderUnifiedDiff(basename(source.label), source.originalText, newText);
}

function renderMappingTable(result: MigrationResult): string {
  const rows = result.mappings.map((m) => [m.container, m.name, m.parameter, m.rule]);
  const lines = [renderTable(['CONTAINER', 'ENV VAR', 'PARAMETER', 'RULE'], rows)];
  for (const c of result.collisions) {
    lines.push(
      `collision: ${c.container} ${c.name}: ${c.winner} wins over ${c.losers.join(', ')} (${c.reason})`,
    );
  }
  for (const r of result.removedEnvironment)
    lines.push(`removed env: ${r.container} ${r.name} (${r.reason})`);
  for (const s of result.skippedSecrets) lines.push(`skipped: ${s.container} ${s.name} (${s.reason})`);
  return lines.join('\n');
}

function withSourceTag(tags: readonly TaskDefinitionTag[], sources: readonly string[]): TaskDefinitionTag[] {
  const kept = tags.filter((t) => t.key !== SECRETS_SOURCE_TAG);
  return [...kept, { key: SECRETS_SOURCE_TAG, value: secretsSourceTagValue(sources) }];
}

// Write to a temp file in the same folder, then rename: readers never see a half-written file.
async function writeAtomically(target: string, text: string, keepBackup: boolean): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, 'utf8');
    if (keepBackup) await copyFile(target, `${target}.bak`);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new InputError(`Cannot write ${target}: ${describeError(error)}`);
  }
}
