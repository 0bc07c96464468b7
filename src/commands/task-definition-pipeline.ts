/**
 * The task-definition pipeline: the one path by which an ecsops command turns a task definition into
 * a new registered revision. `secrets migrate`, `logs migrate` and `secrets sync` are this pipeline
 * with a different planner and a different role check; none of them registers, updates a service or
 * writes the output file itself.
 *
 *   read (a file, or a revision from ECS)          readOnline, readTaskDefinitionSource
 *     -> plan the edit                             the COMMAND's planner (pure, in src/core/...)
 *     -> preview (diff)                            the command's `preview` callback
 *     -> output (stdout, --out, --in-place)        this module
 *     -> --register: re-run detection (the family's latest revision already is this edit)
 *     -> check the roles                           the COMMAND's `check`
 *        [-> --apply-fix: PutRolePolicy through the apply flow -> the check again from fresh reads]
 *     -> confirm -> register -> update service -> write the file (one apply flow, in that order)
 *     -> [--wait] -> report the rollback command   this module
 *
 * How a command uses it:
 *
 *   1. `readOnline(ctx, command)` (region + sts:GetCallerIdentity) when it needs AWS, then
 *      `readTaskDefinitionSource(ctx, options.source, online)`.
 *   2. Run its planner on `source.parsed` and build an `EditPlan`:
 *        - `{ kind: 'refused', result }`: nothing is written; exit 1 (findings). Put the reasons in
 *          `result.refusals`.
 *        - `{ kind: 'nothing-to-do', result }`: the definition already is what the planner wants (a
 *          second run). With `--update-service`, the pipeline still points the service at the family's
 *          latest revision when that revision is this edit (a first run whose update did not happen).
 *        - `{ kind: 'edit', result, document, registerInput, register, preview }`: `document` is the new
 *          definition in the source's own shape (a file keeps its shape and key spelling), `registerInput`
 *          the RegisterTaskDefinition input as printed, `register` what is registered (e.g. with the
 *          command's provenance tag added; undefined for a bare containerDefinitions array),
 *          `preview(out, before, after)` shows the command's diff and tables on stderr, and optional
 *          `prerequisites` are writes the new revision depends on (e.g. `logs migrate --config-s3`
 *          uploads the Fluent Bit configuration the router loads): they are applied first, after the
 *          check and in the same confirmation (without --register: through the apply flow on their own),
 *          and the register is not attempted unless every one was applied.
 *      `result` is the command's own result object (it extends `TaskDefinitionPipelineResult`); the
 *      pipeline fills in the common fields and returns it.
 *   3. Call `runTaskDefinitionPipeline(ctx, options, spec, plan)` with a `TaskDefinitionPipelineSpec`:
 *        - `command`: the command's name, for messages and errors.
 *        - `isSameRegistration(planned, registered)`: true when `registered` (the family's latest revision
 *          as RegisterTaskDefinition input) already is this edit, so a re-run registers nothing.
 *        - `check(ctx, { region, account, taskDefinition })`: reads what it needs (metadata only) and
 *          decides whether the roles can do what the new revision needs. It returns a `PipelineCheckReport`:
 *          `status` ok | findings | incomplete, the command's own `result` (stored in the result's
 *          `check`/`recheck` and rendered by the command's view), `refusals` (one per failing cell:
 *          container + reason), `fixable` (an inline policy would close the gap) and `planFixes()` (the
 *          PutRolePolicy changes `--apply-fix` puts through `applyRoleFixes`). It is called once before
 *          any write and once more after `--apply-fix` wrote, from fresh reads.
 *        - `commandLine(extra)`: the exact command line re-running this one with `extra` flags (the
 *          "re-run with --apply-fix" hint).
 *        - `messages`: the command's words for the check passing, `--skip-check`, the fix plan and an
 *          already-registered revision.
 *
 * The command's view (src/output/<command>.ts) renders its own tables; the common end of a result
 * (writes, registration, service update, rollback, and each write in JSON) is
 * `renderPipelineOutcome` / `renderPipelineApply` / `pipelineChangeJson` in
 * src/output/task-definition-pipeline.ts.
 *
 * Safety held here for every command: nothing RegisterTaskDefinition would reject is sent (field paths
 * in the error), the roles are checked before any write, every write goes through the one apply flow
 * (confirm, `--dry-run`, Ctrl-C before each write, applied / failed / not started), a re-run is a no-op,
 * and no revision is ever deregistered: the rollback is pointing the service back.
 */
