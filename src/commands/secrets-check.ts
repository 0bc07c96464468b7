import { readFile } from 'node:fs/promises';
import { regionOfArn } from '../core/ecs-types.js';
import { accountOfArn } from '../core/iam/ecs-request.js';
import type { FixPolicyDocument } from '../core/iam/fix-policy.js';
import {
  checkSecrets,
  findWrapperUses,
  isOtherAccount,
  type KmsKeyState,
  kmsKeyLookupKey,
  type Lookup,
  parameterLookupKey,
  planIdentityQuestions,
  planKmsKeyReads,
  planSecretsCheckReads,
  planSimulatorFindings,
  type RoleState,
  referencesFromTaskDefinition,
  type SecretMetadataState,
  type SecretsCheckInput,
  type SecretsCheckResult,
  type SimulatorComparison,
  secretLookupKey,
  simulatorAgrees,
  statusOf,
  type WrapperUse,
} from '../core/secrets/check.js';
import type { ParameterMetadata } from '../core/ssm-types.js';
import {
  type ParsedTaskDefinition,
  parseTaskDefinition,
  readTaskDefinitionDocument,
  type TaskDefinitionView,
} from '../core/task-definition/parse.js';
import { ExitCode, InputError, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import {
  type ApplyResult,
  applyChanges,
  applyExitCode,
  type MutatingOptions,
  worstExitCode,
} from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAll } from './read-all.js';
import { resolveOneRegion } from './regions.js';

export type { SimulatorComparison } from '../core/secrets/check.js';

/** What `secrets check` looks at: one registered revision, a file, or the revisions services run. */
export type SecretsCheckSource =
  | { kind: 'task-def'; taskDef: string }
  | { kind: 'file'; path: string }
  | {
      kind: 'services';
      cluster: string;
      services: { kind: 'all' } | { kind: 'named'; names: string[] };
    };

/** `--fix` prints the least-privilege policy; `--apply-fix` also puts it (with --dry-run / --yes). */
export type SecretsCheckFixMode =
  | { kind: 'none' }
  | { kind: 'print' }
  | ({ kind: 'apply' } & MutatingOptions);

/** Parsed flags of `ecsops secrets check`. */
export interface SecretsCheckOptions {
  source: SecretsCheckSource;
  /** Execution role for a bare containerDefinitions file (or to try a candidate role). */
  executionRole?: string | undefined;
  fix: SecretsCheckFixMode;
  iamSimulator: boolean;
}

/** The check of one task definition: what was read, the result, and the optional simulator comparison. */
export interface TaskDefinitionSecretsReport {
  label: string;
  region: string;
  account: string;
  input: SecretsCheckInput;
  result: SecretsCheckResult;
  simulator?: SimulatorComparison[] | undefined;
}

/** What happened after `--apply-fix` wrote: the fresh re-check, or why there is none. */
export type SecretsRecheck =
  | { status: 'done'; reports: TaskDefinitionSecretsReport[] }
  | { status: 'failed'; error: string }
  | { status: 'interrupted' };

/** The `--apply-fix` part of a run: the planned PutRolePolicy changes and what happened to each. */
export interface SecretsFixApply {
  result: ApplyResult<FixChange>;
  /** Set when at least one policy was put: the check run again from fresh reads. */
  recheck?: SecretsRecheck | undefined;
}

/** The result of `ecsops secrets check`. */
export interface SecretsCheckCommandResult extends CommandResult {
  fix: SecretsCheckFixMode;
  /** The check as it was read (before any fix). */
  reports: TaskDefinitionSecretsReport[];
  /** Set with --apply-fix. */
  apply?: SecretsFixApply | undefined;
  /** The check and the fix plan were shown before the writes (and the prompt), not with the result. */
  shownBeforeApply: boolean;
  /** Things to tell the user that are not findings (e.g. a bare containerDefinitions array). */
  warnings: string[];
}

/**
 * Reads what a task definition's secrets need (metadata only: DescribeParameters, DescribeSecret,
 * DescribeKey, key policy, grants, roles) and runs the check. `secrets migrate` calls this on the
 * task definition it is about to register. Roles of another account than the caller's are never
 * read (IAM would look the name up in the caller's account). Ctrl-C throws InterruptedError.
 */
