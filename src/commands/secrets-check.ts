import { readFile } from 'node:fs/promises';
import type { ManagedPolicyCache, SimulatorDecision } from '../aws/iam.js';
import { allInOrder, chunk, createLimiter, type Limit, memo, observed } from '../core/concurrency.js';
import { regionOfArn } from '../core/ecs-types.js';
import { accountOfArn } from '../core/iam/ecs-request.js';
import type { FixPolicyDocument } from '../core/iam/fix-policy.js';
import { withParsedPolicy } from '../core/iam/policy.js';
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
 * With a run's `cache`, whatever another task definition read (or `prefetchSecretsCheckReads`
 * started) is not read again.
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
  const account = args.account ?? (await callerAccount(ctx, cache, region));
  const references = referencesFromTaskDefinition(view);
  const task = { region, account };
  const reads = planSecretsCheckReads(references, task);
  const roleArns = rolesToRead(view, references, task);
  throwIfInterrupted(ctx);

  // Roles, parameters and secrets do not depend on each other: all start now (or were started by
  // the run's prefetch). They are awaited in the order they were once read one after another, so
  // the error a failed run reports does not depend on which answer came back first.
  const rolesRead = observed(allInOrder(roleArns.map((arn) => readRole(ctx, cache, arn))));
  const parametersRead = observed(readParameters(ctx, cache, reads.parameters));
  const secretsRead = observed(
    allInOrder(reads.secrets.map((s) => readSecret(ctx, cache, s.region, s.secretId))),
  );
  const parameters = await parametersRead;
  const secrets: Record<string, Lookup<SecretMetadataState>> = {};
  (await secretsRead).forEach((state, i) => {
    secrets[secretLookupKey((reads.secrets[i] as { secretId: string }).secretId)] = state;
  });

  const keyReads = planKmsKeyReads({ references, region, account, parameters, secrets });
  const keys: Record<string, Lookup<KmsKeyState>> = {};
  const keyResults = await allInOrder(keyReads.map((k) => readKey(ctx, cache, k.region, k.keyId)));
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
  if (args.iamSimulator) report.simulator = await compareWithSimulator(ctx, cache, report);
  return report;
}

/**
 * Reads shared by the task definitions of one `secrets check` run, so each parameter, secret,
 * role, managed policy, key and simulator question is read once however many task definitions
 * use it. Every entry is the promise of the read, so concurrent checks wait for the same one.
 */
export interface SecretsCheckCache {
  /** Region -> the caller's account (sts:GetCallerIdentity). */
  accounts: Map<string, Promise<string>>;
  /** Role ARN -> the role and its policies. */
  roles: Map<string, Promise<Lookup<RoleState>>>;
  /** `region keyId` -> the key, its policy, grants and aliases. */
  keys: Map<string, Promise<Lookup<KmsKeyState> | undefined>>;
  /** `parameterLookupKey` (the parameter ARN) -> its metadata. */
  parameters: Map<string, Promise<Lookup<ParameterMetadata>>>;
  /** `region secretId` -> the secret's metadata and resource policy. */
  secrets: Map<string, Promise<Lookup<SecretMetadataState>>>;
  /** Managed policies by ARN and version, shared by every role that attaches them. */
  managedPolicies: ManagedPolicyCache;
  /** One simulator question (role, action, resource, context) -> IAM's answer. */
  simulations: Map<string, Promise<SimulatorDecision>>;
  /** The run's bound on AWS requests in flight (--concurrency); made on the first read. */
  limit?: Limit | undefined;
}

/** An empty cache for one run. */
export function createSecretsCheckCache(): SecretsCheckCache {
  return {
    accounts: new Map(),
    roles: new Map(),
    keys: new Map(),
    parameters: new Map(),
    secrets: new Map(),
    managedPolicies: { defaultVersions: new Map(), documents: new Map() },
    simulations: new Map(),
  };
}

/**
 * Starts every read the targets need before their keys (the caller's account per region first):
 * all their parameters, 50 names per DescribeParameters call per region, their roles and secrets.
 * The checks of the targets then find them in the cache. Nothing is awaited but the accounts.
 */