import type { EcsApi } from '../aws/ecs.js';
import { renderTaskDefinitionJson } from '../core/task-definition/edit.js';
import type { JsonObject } from '../core/task-definition/json.js';
import {
  type ParsedTaskDefinition,
  parseTaskDefinition,
  readTaskDefinitionDocument,
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
import type { Reporter } from '../output/reporter.js';
import { describeStep, showApplyPlan, showWaiting } from '../output/task-definition-pipeline.js';
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
import type { FixChange } from './secrets-check.js';
import {
  type OutputTarget,
  readTaskDefinitionText,
  resolveOutputTarget,
  type WrittenTaskDefinitionFile,
  writeTaskDefinitionFile,
} from './task-definition-file.js';

// ---- options -------------------------------------------------------------------------------------

/** Where the task definition comes from: a local file or a registered revision (`--task-def`). */
export type PipelineSource = { kind: 'file'; path: string } | { kind: 'registered'; taskDef: string };

/** Where the new task definition goes locally: stdout, `--out FILE`, or `--in-place` (the --file). */
export type PipelineOutput = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'in-place' };

/** `--update-service --cluster C --service S [--wait [--wait-timeout N]]`. */
export interface UpdateServiceTarget {
  cluster: string;
  service: string;
  wait?: { timeoutSeconds: number } | undefined;
}

/**
 * What to do in AWS: nothing, or register (after the role check: `verify`, `skip` with --skip-check,
 * or `fix` with --apply-fix) and optionally point a service at the new revision.
 */
export type PipelineApply =
  | { kind: 'none' }
  | { kind: 'register'; check: 'verify' | 'skip' | 'fix'; updateService?: UpdateServiceTarget | undefined };

/** The flags every pipeline command has (each command's options extend these). */
export interface PipelineOptions extends MutatingOptions {
  source: PipelineSource;
  output: PipelineOutput;
  apply: PipelineApply;
}

// ---- changes -------------------------------------------------------------------------------------

/** Registers the new task definition as a new revision of `family`. */
export interface RegisterChange {
  kind: 'register';
  region: string;
  family: string;
  input: JsonObject;
}

/** Points a service at the new revision (the one `register` makes, or `taskDefinition` when it exists). */
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

/** Writes the new file (`--out`/`--in-place`) in a --register run, after the register. */
export interface WriteFileChange {
  kind: 'write-file';
  /** The path given (`--out` or the `--file`). */
  path: string;
  inPlace: boolean;
}

/**
 * A write the new revision depends on, made first (after the check, in the same apply flow): e.g. the
 * Fluent Bit configuration object `logs migrate --config-s3` uploads. The command applies it.
 */
export interface PrerequisiteChange {
  kind: 'prerequisite';
  /** What the command calls it in JSON (e.g. `put-object`). */
  action: string;
  /** As the plan, the question and the report name it. */
  label: string;
  /** The resource it writes (e.g. `s3://bucket/key`). */
  resource: string;
}

/** The write steps of the main apply flow, in the order they happen. */
export type PipelineStep = PrerequisiteChange | RegisterChange | UpdateServiceChange | WriteFileChange;

/** One write of a pipeline run, in the order they happen (the role fix first). */
export type PipelineChange = FixChange | PipelineStep;

// ---- result --------------------------------------------------------------------------------------

/**
 * How a run ended. `refused`: the planner will not edit (see `refusals`); `check-failed`: the roles
 * cannot do what the new revision needs, nothing registered; `failed`/`partial`: writes failed with
 * none / some applied; `not-stable`: applied, but --wait saw the deployment fail.
 */
