/**
 * `ecsops secrets migrate`: read a task definition (registered or a file) -> plan the move from an
 * env-loading wrapper to native `secrets` -> diff -> check the execution role (optionally fix it) ->
 * confirm -> register (and point a service at it) -> a typed result. Never reads a parameter value;
 * never deregisters. Every AWS write goes through the apply flow.
 */
import { readFile } from 'node:fs/promises';
import type { EcsApi } from '../aws/ecs.js';
import { createParameterCatalogue, readDescribeParametersJson } from '../core/secrets/catalogue.js';
import type { SecretsCheckResult, TaskSecretReference } from '../core/secrets/check.js';
import {
  isMigrationRegistration,
  type MigrationRefusal,
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
import {
  describeProblems,
  type RegisterInputProblem,
  validateRegisterInput,
} from '../core/task-definition/validate.js';
import { ExitCode, InputError, InterruptedError, ResourceNotFoundError, UsageError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import {
  describeStep,
  showAlreadyRegistered,
  showApplyPlan,
  showCheckPassed,
  showFixPlan,
  showMigrationPreview,
  showSkipCheckWarning,
  showWaiting,
} from '../output/secrets-migrate.js';
import {
  type ApplyResult,
  applyChanges,
  applyExitCode,
  type ChangeOutcome,
  type MutatingOptions,
  mergeApplyResults,
  unattemptedChanges,
  worstExitCode,
} from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveOneRegion } from './regions.js';
import type { FixChange, TaskDefinitionSecretsReport } from './secrets-check.js';
import {
  type OutputTarget,
  readTaskDefinitionText,
  resolveOutputTarget,
  type WrittenTaskDefinitionFile,
  writeTaskDefinitionFile,
} from './task-definition-file.js';

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
export type SecretsMigrateOutput = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'in-place' };

/** `--update-service --cluster C --service S [--wait [--wait-timeout N]]`. */
export interface UpdateServiceTarget {
  cluster: string;
  service: string;
  wait?: { timeoutSeconds: number } | undefined;
}

/**
 * What to do in AWS: nothing, or register (after the secrets check: `verify`, `skip` with
 * --skip-check, or `fix` with --apply-fix) and optionally point a service at the new revision.
 */
export type SecretsMigrateApply =
  | { kind: 'none' }
  | { kind: 'register'; check: 'verify' | 'skip' | 'fix'; updateService?: UpdateServiceTarget | undefined };