export async function checkTaskDefinitionSecrets(
  ctx: CommandContext,
  args: {
    view: TaskDefinitionView;
    region: string;
    /** The task's account; read with sts:GetCallerIdentity when omitted. */
    account?: string | undefined;
    label: string;
    iamSimulator?: boolean | undefined;
    /** Shared across the task definitions of one run, so a role or key used by many is read once. */
    cache?: SecretsCheckCache | undefined;
    /** Containers still using an env-loading wrapper (`findWrapperUses`), reported as findings. */
    wrappers?: readonly WrapperUse[] | undefined;
    /** The `secrets migrate` command line that migrates this task definition. */
    migrateCommand?: string | undefined;
  },
): Promise<TaskDefinitionSecretsReport> {
  const { view, region } = args;
  const cache = args.cache ?? createSecretsCheckCache();
  throwIfInterrupted(ctx);
  const account = args.account ?? (await memo(cache.accounts, region, () => callerAccount(ctx, region)));
  const references = referencesFromTaskDefinition(view);
  const task = { region, account };
  const reads = planSecretsCheckReads(references, task);

  // Roles do not depend on anything else read here: start them now, alongside the metadata reads.
  const roleArns = [
    ...new Set([view.executionRoleArn, view.taskRoleArn].filter((a): a is string => !!a)),
  ].filter((arn) => !isOtherAccount(task, arn));
  throwIfInterrupted(ctx);
  const rolesRead =
    references.length > 0
      ? Promise.all(
          roleArns.map((arn) =>
            memo(cache.roles, arn, async () => {
              return (await ctx.aws.iam()).readRoleState(arn);
            }),
          ),
        )
      : Promise.resolve([]);
  // Never leave the promise unobserved if an earlier read throws; it is awaited below.
  rolesRead.catch(() => undefined);

  const parameters: Record<string, Lookup<ParameterMetadata>> = {};
  const byRegion = new Map<string, typeof reads.parameters>();
  for (const p of reads.parameters) byRegion.set(p.region, [...(byRegion.get(p.region) ?? []), p]);
  const { isAccessDenied } = await import('../aws/iam.js');
  await readAll(ctx, [...byRegion], async ([r, wanted]) => {
    try {
      const found = await (await ctx.aws.ssm(r)).describeParametersByName(wanted.map((w) => w.name));
      for (const w of wanted) {
        const m = found.find((f) => f.name === w.name);
        parameters[parameterLookupKey(w.parameterArn)] = m
          ? { status: 'found', value: m }
          : { status: 'missing' };
      }
    } catch (e) {
      if (!isAccessDenied(e)) throw e;
      for (const w of wanted) {
        parameters[parameterLookupKey(w.parameterArn)] = {
          status: 'unreadable',
          lackingPermission: 'ssm:DescribeParameters',
          reason: e.code,
        };
      }
    }
  });

  const secrets: Record<string, Lookup<SecretMetadataState>> = {};
  const secretResults = await readAll(ctx, reads.secrets, async (s) =>
    (await ctx.aws.secretsManager(s.region)).readSecretMetadata(s.secretId),
  );
  reads.secrets.forEach((s, i) => {
    secrets[secretLookupKey(s.secretId)] = secretResults[i] as Lookup<SecretMetadataState>;
  });

  const keyReads = planKmsKeyReads({ references, region, account, parameters, secrets });
  const keys: Record<string, Lookup<KmsKeyState>> = {};
  const keyResults = await readAll(ctx, keyReads, async (k) =>
    memo(cache.keys, `${k.region} ${k.keyId}`, async () =>
      (await ctx.aws.kms(k.region)).readKmsKeyState(k.keyId),
    ),
  );
  keyReads.forEach((k, i) => {
    const state = keyResults[i];
    if (state) keys[kmsKeyLookupKey(k.region, k.keyId)] = state;
  });

  const roles: Record<string, Lookup<RoleState>> = {};
  (await rolesRead).forEach((state, i) => {
    roles[roleArns[i] as string] = state;
  });
  // A read in flight when Ctrl-C came has finished: the check still stops here.
  throwIfInterrupted(ctx);

  const input: SecretsCheckInput = {
    region,
    account,
    references,
    executionRoleArn: view.executionRoleArn,
    taskRoleArn: view.taskRoleArn,
    roles,
    parameters,
    secrets,
    keys,
    fixPolicyName: `ecsops-secrets-${(view.family ?? 'task').replace(/[^\w+=,.@-]/g, '-')}`,
    wrappers: args.wrappers,
    migrateCommand: args.migrateCommand,
  };
  const result = checkSecrets(input);
  const report: TaskDefinitionSecretsReport = { label: args.label, region, account, input, result };
  if (args.iamSimulator) report.simulator = await compareWithSimulator(ctx, report);
  return report;
}