export type PipelineStatus =
  | 'migrated'
  | 'nothing-to-do'
  | 'refused'
  | 'check-failed'
  | 'failed'
  | 'partial'
  | 'interrupted'
  | 'not-stable';

/** Something that blocks the edit or the registration, per container (`*`: the whole definition). */
export interface PipelineRefusal {
  container: string;
  /** What the refusal is about, when the command has a name for it (e.g. the env-loading wrapper). */
  tool?: string | undefined;
  reason: string;
}

/** A revision found in AWS: its ARN and `family:rev`. */
export interface RevisionRef {
  taskDefinitionArn: string;
  taskDefinition: string;
}

/** The fields every pipeline command's result has; `K` is the command's check result. */
export interface TaskDefinitionPipelineResult<K> extends CommandResult {
  status: PipelineStatus;
  source: { kind: 'file' | 'registered'; label: string };
  dryRun: boolean;
  /** Refusals of the planner, or of the check (one per failing cell). */
  refusals: PipelineRefusal[];
  /** The new task definition as printed or written (edited runs only). */
  taskDefinition?: unknown;
  /** The text for stdout when no --out/--in-place (edited runs only). */
  stdoutText?: string | undefined;
  /** --out/--in-place: where, and what was written (undefined when not written). */
  file?: { path: string; inPlace: boolean; written?: WrittenTaskDefinitionFile | undefined } | undefined;
  /** Why RegisterTaskDefinition would reject the output (a warning when not registering). */
  registerProblems: RegisterInputProblem[];
  check?: { skipped: true } | K | undefined;
  /** The check after --apply-fix put the policy. */
  recheck?: K | undefined;
  /** Why that re-check could not be made (the policy stays put; nothing was registered). */
  recheckError?: string | undefined;
  /** The exact command that applies the printed fix and registers (check-failed runs). */
  nextCommand?: string | undefined;
  /** The family's latest revision is already this edit: nothing is registered again. */
  alreadyRegistered?: RevisionRef | undefined;
  service?:
    | { cluster: string; service: string; previousTaskDefinition: string | undefined; current: boolean }
    | undefined;
  apply?: ApplyResult<PipelineChange> | undefined;
  /** Confirmation declined after --apply-fix had already put the policy. */
  declined?: boolean | undefined;
  registered?: { taskDefinitionArn: string; revision: number } | undefined;
  /** Points the service back at the revision it ran (after an update). */
  rollbackCommand?: string | undefined;
  /** Points the service at the registered revision (when the update did not happen). */
  finishCommand?: string | undefined;
  wait?: { timeoutSeconds: number; stable: boolean; error?: string | undefined } | undefined;
}

// ---- what a command supplies ---------------------------------------------------------------------

/** What the check is asked about: the definition about to be registered. */
export interface PipelineCheckInput {
  region: string;
  /** The caller's account ('' when unknown). */
  account: string;
  /** RegisterTaskDefinition input of the new revision. */
  taskDefinition: JsonObject;
}

/** A command's role check of the new revision. */
export interface PipelineCheckReport<K> {
  status: 'ok' | 'findings' | 'incomplete';
  /** The command's own result (kept in the pipeline result's `check` / `recheck`). */
  result: K;
  /** One per failing cell, for the `check-failed` result. */
  refusals: PipelineRefusal[];
  /** An inline policy on a role would close every gap (so `--apply-fix` is worth suggesting). */
  fixable: boolean;
  /** The PutRolePolicy changes `--apply-fix` makes. */
  planFixes(): Promise<FixChange[]>;
}

/** The command's words for the pipeline's own messages (stderr; each decides about --json itself). */
export interface PipelineMessages {
  checkPassed(out: Reporter, when?: string): void;
  skipCheckWarning(out: Reporter): void;
  fixPlan(out: Reporter, fixes: readonly FixChange[]): void;
  alreadyRegistered(out: Reporter, existing: RevisionRef): void;
  /** Why the register was not attempted after the --apply-fix write failed. */
  fixNotApplied: string;
}

