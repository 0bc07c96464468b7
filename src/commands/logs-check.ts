/**
 * `ecsops logs check`: for each container of a task definition (awslogs or FireLens), which role ships
 * its logs to which destination, and whether IAM lets it (the evaluator in src/core/iam/). Reads roles
 * the way `secrets check` does (IamApi.readRoleState: metadata only). `checkLogsRoles` is the core,
 * shared with `logs migrate --register` and `ecsops audit`.
 */
import type { ManagedPolicyCache } from '../aws/iam.js';
import { createLimiter, memo } from '../core/concurrency.js';
import { regionOfArn } from '../core/ecs-types.js';
import { checkLogsAccess, type LogsCheckResult, rolesToRead } from '../core/logs/check.js';
import type { PlannedLogsDestination } from '../core/logs/migrate.js';
import type { Lookup, RoleState } from '../core/secrets/check.js';
import type { JsonObject } from '../core/task-definition/json.js';
import { taskDefinitionObject, toRegisterInput } from '../core/task-definition/parse.js';
import { ExitCode, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import { type ApplyResult, applyExitCode, type MutatingOptions, worstExitCode } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import type { FixChange } from './secrets-check.js';
import { readOnline, readTaskDefinitionSource } from './task-definition-pipeline.js';

/** `--fix` prints the policy; `--apply-fix` puts it through the apply flow. */
export type LogsCheckFixMode = { kind: 'none' } | { kind: 'print' } | ({ kind: 'apply' } & MutatingOptions);

/** Parsed flags of `ecsops logs check`. */
export interface LogsCheckOptions {
  source: { kind: 'file'; path: string } | { kind: 'registered'; taskDef: string };
  fix: LogsCheckFixMode;
}

/** The check of one task definition, as `logs check`, `logs migrate` and `audit` report it. */
export interface LogsRolesReport {
  label: string;
  region: string;
  account: string;
  taskRoleArn: string | undefined;
  executionRoleArn: string | undefined;
  result: LogsCheckResult;
  /** The PutRolePolicy changes that close the gaps (merged with a same-named inline policy). */
  fixChanges: FixChange[];
}

/** Reads shared by the checks of one run: each role is read once. */
export interface LogsCheckCache {
  roles: Map<string, Promise<Lookup<RoleState>>>;
  managedPolicies: ManagedPolicyCache;
}

/** An empty cache for one run. */
export function createLogsCheckCache(): LogsCheckCache {
  return { roles: new Map(), managedPolicies: { defaultVersions: new Map(), documents: new Map() } };
}

/**
 * The roles check of one task definition (RegisterTaskDefinition input shape): reads its execution
 * and task roles (only those of the caller's account) and evaluates every log destination.
 */
export async function checkLogsRoles(
  ctx: CommandContext,
  args: {
    taskDefinition: JsonObject;
    region: string;
    account: string;
    partition?: string | undefined;
    label: string;
    routed?: readonly PlannedLogsDestination[] | undefined;
    cache?: LogsCheckCache | undefined;
  },
): Promise<LogsRolesReport> {
  const cache = args.cache ?? createLogsCheckCache();
  const limit = createLimiter(ctx.global.concurrency);
  const arns = rolesToRead(args.taskDefinition, args.account);
  const iam = arns.length > 0 ? await ctx.aws.iam() : undefined;
  const states = await Promise.all(
    arns.map((arn) =>
      memo(cache.roles, arn, async () => {
        if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
        return (iam as NonNullable<typeof iam>).readRoleState(arn, {
          managedPolicies: cache.managedPolicies,
          limit,
        });
      }),
    ),
  );
  const roles: Record<string, Lookup<RoleState>> = {};
  arns.forEach((arn, i) => {
    roles[arn] = states[i] as Lookup<RoleState>;
  });
  const family = typeof args.taskDefinition.family === 'string' ? args.taskDefinition.family : 'task';
  const result = checkLogsAccess(
    {
      taskDefinition: args.taskDefinition,
      region: args.region,
      account: args.account,
      partition: args.partition ?? partitionOf(args.region),
      routed: args.routed,
      roles,
    },
    `ecsops-logs-${family.replace(/[^\w+=,.@-]/g, '-')}`,
  );
  return {
    label: args.label,
    region: args.region,
    account: args.account,
    taskRoleArn: str(args.taskDefinition.taskRoleArn),
    executionRoleArn: str(args.taskDefinition.executionRoleArn),
    result,
    fixChanges: result.fixes.map((f) => fixChange(f, roles[f.roleArn], args.account)),
  };
}

/** The result of `ecsops logs check`. */
export interface LogsCheckCommandResult extends CommandResult {
  fix: LogsCheckFixMode;
  report: LogsRolesReport;
  apply?: ApplyResult<FixChange> | undefined;
  /** The check again after --apply-fix wrote (or why it could not run). */
  recheck?: LogsRolesReport | { error: string } | undefined;
}

/** `ecsops logs check`: exit 0 when every destination is writable, 1 on gaps, 3 when undecided. */
export async function runLogsCheck(
  options: LogsCheckOptions,
  ctx: CommandContext,
): Promise<LogsCheckCommandResult> {
  const online = await readOnline(ctx, 'logs check');
  const source = await readTaskDefinitionSource(ctx, options.source, online);
  const td = taskDefinitionObject(source.parsed.document, source.parsed.shape);
  const taskDefinition: JsonObject = td
    ? toRegisterInput(td, [])
    : { containerDefinitions: source.parsed.document as unknown[] };
  const arn = typeof td?.taskDefinitionArn === 'string' ? td.taskDefinitionArn : undefined;
  const region = (arn && regionOfArn(arn)) || online.region;
  const account = online.account ?? '';
  const cache = createLogsCheckCache();
  const run = () =>
    checkLogsRoles(ctx, {
      taskDefinition,
      region,
      account,
      partition: online.partition,
      label: source.label,
      cache,
    });
  const report = await run();
  const base: LogsCheckCommandResult = { fix: options.fix, report, exitCode: exitCodeOf(report) };
  if (options.fix.kind !== 'apply' || report.fixChanges.length === 0) return base;

  const { applyRoleFixes } = await import('./secrets-check.js');
  const { showLogsFixPlan } = await import('../output/logs.js');
  showLogsFixPlan(ctx.out, report);
  const applied = await applyRoleFixes(ctx, options.fix, report.fixChanges);
  let recheck: LogsCheckCommandResult['recheck'];
  if (applied.counts.applied > 0 && !applied.interrupted) {
    for (const o of applied.outcomes) cache.roles.delete(o.change.roleArn);
    try {
      recheck = await run();
    } catch (e) {
      recheck = { error: describeError(e) };
    }
  }
  const final = recheck && 'result' in recheck ? recheck : report;
  return {
    ...base,
    apply: applied,
    recheck,
    exitCode: worstExitCode(
      applyExitCode(applied),
      recheck && 'error' in recheck ? ExitCode.aws : exitCodeOf(final),
    ),
  };
}

/** 1 on gaps, 3 when something could not be decided, else 0. */
export function exitCodeOf(report: LogsRolesReport): ExitCode {
  if (report.result.status === 'findings') return ExitCode.findings;
  if (report.result.status === 'incomplete') return ExitCode.aws;
  return ExitCode.ok;
}

// One PutRolePolicy per role: a same-named inline policy is extended, not replaced.
function fixChange(
  fix: LogsCheckResult['fixes'][number],
  role: Lookup<RoleState> | undefined,
  account: string,
): FixChange {
  const existing =
    role?.status === 'found'
      ? role.value.identityPolicies.find((p) => p.source === `inline policy ${fix.policyName}`)?.document
      : undefined;
  const statements = existingStatements(existing);
  const sids = new Set(statements.map((s) => (s as { Sid?: string }).Sid));
  const added = fix.policy.Statement.map((st) => {
    let sid = st.Sid;
    for (let n = 2; sids.has(sid); n++) sid = `${st.Sid}x${n}`;
    sids.add(sid);
    return { ...st, Sid: sid };
  });
  return {
    kind: 'put-role-policy',
    roleArn: fix.roleArn,
    policyName: fix.policyName,
    document: { Version: '2012-10-17', Statement: [...statements, ...added] },
    replaces: existing !== undefined,
    account,
  };
}

function existingStatements(doc: unknown): unknown[] {
  if (doc === undefined) return [];
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc.trim().startsWith('{') ? doc : decodeURIComponent(doc));
    } catch {
      return [];
    }
  }
  const st = (parsed as { Statement?: unknown }).Statement;
  return Array.isArray(st) ? st : st ? [st] : [];
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