/** Parsed flags of `secrets migrate` (src/cli/groups/secrets-migrate.ts rejects what cannot be expressed). */
export interface SecretsMigrateOptions extends MutatingOptions {
  source: SecretsMigrateSource;
  output: SecretsMigrateOutput;
  apply: SecretsMigrateApply;
  imageEntryPoint?: string[] | undefined;
  imageCommand?: string[] | undefined;
  executionRole?: string | undefined;
  valueFrom: 'arn' | 'name';
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
export type MigrationCheck = (
  ctx: CommandContext,
  input: MigrationCheckInput,
) => Promise<TaskDefinitionSecretsReport>;

/** Injectable collaborators (tests replace the check). */
export interface SecretsMigrateDeps {
  check?: MigrationCheck | undefined;
}

/** Registers the migrated task definition as a new revision of `family`. */
export interface RegisterChange {
  kind: 'register';
  region: string;
  family: string;
  input: JsonObject;
}

/** Points a service at the migrated revision (the one `register` makes, or `taskDefinition` when it exists). */
export interface UpdateServiceChange {
  kind: 'update-service';
  region: string;
  cluster: string;
  service: string;
  /** `family:rev` the service runs now. */
  from: string | undefined;
  /** `family:rev` to point at when already registered; undefined: the revision `register` makes. */
  taskDefinition?: string | undefined;
}

/** Writes the migrated file (`--out`/`--in-place`) in a --register run, after the register. */
export interface WriteFileChange {
  kind: 'write-file';
  /** The path given (`--out` or the `--file`). */
  path: string;
  inPlace: boolean;
}

/** One write of `secrets migrate`, in the order they happen. */
export type SecretsMigrateChange = FixChange | RegisterChange | UpdateServiceChange | WriteFileChange;

/**
 * How a run ended. `refused`: the planner will not migrate (see `refusals`); `check-failed`: the
 * execution role cannot use the new secrets, nothing registered; `failed`/`partial`: writes failed
 * with none / some applied; `not-stable`: applied, but --wait saw the deployment fail.
 */
export type SecretsMigrateStatus =
  | 'migrated'
  | 'nothing-to-do'
  | 'refused'
  | 'check-failed'
  | 'failed'
  | 'partial'
  | 'interrupted'
  | 'not-stable';

/** A revision found in AWS: its ARN and `family:rev`. */
export interface RevisionRef {
  taskDefinitionArn: string;
  taskDefinition: string;
}

/** The typed result of `secrets migrate`; src/output/secrets-migrate.ts renders it. */
export interface SecretsMigrateResult extends CommandResult {
  status: SecretsMigrateStatus;
  source: { kind: 'file' | 'registered'; label: string };
  dryRun: boolean;
  migration: MigrationResult;
  /** Refusals of the planner, or of the secrets check (one per failing finding). */
  refusals: MigrationRefusal[];
  /** The new task definition as printed or written (migrated runs only). */
  taskDefinition?: unknown;
  /** The text for stdout when no --out/--in-place (migrated runs only). */
  stdoutText?: string | undefined;
  /** --out/--in-place: where, and what was written (undefined when not written). */
  file?: { path: string; inPlace: boolean; written?: WrittenTaskDefinitionFile | undefined } | undefined;
  /** Why RegisterTaskDefinition would reject the output (a warning when not registering). */
  registerProblems: RegisterInputProblem[];
  check?: { skipped: true } | SecretsCheckResult | undefined;
  /** The check after --apply-fix put the policy. */
  recheck?: SecretsCheckResult | undefined;
  /** Why that re-check could not be made (the policy stays put; nothing was registered). */
  recheckError?: string | undefined;
  /** The exact command that applies the printed fix and registers (check-failed runs). */
  nextCommand?: string | undefined;
  /** The family's latest revision is already this migration: nothing is registered again. */
  alreadyRegistered?: RevisionRef | undefined;
  service?:
    | { cluster: string; service: string; previousTaskDefinition: string | undefined; current: boolean }
    | undefined;
  apply?: ApplyResult<SecretsMigrateChange> | undefined;
  /** Confirmation declined after --apply-fix had already put the policy. */
  declined?: boolean | undefined;
  registered?: { taskDefinitionArn: string; revision: number } | undefined;
  /** Points the service back at the revision it ran (after an update). */
  rollbackCommand?: string | undefined;
  /** Points the service at the registered revision (when the update did not happen). */
  finishCommand?: string | undefined;
  wait?: { timeoutSeconds: number; stable: boolean; error?: string | undefined } | undefined;
}

const COMMAND = 'secrets migrate';

interface Source {
  /** A local file keeps its shape on output; a registered revision prints as RegisterTaskDefinition input. */
  kind: 'file' | 'registered';
  parsed: ParsedTaskDefinition;
  /** Text to diff against and to shape the output like (the file without BOM, or the stripped register input). */
  originalText: string;
  /** The file started with a UTF-8 BOM (kept on write-back). */
  bom: boolean;
  label: string;
}

interface Online {
  region: string;
  account: string | undefined;
  partition: string | undefined;
}

/** `ecsops secrets migrate`. */
export async function runSecretsMigrate(
  options: SecretsMigrateOptions,
  ctx: CommandContext,
  deps: SecretsMigrateDeps = {},
): Promise<SecretsMigrateResult> {
  const { out } = ctx;
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
  const online = paramsFile === undefined ? await readOnline(ctx) : undefined;
  const region = online?.region ?? (await resolveOneRegion(ctx, COMMAND, { optional: true }));
  const source = await readSource(ctx, options.source, online);
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
  const base: SecretsMigrateResult = {
    exitCode: ExitCode.ok,
    status: migration.status,
    source: { kind: source.kind, label: source.label },
    dryRun: options.dryRun,
    migration,
    refusals: migration.refusals,
    registerProblems: [],
  };
  if (migration.status === 'refused') return { ...base, exitCode: ExitCode.findings };
  if (migration.status === 'nothing-to-do') {
    if (options.apply.kind === 'register' && options.apply.updateService !== undefined && online) {
      return finishUnpointedService(ctx, options, deps, base, source, options.apply, online);
    }
    return base;
  }

  // The new revision as RegisterTaskDefinition would receive it, tagged with where the secrets came from.
  const registerInput: JsonObject | undefined =
    migration.registerInput === undefined
      ? undefined
      : { ...migration.registerInput, tags: withSourceTag(source.parsed.tags, migration.sources) };
  const registerProblems = registerInput
    ? validateRegisterInput(registerInput)
    : containerProblems(migration.document);
  const newText = renderOutput(source, migration);
  const result: SecretsMigrateResult = {
    ...base,
    taskDefinition: outputDocument(source, migration),
    registerProblems,
  };
  showMigrationPreview(out, { label: source.label, before: source.originalText, after: newText, migration });

  const target = await resolveTarget(options, source);
  if (target.kind === 'stdout') {
    // A --register run reports the registration; the definition itself is in the diff and --json.
    if (options.apply.kind === 'none') result.stdoutText = newText;
  } else result.file = { path: target.path, inPlace: target.inPlace };
  const writeFile = async (): Promise<void> => {
    if (target.kind !== 'file' || !result.file) return;
    result.file.written = await writeTaskDefinitionFile(target.path, newText, {
      backup: target.inPlace,
      bom: source.bom,
    });
  };

  if (options.apply.kind === 'none') {
    // A local file is written without asking, as any formatter would; --dry-run leaves it alone.
    if (!options.dryRun) {
      stopIfInterrupted(ctx);
      await writeFile();
    }
    return result;
  }

  // Register: never send what RegisterTaskDefinition would reject, and say where it is wrong.
  if (registerInput === undefined) {
    throw new UsageError(
      '--register needs a whole task definition; this file is a bare containerDefinitions array.',
      'Register it through the tool that owns the task definition (e.g. Terraform), or pass a task definition file.',
    );
  }
  const family = typeof registerInput.family === 'string' ? registerInput.family : undefined;
  if (family === undefined)
    throw new InputError('The task definition has no family; cannot register it.', { path: 'family' });
  if (registerProblems.length > 0) {
    throw new InputError(`Not registering: ${describeProblems(registerProblems)}`, {
      ...(registerProblems.length === 1 && registerProblems[0] ? { path: registerProblems[0].path } : {}),
      hint: `Nothing was registered${target.kind === 'file' ? ' or written' : ''}. Fix the field(s) in ${source.label} and re-run.`,
    });
  }
  if (!online) throw new Error('BUG: --register without AWS access');
  return registerFlow(ctx, options, deps, {
    result,
    source,
    apply: options.apply,
    online,
    family,
    input: registerInput,
    references: migration.references,
    writeFile: target.kind === 'file' ? { change: fileChange(target), write: writeFile } : undefined,
  });
}

// ---- register ------------------------------------------------------------------------------------

interface RegisterPlan {
  result: SecretsMigrateResult;
  source: Source;
  apply: Extract<SecretsMigrateApply, { kind: 'register' }>;
  online: Online;
  family: string;
  /** What to register (or what is already registered). */
  input: JsonObject;
  references: readonly TaskSecretReference[];
  /** `--out`/`--in-place`: written after the register, through the apply flow. */
  writeFile?: { change: WriteFileChange; write: () => Promise<void> } | undefined;
  /** The revision to point the service at already exists (a re-run): no register. */
  existing?: RevisionRef | undefined;
}

async function registerFlow(
  ctx: CommandContext,
  options: SecretsMigrateOptions,
  deps: SecretsMigrateDeps,
  plan: RegisterPlan,
): Promise<SecretsMigrateResult> {
  const { result, apply, online, family } = plan;
  const ecs = await ctx.aws.ecs(online.region);
  // A re-run: the family's latest revision is already this migration (tag and content).
  const existing = plan.existing ?? (await findExistingMigration(ecs, family, plan.input));
  stopIfInterrupted(ctx);
  result.alreadyRegistered = existing;

  // Read the service now so the plan, the rollback command and a failure report are exact.
  const update = apply.updateService;
  let from: string | undefined;
  if (update) {
    from = await readServiceTaskDefinition(ecs, update, online.region);
    stopIfInterrupted(ctx);
    const current = existing !== undefined && from === existing.taskDefinition;
    result.service = {
      cluster: update.cluster,
      service: update.service,
      previousTaskDefinition: from,
      current,
    };
  }

  const changes: (RegisterChange | UpdateServiceChange | WriteFileChange)[] = [];
  if (!existing) changes.push({ kind: 'register', region: online.region, family, input: plan.input });
  if (update && !result.service?.current) {
    changes.push({
      kind: 'update-service',
      region: online.region,
      cluster: update.cluster,
      service: update.service,
      from,
      taskDefinition: existing?.taskDefinition,
    });
  }
  if (plan.writeFile) changes.push(plan.writeFile.change);
  if (!changes.some((c) => c.kind !== 'write-file')) {
    // Registered and (when asked) pointed at already: the second run of the same command.
    if (plan.writeFile && !options.dryRun) {
      stopIfInterrupted(ctx);
      await plan.writeFile.write();
    }
    return { ...result, status: 'nothing-to-do', exitCode: ExitCode.ok };
  }
  if (existing) showAlreadyRegistered(ctx.out, existing);

  // Check the execution role can read and decrypt, before anything is written.
  let fixApply: ApplyResult<FixChange> | undefined;
  if (apply.check === 'skip') {
    showSkipCheckWarning(ctx.out);
    result.check = { skipped: true };
  } else {
    const check = deps.check ?? defaultCheck;
    const checkInput: MigrationCheckInput = {
      region: online.region,
      account: online.account ?? '',
      taskDefinition: plan.input,
      references: plan.references,
    };
    const report = await check(ctx, checkInput);
    stopIfInterrupted(ctx);
    result.check = report.result;
    if (report.result.status !== 'ok') {
      const { planFixChanges } = await import('./secrets-check.js');
      const fixes =
        apply.check === 'fix' && report.result.status === 'findings' ? planFixChanges([report]) : [];
      if (fixes.length === 0) return checkFailed(result, report.result, options, online.region, apply);
      showFixPlan(ctx.out, fixes);
      const { applyRoleFixes } = await import('./secrets-check.js');
      fixApply = await applyRoleFixes(ctx, options, fixes);
      if (fixApply.mode === 'apply') {
        const fixCode = applyExitCode(fixApply);
        if (fixCode !== ExitCode.ok) {
          // The register needs the fix: list it as not attempted, with why.
          const reason = fixApply.interrupted ? undefined : 'the execution role fix was not applied';
          const rest = unattemptedChanges(changes, reason);
          return {
            ...result,
            apply: mergeApplyResults<SecretsMigrateChange>(fixApply, rest),
            status: statusOf(fixApply),
            exitCode: fixCode,
          };
        }
        // Re-check from fresh reads: register only once the role can use every secret. The policy
        // is in place now, so whatever happens next, the result lists it.
        result.apply = mergeApplyResults<SecretsMigrateChange>(fixApply);
        let again: TaskDefinitionSecretsReport;
        try {
          again = await check(ctx, checkInput);
          stopIfInterrupted(ctx);
        } catch (error) {
          const interrupted = ctx.signal.aborted;
          const recheckError = interrupted ? undefined : describeError(error);
          const rest = unattemptedChanges(
            changes,
            interrupted ? undefined : `the re-check after the fix failed: ${recheckError}`,
          );
          rest.interrupted = interrupted;
          return {
            ...result,
            apply: mergeApplyResults<SecretsMigrateChange>(fixApply, rest),
            recheckError,
            status: interrupted ? 'interrupted' : 'partial',
            exitCode: interrupted ? ExitCode.interrupted : ExitCode.partial,
          };
        }
        result.recheck = again.result;
        if (again.result.status !== 'ok')
          return checkFailed(result, again.result, options, online.region, apply);
        showCheckPassed(ctx.out, 'after the fix');
      }
    } else showCheckPassed(ctx.out);
  }

  // Apply: register, then point the service, then write the file; each step waits for the one before.
  let registered: { taskDefinitionArn: string; revision: number } | undefined;
  const newRef = () =>
    existing?.taskDefinition ?? (registered ? `${family}:${registered.revision}` : undefined);
  showApplyPlan(ctx.out, changes);
  let mainApply: ApplyResult<RegisterChange | UpdateServiceChange | WriteFileChange>;
  try {
    mainApply = await applyChanges(ctx, options, {
      changes,
      question: `Apply: ${changes.map(describeStep).join(', then ')}?`,
      label: describeStep,
      concurrency: 1,
      phaseOf: (c) => ({ register: 0, 'update-service': 1, 'write-file': 2 })[c.kind],
      blockedBy: (c, done) => {
        if (c.kind === 'register') return undefined;
        const reg = done.find((o) => o.change.kind === 'register');
        return reg === undefined || reg.status === 'applied'
          ? undefined
          : 'the new revision was not registered';
      },
      applyOne: async (c) => {
        switch (c.kind) {
          case 'register':
            registered = await ecs.registerTaskDefinition(c.input);
            return;
          case 'update-service': {
            const ref = c.taskDefinition ?? newRef();
            if (ref === undefined) throw new Error('BUG: no revision to point the service at');
            await ecs.updateServiceTaskDefinition(c.cluster, c.service, ref);
            return;
          }
          case 'write-file':
            await plan.writeFile?.write();
            return;
        }
      },
    });
  } catch (error) {
    // Declined at the second question: the policy --apply-fix put stays, and the result says so.
    if (!(error instanceof InterruptedError) || fixApply?.mode !== 'apply') throw error;
    return {
      ...result,
      apply: mergeApplyResults<SecretsMigrateChange>(fixApply, unattemptedChanges(changes, undefined)),
      declined: true,
      status: 'interrupted',
      exitCode: ExitCode.interrupted,
    };
  }
  result.apply = mergeApplyResults<SecretsMigrateChange>(...(fixApply ? [fixApply] : []), mainApply);
  result.registered = registered;

  let exitCode = worstExitCode(...(fixApply ? [applyExitCode(fixApply)] : []), applyExitCode(mainApply));
  let status: SecretsMigrateStatus = mainApply.mode === 'apply' ? statusOf(result.apply) : 'migrated';
  if (update) {
    const updated = outcomeOf(mainApply, 'update-service');
    const target = newRef();
    const cmd = (td: string) =>
      `aws ecs update-service --region ${online.region} --cluster ${update.cluster} --service ${update.service} --task-definition ${td}`;
    if (updated?.status === 'applied') result.rollbackCommand = cmd(rollbackTarget(from));
    else if (target !== undefined && mainApply.mode === 'apply') result.finishCommand = cmd(target);

    if (updated?.status === 'applied' && update.wait) {
      const { timeoutSeconds } = update.wait;
      showWaiting(ctx.out, update.service, timeoutSeconds);
      try {
        // Ctrl-C ends the wait at once: the change is applied, the report says so, exit 130.
        await ecs.waitForServicesStable(update.cluster, [update.service], timeoutSeconds, ctx.signal);
        result.wait = { timeoutSeconds, stable: true };
      } catch (error) {
        if (ctx.signal.aborted) {
          // Ctrl-C during the wait: everything was applied; only the wait was cut short.
          result.wait = {
            timeoutSeconds,
            stable: false,
            error: 'interrupted (Ctrl-C) before the service was stable',
          };
          exitCode = worstExitCode(exitCode, ExitCode.interrupted);
        } else {
          // The change is applied; the deployment did not settle (e.g. ResourceInitializationError when
          // the execution role cannot fetch a secret). A finding for the operator, with the way back.
          result.wait = { timeoutSeconds, stable: false, error: describeError(error) };
          exitCode = worstExitCode(exitCode, ExitCode.findings);
          if (status === 'migrated') status = 'not-stable';
        }
      }
    }
  }
  return { ...result, status, exitCode };
}

// A nothing-to-do source with --update-service: if the family's latest revision is this (migrated)
// definition, registered by a run whose service update did not happen, point the service at it now.
async function finishUnpointedService(
  ctx: CommandContext,
  options: SecretsMigrateOptions,
  deps: SecretsMigrateDeps,
  base: SecretsMigrateResult,
  source: Source,
  apply: Extract<SecretsMigrateApply, { kind: 'register' }>,
  online: Online,
): Promise<SecretsMigrateResult> {
  const td = taskDefinitionObject(source.parsed.document, source.parsed.shape);
  if (td === undefined) return base;
  const input = toRegisterInput(td, source.parsed.tags);
  const family = typeof input.family === 'string' ? input.family : undefined;
  if (family === undefined) return base;
  const existing = await findExistingMigration(await ctx.aws.ecs(online.region), family, input);
  stopIfInterrupted(ctx);
  if (existing === undefined) return base;
  return registerFlow(ctx, options, deps, {
    result: base,
    source,
    apply,
    online,
    family,
    input,
    references: [],
    existing,
  });
}

function checkFailed(
  result: SecretsMigrateResult,
  checked: SecretsCheckResult,
  options: SecretsMigrateOptions,
  region: string,
  apply: Extract<SecretsMigrateApply, { kind: 'register' }>,
): SecretsMigrateResult {
  const refusals: MigrationRefusal[] = checked.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => ({
      container: f.containerName ?? '*',
      tool: undefined,
      reason: `${f.name ? `${f.name} ` : ''}${f.code}: ${f.message}`,
    }));
  const fixable = checked.status === 'findings' && checked.fix?.policy !== undefined && apply.check !== 'fix';
  return {
    ...result,
    status: 'check-failed',
    refusals,
    nextCommand: fixable ? migrateCommandLine(options, region, ['--apply-fix']) : undefined,
    exitCode: checked.status === 'incomplete' ? ExitCode.aws : ExitCode.findings,
  };
}