/** The command-specific half of a pipeline run (see the module comment). */
export interface TaskDefinitionPipelineSpec<K> {
  command: string;
  isSameRegistration(planned: JsonObject, registered: JsonObject): boolean;
  check(ctx: CommandContext, input: PipelineCheckInput): Promise<PipelineCheckReport<K>>;
  commandLine(extra: readonly string[]): string;
  messages: PipelineMessages;
}

/** What the command's planner decided (see the module comment). */
export type EditPlan<R> =
  | { kind: 'refused'; result: R }
  | { kind: 'nothing-to-do'; result: R }
  | {
      kind: 'edit';
      result: R;
      /** The new definition in the source's shape. */
      document: unknown;
      /** RegisterTaskDefinition input as printed (undefined for a bare containerDefinitions array). */
      registerInput: JsonObject | undefined;
      /** What is registered (`registerInput` plus the command's tags). */
      register: JsonObject | undefined;
      /** Shows the command's preview (diff, tables) on stderr before anything is written or asked. */
      preview(out: Reporter, before: string, after: string): void;
      /** Writes the new revision needs first (none: omit or empty). */
      prerequisites?: Prerequisites | undefined;
    };

/** The prerequisite writes of an edit, and how the command applies one. */
export interface Prerequisites {
  changes: readonly PrerequisiteChange[];
  apply(change: PrerequisiteChange): Promise<void>;
}

// ---- read ----------------------------------------------------------------------------------------

/** The region and the caller (sts:GetCallerIdentity) of a run that talks to AWS. */
export interface Online {
  region: string;
  account: string | undefined;
  partition: string | undefined;
}

/** A task definition as read: parsed, and the text to diff against and shape the output like. */
export interface LoadedSource {
  /** A local file keeps its shape on output; a registered revision prints as RegisterTaskDefinition input. */
  kind: 'file' | 'registered';
  parsed: ParsedTaskDefinition;
  /** The file without BOM, or the stripped register input of the revision. */
  originalText: string;
  /** The file started with a UTF-8 BOM (kept on write-back). */
  bom: boolean;
  label: string;
}

/** Ctrl-C during the reads: stop before planning, so no write can follow. */
export function stopIfInterrupted(ctx: CommandContext): void {
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
}

/** The one region of the run and the caller's account. */
export async function readOnline(ctx: CommandContext, command: string): Promise<Online> {
  const region = await resolveOneRegion(ctx, command);
  const identity = await (await ctx.aws.sts(region)).getCallerIdentity();
  return { region, account: identity.account, partition: identity.partition };
}