/** Reads shared by the task definitions of one `secrets check` run. */
export interface SecretsCheckCache {
  accounts: Map<string, Promise<string>>;
  roles: Map<string, Promise<Lookup<RoleState>>>;
  keys: Map<string, Promise<Lookup<KmsKeyState> | undefined>>;
}

/** An empty cache for one run. */
export function createSecretsCheckCache(): SecretsCheckCache {
  return { accounts: new Map(), roles: new Map(), keys: new Map() };
}

function memo<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = read();
    map.set(key, value);
  }
  return value;
}

function throwIfInterrupted(ctx: CommandContext): void {
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
}

async function callerAccount(ctx: CommandContext, region: string): Promise<string> {
  return (await (await ctx.aws.sts(region)).getCallerIdentity()).account;
}

/**
 * Asks IAM's SimulatePrincipalPolicy the identity-side questions and marks disagreements. A
 * disagreement, or a question the simulator could not answer, makes an `ok` result `incomplete`.
 */
async function compareWithSimulator(
  ctx: CommandContext,
  report: TaskDefinitionSecretsReport,
): Promise<SimulatorComparison[]> {
  const questions = planIdentityQuestions(report.input);
  if (questions.length === 0) return [];
  const iam = await ctx.aws.iam();
  const { isAccessDenied } = await import('../aws/iam.js');
  const comparisons = await readAll(ctx, questions, async (q): Promise<SimulatorComparison> => {
    const base = {
      containerName: q.containerName,
      name: q.name,
      action: q.request.action,
      resource: q.request.resource,
      ecsops: q.ours.decision,
    };
    try {
      const sim = await iam.simulateRoleAction({
        roleArn: q.request.principalArn,
        action: q.request.action,
        resourceArn: q.request.resource,
        context: q.request.context.values,
      });
      return { ...base, simulator: sim, agrees: simulatorAgrees(q.ours.decision, sim) };
    } catch (e) {
      return {
        ...base,
        simulator: 'error',
        agrees: null,
        error: describeError(e),
        ...(isAccessDenied(e) ? { accessDenied: true } : {}),
      };
    }
  });
  throwIfInterrupted(ctx);
  const result = report.result;
  result.findings.push(...planSimulatorFindings(comparisons));
  result.status = statusOf(result.findings);
  return comparisons;
}

/** One task definition to check, with the region it lives in. */
interface CheckTarget {
  label: string;
  region: string;
  view: TaskDefinitionView;
  parsed: ParsedTaskDefinition;
  migrateCommand: string;
}

/** The task definitions to check, with the region each lives in. */
async function readTargets(
  ctx: CommandContext,
  options: SecretsCheckOptions,
  warnings: string[],
): Promise<CheckTarget[]> {
  const { source } = options;
  const defaultRegion = () => resolveOneRegion(ctx, 'secrets check');

  if (source.kind === 'file') {
    let text: string;
    try {
      text = await readFile(source.path, 'utf8');
    } catch (e) {
      throw new InputError(`Cannot read ${source.path}: ${describeError(e)}`);
    }
    const parsed = parseTaskDefinition(text, source.path);
    const view = withExecutionRole(parsed.view, options.executionRole);
    if (parsed.shape === 'container-definitions' && !options.executionRole) {
      warnings.push(
        `${source.path} is a bare containerDefinitions array; pass --execution-role ARN to check a role.`,
      );
    }
    return [
      {
        label: source.path,
        region: await defaultRegion(),
        view,
        parsed,
        migrateCommand: `ecsops secrets migrate --file ${shellWord(source.path)}`,
      },
    ];
  }

  let taskDefs: string[];
  let region: string;
  if (source.kind === 'task-def') {
    region = regionOfArn(source.taskDef) ?? (await defaultRegion());
    taskDefs = [source.taskDef];
  } else {
    const { cluster } = source;
    region = regionOfArn(cluster) ?? (await defaultRegion());
    const ecs = await ctx.aws.ecs(region);
    const names = source.services.kind === 'all' ? await ecs.listServiceArns(cluster) : source.services.names;
    throwIfInterrupted(ctx);
    const { services, missing } = await ecs.describeServices(cluster, names);
    if (missing.length > 0) {
      throw new InputError(`Service not found in ${cluster}: ${missing.join(', ')}`, {
        hint: 'Check the names and --region.',
      });
    }
    taskDefs = [...new Set(services.map((s) => s.taskDefinition).filter(Boolean))];
    if (taskDefs.length === 0) throw new InputError(`No services to check in ${cluster}.`);
  }
  const ecs = await ctx.aws.ecs(region);
  const described = await readAll(ctx, taskDefs, (td) => ecs.describeTaskDefinition(td));
  throwIfInterrupted(ctx);
  return described.map((d, i) => {
    const document = d.taskDefinition;
    const label =
      typeof document.family === 'string'
        ? `${document.family}:${document.revision}`
        : (taskDefs[i] as string);
    const arn = typeof document.taskDefinitionArn === 'string' ? document.taskDefinitionArn : '';
    const parsed = readTaskDefinitionDocument(document, label);
    return {
      label,
      region: regionOfArn(arn) ?? region,
      view: withExecutionRole(parsed.view, options.executionRole),
      parsed,
      migrateCommand: `ecsops secrets migrate --task-def ${label}`,
    };
  });
}