/** The command line that re-runs this migration with `extra` flags (for the "next step" hint). */
export function migrateCommandLine(
  options: SecretsMigrateOptions,
  region: string,
  extra: readonly string[],
): string {
  const args = ['ecsops', '--region', region, 'secrets', 'migrate'];
  if (options.source.kind === 'registered') args.push('--task-def', options.source.taskDef);
  else args.push('--file', options.source.path);
  if (options.output.kind === 'in-place') args.push('--in-place');
  if (options.output.kind === 'file') args.push('--out', options.output.path);
  if (options.imageEntryPoint) args.push('--image-entrypoint', JSON.stringify(options.imageEntryPoint));
  if (options.imageCommand) args.push('--image-command', JSON.stringify(options.imageCommand));
  if (options.executionRole) args.push('--execution-role', options.executionRole);
  if (options.valueFrom !== 'arn') args.push('--value-from', options.valueFrom);
  if (options.apply.kind === 'register') {
    args.push('--register');
    const u = options.apply.updateService;
    if (u) {
      args.push('--update-service', '--cluster', u.cluster, '--service', u.service);
      if (u.wait) args.push('--wait', '--wait-timeout', String(u.wait.timeoutSeconds));
    }
  }
  args.push(...extra);
  if (options.yes) args.push('--yes');
  return args.map(shellWord).join(' ');
}