/** Reads `--file` (any shape) or describes `--task-def` (with its tags). */
export async function readTaskDefinitionSource(
  ctx: CommandContext,
  source: PipelineSource,
  online: Online | undefined,
): Promise<LoadedSource> {
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

// ---- the pipeline --------------------------------------------------------------------------------

/**
 * Runs the rest of the pipeline once the planner decided: output, check, register, update, report.
 * `online` is required for `--register` (and for the nothing-to-do service update).
 */
export async function runTaskDefinitionPipeline<K, R extends TaskDefinitionPipelineResult<K>>(
  ctx: CommandContext,
  options: PipelineOptions,
  spec: TaskDefinitionPipelineSpec<K>,
  run: { source: LoadedSource; online: Online | undefined; plan: EditPlan<R> },
): Promise<R> {
  const { out } = ctx;
  const { source, online, plan } = run;
  if (plan.kind === 'refused') return { ...plan.result, status: 'refused', exitCode: ExitCode.findings };
  if (plan.kind === 'nothing-to-do') {
    const base: R = { ...plan.result, status: 'nothing-to-do' };
    if (options.apply.kind === 'register' && options.apply.updateService !== undefined && online) {
      return finishUnpointedService(ctx, options, spec, base, source, options.apply, online);
    }
    return base;
  }

  const registerInput = plan.register;
  const registerProblems = registerInput
    ? validateRegisterInput(registerInput)
    : containerProblems(plan.document);
  const newText =
    source.kind === 'file'
      ? renderTaskDefinitionJson(plan.document, source.originalText)
      : `${JSON.stringify(plan.registerInput, null, 2)}\n`;
  const result: R = {
    ...plan.result,
    taskDefinition: source.kind === 'file' ? plan.document : plan.registerInput,
    registerProblems,
  };
  plan.preview(out, source.originalText, newText);

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

  const prerequisites = plan.prerequisites?.changes.length ? plan.prerequisites : undefined;
  if (options.apply.kind === 'none') {
    if (prerequisites) {
      // The definition points at what the prerequisites write: they go through the apply flow.
      showApplyPlan(ctx.out, prerequisites.changes);
      const done = await applyChanges<PrerequisiteChange>(ctx, options, {
        changes: prerequisites.changes,
        question: `Apply: ${prerequisites.changes.map(describeStep).join(', then ')}?`,
        label: describeStep,
        concurrency: 1,
        applyOne: (c) => prerequisites.apply(c),
      });
      result.apply = mergeApplyResults<PipelineChange>(done);
      const code = applyExitCode(done);
      if (done.mode === 'apply' && code !== ExitCode.ok)
        return { ...result, status: statusOf(done), exitCode: code };
    }
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
  return registerFlow(ctx, options, spec, {
    result,
    apply: options.apply,
    online,
    family,
    input: registerInput,
    writeFile: target.kind === 'file' ? { change: fileChange(target), write: writeFile } : undefined,
    prerequisites,
  });
}

// ---- register ------------------------------------------------------------------------------------

interface RegisterPlan<R> {
  result: R;
  apply: Extract<PipelineApply, { kind: 'register' }>;
  online: Online;
  family: string;
  /** What to register (or what is already registered). */
  input: JsonObject;
  /** `--out`/`--in-place`: written after the register, through the apply flow. */
  writeFile?: { change: WriteFileChange; write: () => Promise<void> } | undefined;
  /** The revision to point the service at already exists (a re-run): no register. */
  existing?: RevisionRef | undefined;
  prerequisites?: Prerequisites | undefined;
}

async function registerFlow<K, R extends TaskDefinitionPipelineResult<K>>(
  ctx: CommandContext,
  options: PipelineOptions,
  spec: TaskDefinitionPipelineSpec<K>,
  plan: RegisterPlan<R>,
): Promise<R> {
  const { result, apply, online, family } = plan;
  const ecs = await ctx.aws.ecs(online.region);
  // A re-run: the family's latest revision is already this edit (tag and content).
  const existing = plan.existing ?? (await findExistingRevision(ecs, family, plan.input, spec));
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

  const changes: PipelineStep[] = [...(plan.prerequisites?.changes ?? [])];
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
  if (existing) spec.messages.alreadyRegistered(ctx.out, existing);

  // Check the roles can do what the new revision needs, before anything is written.
  let fixApply: ApplyResult<FixChange> | undefined;
  if (apply.check === 'skip') {
    spec.messages.skipCheckWarning(ctx.out);
    result.check = { skipped: true };
  } else {
    const checkInput: PipelineCheckInput = {
      region: online.region,
      account: online.account ?? '',
      taskDefinition: plan.input,
    };
    const report = await spec.check(ctx, checkInput);
    stopIfInterrupted(ctx);
    result.check = report.result;
    if (report.status !== 'ok') {
      const fixes = apply.check === 'fix' && report.status === 'findings' ? await report.planFixes() : [];
      if (fixes.length === 0) return checkFailed(result, report, spec, apply);
      spec.messages.fixPlan(ctx.out, fixes);
      const { applyRoleFixes } = await import('./secrets-check.js');
      fixApply = await applyRoleFixes(ctx, options, fixes);
      if (fixApply.mode === 'apply') {
        const fixCode = applyExitCode(fixApply);
        if (fixCode !== ExitCode.ok) {
          // The register needs the fix: list it as not attempted, with why.
          const reason = fixApply.interrupted ? undefined : spec.messages.fixNotApplied;
          const rest = unattemptedChanges(changes, reason);
          return {
            ...result,
            apply: mergeApplyResults<PipelineChange>(fixApply, rest),
            status: statusOf(fixApply),
            exitCode: fixCode,
          };
        }
        // Re-check from fresh reads: register only once the roles can do it all. The policy is in
        // place now, so whatever happens next, the result lists it.
        result.apply = mergeApplyResults<PipelineChange>(fixApply);
        let again: PipelineCheckReport<K>;
        try {
          again = await spec.check(ctx, checkInput);
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
            apply: mergeApplyResults<PipelineChange>(fixApply, rest),
            recheckError,
            status: interrupted ? 'interrupted' : 'partial',
            exitCode: interrupted ? ExitCode.interrupted : ExitCode.partial,
          };
        }
        result.recheck = again.result;
        if (again.status !== 'ok') return checkFailed(result, again, spec, apply);
        spec.messages.checkPassed(ctx.out, 'after the fix');
      }
    } else spec.messages.checkPassed(ctx.out);
  }

  // Apply: register, then point the service, then write the file; each step waits for the one before.
  let registered: { taskDefinitionArn: string; revision: number } | undefined;
  const newRef = () =>
    existing?.taskDefinition ?? (registered ? `${family}:${registered.revision}` : undefined);
  showApplyPlan(ctx.out, changes);
  let mainApply: ApplyResult<PipelineStep>;
  try {
    mainApply = await applyChanges(ctx, options, {
      changes,
      question: `Apply: ${changes.map(describeStep).join(', then ')}?`,
      label: describeStep,
      concurrency: 1,
      phaseOf: (c) => ({ prerequisite: 0, register: 1, 'update-service': 2, 'write-file': 3 })[c.kind],
      blockedBy: (c, done) => {
        if (c.kind === 'prerequisite') return undefined;
        const pre = done.find((o) => o.change.kind === 'prerequisite' && o.status !== 'applied');
        if (pre)
          return `${pre.change.kind === 'prerequisite' ? pre.change.label : 'a prerequisite'} was not applied`;
        if (c.kind === 'register') return undefined;
        const reg = done.find((o) => o.change.kind === 'register');
        return reg === undefined || reg.status === 'applied'
          ? undefined
          : 'the new revision was not registered';
      },
      applyOne: async (c) => {
        switch (c.kind) {
          case 'prerequisite':
            await plan.prerequisites?.apply(c);
            return;
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
      apply: mergeApplyResults<PipelineChange>(fixApply, unattemptedChanges(changes, undefined)),
      declined: true,
      status: 'interrupted',
      exitCode: ExitCode.interrupted,
    };
  }
  result.apply = mergeApplyResults<PipelineChange>(...(fixApply ? [fixApply] : []), mainApply);
  result.registered = registered;

  let exitCode = worstExitCode(...(fixApply ? [applyExitCode(fixApply)] : []), applyExitCode(mainApply));
  let status: PipelineStatus = mainApply.mode === 'apply' ? statusOf(result.apply) : 'migrated';
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

// A nothing-to-do source with --update-service: if the family's latest revision is this (edited)
// definition, registered by a run whose service update did not happen, point the service at it now.
async function finishUnpointedService<K, R extends TaskDefinitionPipelineResult<K>>(
  ctx: CommandContext,
  options: PipelineOptions,
  spec: TaskDefinitionPipelineSpec<K>,
  base: R,
  source: LoadedSource,
  apply: Extract<PipelineApply, { kind: 'register' }>,
  online: Online,
): Promise<R> {
  const td = taskDefinitionObject(source.parsed.document, source.parsed.shape);
  if (td === undefined) return base;
  const input = toRegisterInput(td, source.parsed.tags);
  const family = typeof input.family === 'string' ? input.family : undefined;
  if (family === undefined) return base;
  const existing = await findExistingRevision(await ctx.aws.ecs(online.region), family, input, spec);
  stopIfInterrupted(ctx);
  if (existing === undefined) return base;
  return registerFlow(ctx, options, spec, { result: base, apply, online, family, input, existing });
}

function checkFailed<K, R extends TaskDefinitionPipelineResult<K>>(
  result: R,
  report: PipelineCheckReport<K>,
  spec: TaskDefinitionPipelineSpec<K>,
  apply: Extract<PipelineApply, { kind: 'register' }>,
): R {
  const fixable = report.status === 'findings' && report.fixable && apply.check !== 'fix';
  return {
    ...result,
    status: 'check-failed',
    refusals: report.refusals,
    nextCommand: fixable ? spec.commandLine(['--apply-fix']) : undefined,
    exitCode: report.status === 'incomplete' ? ExitCode.aws : ExitCode.findings,
  };
}

/**
 * The words of a pipeline command line after `ecsops --region R <command...>`: the source, the
 * output, the command's own flags, then --register / --update-service, `extra`, and --yes.
 */
export function pipelineCommandLine(args: {
  command: readonly string[];
  region: string;
  options: PipelineOptions;
  commandFlags: readonly string[];
  extra: readonly string[];
}): string {
  const { options } = args;
  const words = ['ecsops', '--region', args.region, ...args.command];
  if (options.source.kind === 'registered') words.push('--task-def', options.source.taskDef);
  else words.push('--file', options.source.path);
  if (options.output.kind === 'in-place') words.push('--in-place');
  if (options.output.kind === 'file') words.push('--out', options.output.path);
  words.push(...args.commandFlags);
  if (options.apply.kind === 'register') {
    words.push('--register');
    const u = options.apply.updateService;
    if (u) {
      words.push('--update-service', '--cluster', u.cluster, '--service', u.service);
      if (u.wait) words.push('--wait', '--wait-timeout', String(u.wait.timeoutSeconds));
    }
  }
  words.push(...args.extra);
  if (options.yes) words.push('--yes');
  return words.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: plain when safe (ARNs included), else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function outcomeOf<C extends { kind: string }>(
  apply: ApplyResult<C>,
  kind: C['kind'],
): ChangeOutcome<C> | undefined {
  return apply.outcomes.find((o) => o.change.kind === kind);
}

function statusOf(apply: ApplyResult<unknown>): PipelineStatus {
  if (apply.interrupted) return 'interrupted';
  const { applied, failed, notStarted, skipped } = apply.counts;
  if (failed + notStarted + skipped === 0) return 'migrated';
  return applied > 0 ? 'partial' : 'failed';
}

// The rollback target is `family:rev`, as the user would type it (moto and old tools may store the ARN).
function rollbackTarget(taskDefinition: string | undefined): string {
  return taskDefinition === undefined || taskDefinition === '' ? '<previous revision>' : taskDefinition;
}

/** `family:rev` of a task definition ARN (a `family:rev` stays as it is). */
export function familyRevision(taskDefinition: string): string {
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
async function findExistingRevision<K>(
  ecs: EcsApi,
  family: string,
  planned: JsonObject,
  spec: TaskDefinitionPipelineSpec<K>,
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
  if (!spec.isSameRegistration(planned, toRegisterInput(latest.taskDefinition, latest.tags)))
    return undefined;
  return { taskDefinitionArn: arn, taskDefinition: familyRevision(arn) };
}

// ---- output --------------------------------------------------------------------------------------

async function resolveTarget(options: PipelineOptions, source: LoadedSource): Promise<OutputTarget> {
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

// A bare containerDefinitions array is registered by another tool; its fields must still be valid.
function containerProblems(document: unknown): RegisterInputProblem[] {
  if (!Array.isArray(document)) return [];
  return validateRegisterInput({ family: 'x', containerDefinitions: document }).map((p) => ({
    ...p,
    path: p.path.replace(/^containerDefinitions/, ''),
  }));
}