export async function prefetchSecretsCheckReads(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  targets: readonly { view: TaskDefinitionView; region: string }[],
): Promise<void> {
  const regions = [...new Set(targets.map((t) => t.region))];
  throwIfInterrupted(ctx);
  const accounts = await allInOrder(regions.map((r) => callerAccount(ctx, cache, r)));
  throwIfInterrupted(ctx);
  const accountOf = new Map(regions.map((r, i) => [r, accounts[i] as string]));
  const parameters = new Map<string, { region: string; name: string; parameterArn: string }>();
  const secrets = new Map<string, { region: string; secretId: string }>();
  const roles = new Set<string>();
  for (const t of targets) {
    const task = { region: t.region, account: accountOf.get(t.region) as string };
    const references = referencesFromTaskDefinition(t.view);
    const reads = planSecretsCheckReads(references, task);
    for (const p of reads.parameters) parameters.set(parameterLookupKey(p.parameterArn), p);
    for (const s of reads.secrets) secrets.set(`${s.region} ${s.secretId}`, s);
    for (const arn of rolesToRead(t.view, references, task)) roles.add(arn);
  }
  // Started, not awaited: each target's check awaits what it needs (the cache observes failures).
  startParameterReads(ctx, cache, [...parameters.values()]);
  for (const arn of roles) void readRole(ctx, cache, arn);
  for (const s of secrets.values()) void readSecret(ctx, cache, s.region, s.secretId);
}

/** The task definition's roles to read: none without references, never one of another account. */
function rolesToRead(
  view: TaskDefinitionView,
  references: readonly unknown[],
  task: { region: string; account: string },
): string[] {
  if (references.length === 0) return [];
  return [...new Set([view.executionRoleArn, view.taskRoleArn].filter((a): a is string => !!a))].filter(
    (arn) => !isOtherAccount(task, arn),
  );
}

/** The run's limiter: at most --concurrency requests in flight, and none started after Ctrl-C. */
function limitOf(ctx: CommandContext, cache: SecretsCheckCache): Limit {
  if (!cache.limit) {
    const limit = createLimiter(ctx.global.concurrency);
    cache.limit = (fn) =>
      limit(() => {
        throwIfInterrupted(ctx);
        return fn();
      });
  }
  return cache.limit;
}

function readRole(ctx: CommandContext, cache: SecretsCheckCache, arn: string): Promise<Lookup<RoleState>> {
  return memo(cache.roles, arn, async () =>
    (await ctx.aws.iam()).readRoleState(arn, {
      managedPolicies: cache.managedPolicies,
      limit: limitOf(ctx, cache),
    }),
  );
}

function readSecret(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  region: string,
  secretId: string,
): Promise<Lookup<SecretMetadataState>> {
  return memo(cache.secrets, `${region} ${secretId}`, async () => {
    const sm = await ctx.aws.secretsManager(region);
    const state = await limitOf(ctx, cache)(() => sm.readSecretMetadata(secretId));
    // Parsed once here, not by every evaluation of every task definition that uses the secret.
    if (state.status !== 'found' || !state.value.resourcePolicy) return state;
    return {
      ...state,
      value: { ...state.value, resourcePolicy: withParsedPolicy(state.value.resourcePolicy) },
    };
  });
}

function readKey(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  region: string,
  keyId: string,
): Promise<Lookup<KmsKeyState> | undefined> {
  return memo(cache.keys, `${region} ${keyId}`, async () =>
    (await ctx.aws.kms(region)).readKmsKeyState(keyId, { limit: limitOf(ctx, cache) }),
  );
}

/**
 * Puts a read of every parameter not yet in the cache into it: per region, one DescribeParameters
 * call (Name Equals) per 50 distinct names, the calls side by side within the run's limit.
 */
function startParameterReads(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  wanted: readonly { region: string; name: string; parameterArn: string }[],
): void {
  const byRegion = new Map<string, Map<string, string[]>>();
  for (const w of wanted) {
    const key = parameterLookupKey(w.parameterArn);
    if (cache.parameters.has(key)) continue;
    const names = byRegion.get(w.region) ?? new Map<string, string[]>();
    byRegion.set(w.region, names);
    names.set(w.name, [...(names.get(w.name) ?? []), key]);
  }
  for (const [region, names] of byRegion) {
    for (const batch of chunk([...names.keys()], DESCRIBE_PARAMETERS_BATCH)) {
      const found = observed(
        (async () => {
          const ssm = await ctx.aws.ssm(region);
          const metadata = await ssm.describeParametersByName(batch, { limit: limitOf(ctx, cache) });
          return new Map(metadata.map((m) => [m.name, m]));
        })(),
      );
      for (const name of batch) {
        const lookup = found.then(
          (byName): Lookup<ParameterMetadata> => {
            const m = byName.get(name);
            return m ? { status: 'found', value: m } : { status: 'missing' };
          },
          async (e: unknown): Promise<Lookup<ParameterMetadata>> => {
            const { isAccessDenied } = await import('../aws/iam.js');
            if (!isAccessDenied(e)) throw e;
            return { status: 'unreadable', lackingPermission: 'ssm:DescribeParameters', reason: e.code };
          },
        );
        for (const key of names.get(name) ?? []) cache.parameters.set(key, observed(lookup));
      }
    }
  }
}