// A word as a POSIX shell reads it back: plain when safe (ARNs included), else single-quoted.
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function outcomeOf<C extends { kind: string }>(
  apply: ApplyResult<C>,
  kind: C['kind'],
): ChangeOutcome<C> | undefined {
  return apply.outcomes.find((o) => o.change.kind === kind);
}

function statusOf(apply: ApplyResult<unknown>): SecretsMigrateStatus {
  if (apply.interrupted) return 'interrupted';
  const { applied, failed, notStarted, skipped } = apply.counts;
  if (failed + notStarted + skipped === 0) return 'migrated';
  return applied > 0 ? 'partial' : 'failed';
}

// The rollback target is `family:rev`, as the user would type it (moto and old tools may store the ARN).
function rollbackTarget(taskDefinition: string | undefined): string {
  return taskDefinition === undefined || taskDefinition === '' ? '<previous revision>' : taskDefinition;
}

function familyRevision(taskDefinition: string): string {
  return taskDefinition.includes(':task-definition/')
    ? (taskDefinition.split('/').pop() ?? taskDefinition)
    : taskDefinition;
}

async function readServiceTaskDefinition(
  ecs: EcsApi,
  update: UpdateServiceTarget,
  region: string,
): Promise<string | undefined> {
  const found = await ecs.describeServices(update.cluster, [update.service]);
  const svc = found.services[0];
  if (svc === undefined) {
    throw new InputError(`Service ${update.service} not found in cluster ${update.cluster} (${region}).`, {
      hint: 'Nothing was registered. Check --cluster, --service and --region.',
    });
  }
  return svc.taskDefinition === '' ? undefined : familyRevision(svc.taskDefinition);
}