function withExecutionRole(view: TaskDefinitionView, arn: string | undefined): TaskDefinitionView {
  return arn ? { ...view, executionRoleArn: arn } : view;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Checks every target (one shared cache: services usually share an execution role and a key). */
function checkTargets(
  ctx: CommandContext,
  targets: readonly CheckTarget[],
  iamSimulator: boolean,
): Promise<TaskDefinitionSecretsReport[]> {
  const cache = createSecretsCheckCache();
  return readAll(ctx, targets, (t) =>
    checkTaskDefinitionSecrets(ctx, {
      view: t.view,
      region: t.region,
      label: t.label,
      iamSimulator,
      cache,
      wrappers: findWrapperUses(t.parsed, t.region),
      migrateCommand: t.migrateCommand,
    }),
  );
}

/**
 * `ecsops secrets check`: exit 0 when every secret is readable, 1 on findings, 3 when it could not
 * decide; with --apply-fix the apply's own code when worse (3 nothing applied, 4 partly, 130 Ctrl-C).
 */
export async function runSecretsCheck(
  options: SecretsCheckOptions,
  ctx: CommandContext,
): Promise<SecretsCheckCommandResult> {
  const warnings: string[] = [];
  const targets = await readTargets(ctx, options, warnings);
  const reports = await checkTargets(ctx, targets, options.iamSimulator);
  const base = { fix: options.fix, reports, warnings, shownBeforeApply: false };
  if (options.fix.kind !== 'apply') return { ...base, exitCode: exitCodeFor(reports) };

  const changes = planFixChanges(reports);
  // Before anything is written (and before the prompt) a person sees the check and the plan; the
  // result view then shows only what happened. A dry run is shown once, with the result.
  const showFirst = changes.length > 0 && !options.fix.dryRun;
  if (showFirst) {
    const { showSecretsCheckPlan } = await import('../output/secrets-check.js');
    showSecretsCheckPlan(ctx.out, { ...base, exitCode: ExitCode.ok }, changes);
  }
  const applied = await applyRoleFixes(ctx, options.fix, changes);
  let recheck: SecretsRecheck | undefined;
  if (applied.counts.applied > 0 && !applied.interrupted) {
    // Re-check from fresh reads so the exit code says whether the fix worked. A failure here does
    // not hide the writes: they are in `applied`, and the re-check failure is part of the result.
    try {
      recheck = { status: 'done', reports: await checkTargets(ctx, targets, false) };
    } catch (e) {
      recheck =
        e instanceof InterruptedError
          ? { status: 'interrupted' }
          : { status: 'failed', error: describeError(e) };
    }
  }
  const finalReports = recheck?.status === 'done' ? recheck.reports : reports;
  const exitCode = worstExitCode(
    applyExitCode(applied),
    recheck === undefined || recheck.status === 'done' ? exitCodeFor(finalReports) : ExitCode.aws,
    recheck?.status === 'interrupted' || ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok,
  );
  return { ...base, shownBeforeApply: showFirst, apply: { result: applied, recheck }, exitCode };
}

/** 1 when any task definition has findings, else 3 when any could not be decided, else 0. */
export function exitCodeFor(reports: readonly TaskDefinitionSecretsReport[]): ExitCode {
  if (reports.some((r) => r.result.status === 'findings')) return ExitCode.findings;
  if (reports.some((r) => r.result.status === 'incomplete')) return ExitCode.aws;
  return ExitCode.ok;
}

/** One PutRolePolicy per (role, policy name), merged with a same-named inline policy that exists. */
export interface FixChange {
  kind: 'put-role-policy';
  roleArn: string;
  policyName: string;
  document: FixPolicyDocument | { Version: string; Statement: unknown[] };
  /** True when an inline policy of that name exists and is being extended. */
  replaces: boolean;
  /** The caller's account (sts:GetCallerIdentity) the check ran as: a role of any other account is never written. */
  account: string;
}

/** Why a fix must not be written from here: its role belongs to another account than the caller's. */
export function crossAccountRefusal(change: Pick<FixChange, 'roleArn' | 'account'>): string | undefined {
  const roleAccount = accountOfArn(change.roleArn);
  if (roleAccount === change.account) return undefined;
  // PutRolePolicy takes only the role name: sent from here it would change the caller's same-named role.
  return `role ${change.roleArn} is in account ${roleAccount}, not the caller's account ${change.account}; ecsops writes roles only in the caller's account: run it with credentials of account ${roleAccount} (--accounts/--assume-role are not supported)`;
}

/** The progress and report label of a fix: the role and the inline policy name. */
export function fixChangeLabel(change: FixChange): string {
  return `${change.roleArn} ${change.policyName}`;
}

/**
 * Puts the planned inline policies through the one apply flow (confirm, Ctrl-C checked before each
 * write, applied / failed / skipped per change). A role of another account than the caller's is
 * skipped, never written. `secrets check --apply-fix` and `secrets migrate --apply-fix` share it.
 */
export async function applyRoleFixes(
  ctx: CommandContext,
  options: MutatingOptions,
  changes: readonly FixChange[],
): Promise<ApplyResult<FixChange>> {
  return applyChanges(ctx, options, {
    changes,
    question: `Put ${changes.length} inline policy(ies)?`,
    label: fixChangeLabel,
    blockedBy: (c) => crossAccountRefusal(c),
    applyOne: async (c) => {
      await (await ctx.aws.iam()).putRoleInlinePolicy({
        roleArn: c.roleArn,
        policyName: c.policyName,
        document: c.document,
      });
    },
  });
}

/** Plans the `--apply-fix` writes from the check reports (pure). */
export function planFixChanges(reports: readonly TaskDefinitionSecretsReport[]): FixChange[] {
  const byKey = new Map<string, FixChange>();
  for (const r of reports) {
    const fix = r.result.fix;
    if (!fix?.policy) continue;
    const key = `${fix.roleArn} ${fix.policyName}`;
    let change = byKey.get(key);
    if (!change) {
      const existing = existingInlineStatements(r.input, fix.roleArn, fix.policyName);
      change = {
        kind: 'put-role-policy',
        roleArn: fix.roleArn,
        policyName: fix.policyName,
        document: { Version: '2012-10-17', Statement: existing ?? [] },
        replaces: existing !== undefined,
        account: r.account,
      };
      byKey.set(key, change);
    }
    const statements = change.document.Statement as { Sid?: string }[];
    const sids = new Set(statements.map((s) => s.Sid));
    for (const st of fix.policy.Statement) {
      let sid = st.Sid;
      for (let n = 2; sids.has(sid); n++) sid = `${st.Sid}${n}`;
      sids.add(sid);
      statements.push({ ...st, Sid: sid });
    }
  }
  return [...byKey.values()];
}

function existingInlineStatements(
  input: SecretsCheckInput,
  roleArn: string,
  policyName: string,
): unknown[] | undefined {
  const role = input.roles[roleArn];
  if (role?.status !== 'found') return undefined;
  const doc = role.value.identityPolicies.find((p) => p.source === `inline policy ${policyName}`)?.document;
  if (doc === undefined) return undefined;
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc.trim().startsWith('{') ? doc : decodeURIComponent(doc));
    } catch {
      return undefined;
    }
  }
  const st = (parsed as { Statement?: unknown }).Statement;
  return Array.isArray(st) ? st : st ? [st] : undefined;
}