/** The parameters' metadata, keyed with `parameterLookupKey`: from the cache, or read now in batches. */
async function readParameters(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  wanted: readonly { region: string; name: string; parameterArn: string }[],
): Promise<Record<string, Lookup<ParameterMetadata>>> {
  startParameterReads(ctx, cache, wanted);
  const keys = wanted.map((w) => parameterLookupKey(w.parameterArn));
  const lookups = await allInOrder(
    keys.map((k) => cache.parameters.get(k) as Promise<Lookup<ParameterMetadata>>),
  );
  const out: Record<string, Lookup<ParameterMetadata>> = {};
  keys.forEach((k, i) => {
    out[k] = lookups[i] as Lookup<ParameterMetadata>;
  });
  return out;
}

/** DescribeParameters takes at most 50 names in its Name filter. */
const DESCRIBE_PARAMETERS_BATCH = 50;

function throwIfInterrupted(ctx: CommandContext): void {
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
}

function callerAccount(ctx: CommandContext, cache: SecretsCheckCache, region: string): Promise<string> {
  return memo(cache.accounts, region, async () => {
    const sts = await ctx.aws.sts(region);
    return (await limitOf(ctx, cache)(() => sts.getCallerIdentity())).account;
  });
}

/**
 * Asks IAM's SimulatePrincipalPolicy the identity-side questions and marks disagreements. A
 * disagreement, or a question the simulator could not answer, makes an `ok` result `incomplete`.
 */
async function compareWithSimulator(
  ctx: CommandContext,
  cache: SecretsCheckCache,
  report: TaskDefinitionSecretsReport,
): Promise<SimulatorComparison[]> {
  const questions = planIdentityQuestions(report.input);
  if (questions.length === 0) return [];
  const iam = await ctx.aws.iam();
  const { isAccessDenied } = await import('../aws/iam.js');
  const limit = limitOf(ctx, cache);
  const comparisons = await readAll(ctx, questions, async (q): Promise<SimulatorComparison> => {
    const base = {
      containerName: q.containerName,
      name: q.name,
      action: q.request.action,
      resource: q.request.resource,
      ecsops: q.ours.decision,
    };
    try {
      const question = {
        roleArn: q.request.principalArn,
        action: q.request.action,
        resourceArn: q.request.resource,
        context: q.request.context.values,
      };
      // Task definitions sharing a role ask the same questions: each is asked once per run.
      const sim = await memo(cache.simulations, JSON.stringify(question), () =>
        limit(() => iam.simulateRoleAction(question)),
      );
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

/**
 * Checks every target with one cache: services usually share parameters, an execution role, its
 * managed policies and a key. Their parameters, roles and secrets are all started first.
 */
async function checkTargets(
  ctx: CommandContext,
  targets: readonly CheckTarget[],
  iamSimulator: boolean,
  cache: SecretsCheckCache,
): Promise<TaskDefinitionSecretsReport[]> {
  await prefetchSecretsCheckReads(ctx, cache, targets);
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
  const cache = createSecretsCheckCache();
  const reports = await checkTargets(ctx, targets, options.iamSimulator, cache);
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
    // Re-check so the exit code says whether the fix worked: the roles a PutRolePolicy was sent
    // for are read again (a failed one may have been written all the same), everything else
    // (parameters, secrets, keys, managed policies, other roles) is as this run read it: nothing
    // else was written. A failure here does not hide the writes: they are in `applied`, and the
    // re-check failure is part of the result.
    for (const o of applied.outcomes)
      if (o.status === 'applied' || o.status === 'failed') cache.roles.delete(o.change.roleArn);
    try {
      recheck = { status: 'done', reports: await checkTargets(ctx, targets, false, cache) };
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