// DescribeTaskDefinition(family) is the family's latest ACTIVE revision.
async function findExistingMigration(
  ecs: EcsApi,
  family: string,
  planned: JsonObject,
): Promise<RevisionRef | undefined> {
  let latest: Awaited<ReturnType<EcsApi['describeTaskDefinition']>>;
  try {
    latest = await ecs.describeTaskDefinition(family);
  } catch (error) {
    // A family never registered (or with no ACTIVE revision): nothing to compare with.
    if (error instanceof ResourceNotFoundError) return undefined;
    throw error;
  }
  const arn = latest.taskDefinition.taskDefinitionArn;
  if (typeof arn !== 'string') return undefined;
  if (!isMigrationRegistration(planned, toRegisterInput(latest.taskDefinition, latest.tags)))
    return undefined;
  return { taskDefinitionArn: arn, taskDefinition: familyRevision(arn) };
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

// Ctrl-C during the reads: stop before planning, so no write can follow.
function stopIfInterrupted(ctx: CommandContext): void {
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
}

async function readOnline(ctx: CommandContext): Promise<Online> {
  const region = await resolveOneRegion(ctx, COMMAND);
  const identity = await (await ctx.aws.sts(region)).getCallerIdentity();
  return { region, account: identity.account, partition: identity.partition };
}

async function readSource(
  ctx: CommandContext,
  source: SecretsMigrateSource,
  online: Online | undefined,
): Promise<Source> {
  if (source.kind === 'file') {
    const { text, bom } = await readTaskDefinitionText(source.path);
    return {
      kind: 'file',
      parsed: parseTaskDefinition(text, source.path),
      originalText: text,
      bom,
      label: source.path,
    };
  }
  if (!online) throw new Error('BUG: --task-def without AWS access');
  const { taskDefinition, tags } = await (await ctx.aws.ecs(online.region)).describeTaskDefinition(
    source.taskDef,
  );
  const parsed = readTaskDefinitionDocument({ taskDefinition, tags }, source.taskDef);
  const td = taskDefinitionObject(parsed.document, parsed.shape) ?? taskDefinition;
  const originalText = `${JSON.stringify(toRegisterInput(td, tags), null, 2)}\n`;
  const arn = typeof td.taskDefinitionArn === 'string' ? td.taskDefinitionArn : source.taskDef;
  return { kind: 'registered', parsed, originalText, bom: false, label: arn };
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

// ---- output --------------------------------------------------------------------------------------

async function resolveTarget(options: SecretsMigrateOptions, source: Source): Promise<OutputTarget> {
  const file = options.source.kind === 'file' ? options.source.path : undefined;
  switch (options.output.kind) {
    case 'stdout':
      return { kind: 'stdout' };
    case 'in-place':
      return resolveOutputTarget({ file, inPlace: true });
    case 'file':
      // --out naming the --file itself is an in-place rewrite, with a backup.
      return resolveOutputTarget({
        file: source.kind === 'file' ? file : undefined,
        out: options.output.path,
        inPlace: false,
      });
  }
}

function fileChange(target: Extract<OutputTarget, { kind: 'file' }>): WriteFileChange {
  return { kind: 'write-file', path: target.path, inPlace: target.inPlace };
}

function outputDocument(source: Source, result: MigrationResult): unknown {
  return source.kind === 'file' ? result.document : result.registerInput;
}

function renderOutput(source: Source, result: MigrationResult): string {
  return source.kind === 'file'
    ? renderTaskDefinitionJson(result.document, source.originalText)
    : `${JSON.stringify(result.registerInput, null, 2)}\n`;
}

// A bare containerDefinitions array is registered by another tool; its fields must still be valid.
function containerProblems(document: unknown): RegisterInputProblem[] {
  if (!Array.isArray(document)) return [];
  return validateRegisterInput({ family: 'x', containerDefinitions: document }).map((p) => ({
    ...p,
    path: p.path.replace(/^containerDefinitions/, ''),
  }));
}

function withSourceTag(tags: readonly TaskDefinitionTag[], sources: readonly string[]): TaskDefinitionTag[] {
  const kept = tags.filter((t) => t.key !== SECRETS_SOURCE_TAG);
  return [...kept, { key: SECRETS_SOURCE_TAG, value: secretsSourceTagValue(sources) }];
}
