import { isAccessDeniedError } from '../aws/call.js';
import type { TaskDefinitionRecord } from '../aws/ecs.js';
import { type AlarmHealthInput, checkAlarmHealth } from '../core/alarm/health.js';
import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import { type AlarmRecord, managedTargetOf } from '../core/alarm/plan.js';
import {
  type AuditFinding,
  type FixCommand,
  findAlarmFindings,
  findAlarmHealthFindings,
  findAwslogsContainers,
  findDriftFindings,
  findEventsRuleFindings,
  findInsightsFindings,
  findLogsFindings,
  findSecretsFindings,
  shellWord,
} from '../core/audit/findings.js';
import {
  type AuditSummaryRow,
  auditExitCode,
  sortFindings,
  summarizeFindings,
} from '../core/audit/summary.js';
import { allInOrder, mapConcurrent, observed, type Settled } from '../core/concurrency.js';
import { type ClusterState, type InsightsLevel, regionOfArn, type ServiceState } from '../core/ecs-types.js';
import { DEFAULT_ASSUME_ROLE } from '../core/fleet.js';
import { findWrapperUses } from '../core/secrets/check.js';
import { SECRETS_SOURCE_TAG } from '../core/secrets/migrate.js';
import {
  type ParsedTaskDefinition,
  readTaskDefinitionDocument,
  type TaskDefinitionView,
} from '../core/task-definition/parse.js';
import { InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import { readClusterEventsRules } from './alarm-events.js';
import { healthAlarmsOf, readAlarmRecords } from './alarm-list.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAccountDefaults } from './insights-status.js';
import { checkLogsRoles, type LogsCheckCache } from './logs-check.js';
import { assertClustersRead, readClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';
import {
  checkTaskDefinitionSecrets,
  createSecretsCheckCache,
  prefetchSecretsCheckReads,
  type SecretsCheckCache,
} from './secrets-check.js';
import { createSecretsDriftReads, findSecretsDrift } from './secrets-drift.js';

/** Parsed flags of `ecsops audit`. */
export interface AuditOptions {
  /** Names or ARNs; empty means every cluster. */
  clusters: string[];
  /** The alarm name prefix `alarm create` used (default ecsops-task-health). */
  namePrefix?: string | undefined;
}

/** A part of the audit that could not be read (or decided); its findings are missing from the result. */
export interface AuditUnreadable {
  account: string;
  region: string;
  part:
    | 'clusters'
    | 'account-default'
    | 'alarms'
    | 'events-rules'
    | 'services'
    | 'task-definition'
    | 'secrets'
    | 'logs'
    | 'drift';
  /** The cluster or task definition, when the part is one resource. */
  resource?: string | undefined;
  message: string;
  /** The IAM action that was denied or is needed to decide, when known. */
  lackingPermission?: string | undefined;
}

/** The typed result of `ecsops audit`. */
export interface AuditResult extends CommandResult {
  account: string;
  regions: string[];
  /** How much was looked at: clusters, services, distinct task-definition revisions. */
  counts: { clusters: number; services: number; taskDefinitions: number };
  findings: AuditFinding[];
  summary: AuditSummaryRow[];
  unreadable: AuditUnreadable[];
}

/** One task-definition revision a service runs, with the services that run it. */
interface RevisionInUse {
  region: string;
  taskDefinition: string;
  services: string[];
}

/**
 * `ecsops audit`: one read-only pass (metadata only: no writes, no secret values) over the clusters
 * of the chosen regions, reusing the checks of `insights status`, `alarm list` and `secrets check`.
 * Exit 0 clean, 1 findings, 3 when some part could not be read (each such part is named).
 */
export async function runAudit(options: AuditOptions, ctx: CommandContext): Promise<AuditResult> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);
  const selection = options.clusters.length ? { names: options.clusters } : ({ all: true } as const);
  const unreadable: AuditUnreadable[] = [];

  // The account (named on every finding), the clusters, the account defaults and the alarms do not
  // depend on each other: all start at once. Only the clusters are waited for before the services;
  // the defaults and the alarms (a ListTagsForResource per alarm) are read meanwhile.
  const accountRead = observed(
    ctx.account ? Promise.resolve(ctx.account) : readAccount(ctx, regions[0] as string),
  );
  const defaultsRead = observed(readAccountDefaults(ctx, regions));
  const alarmsRead = observed(readAlarmRecords(ctx, regions, prefix));
  const clusterRead = await readClusters(ctx, regions, selection);
  assertClustersRead(clusterRead, regions);
  const account = await accountRead;
  const fix = fixCommandFor(ctx);
  for (const e of clusterRead.regionErrors)
    unreadable.push(partError(account, e.region, 'clusters', e.error));

  const clusters = clusterRead.clusters.filter((c) => c.status === 'ACTIVE');
  const services = await readServicesOf(ctx, account, clusters, unreadable);
  const revisions = revisionsInUse(services);
  const secrets = await auditTaskDefinitions(ctx, account, revisions, fix, unreadable);

  const [defaults, alarms] = await allInOrder([defaultsRead, alarmsRead] as const);
  const readDefaults: { region: string; value: InsightsLevel }[] = [];
  for (const d of defaults) {
    if (d.value === 'unknown') unreadable.push(partError(account, d.region, 'account-default', d.error));
    else readDefaults.push({ region: d.region, value: d.value });
  }
  for (const e of alarms.regionErrors) unreadable.push(partError(account, e.region, 'alarms', e.error));
  const alarmRegions = new Set(regions.filter((r) => !alarms.regionErrors.some((e) => e.region === r)));
  const alarmHealth = await auditAlarmHealth(ctx, {
    account,
    records: alarms.records,
    clusters: clusterRead.clusters,
    services,
    wholeRegions: options.clusters.length === 0,
    unreadable,
    fix,
  });
  const findings = sortFindings([
    ...findInsightsFindings({ account, clusters, accountDefaults: readDefaults, fix }),
    ...findAlarmFindings({
      account,
      services,
      alarms: alarms.records satisfies AlarmRecord[],
      alarmRegionsRead: alarmRegions,
      fix,
    }),
    ...alarmHealth,
    ...secrets,
  ]);
  return {
    exitCode: auditExitCode(findings, unreadable.length),
    account,
    regions,
    counts: { clusters: clusters.length, services: services.length, taskDefinitions: revisions.length },
    findings,
    summary: summarizeFindings(findings),
    unreadable: unreadable.sort((a, b) => a.region.localeCompare(b.region) || a.part.localeCompare(b.part)),
  };
}

/** The caller's account (sts:GetCallerIdentity, once per run) when no fleet run named it. */
async function readAccount(ctx: CommandContext, region: string): Promise<string> {
  return (await (await ctx.aws.sts(region)).getCallerIdentity()).account;
}

/**
 * Fix commands name the region, so each can be pasted as is whichever regions the audit covered; in
 * a fleet run they also name the account (and a role other than the default), so the fix runs there.
 */
function fixCommandFor(ctx: CommandContext): FixCommand {
  const fleet = ctx.account ? ['--accounts', ctx.account] : [];
  const role = ctx.global.fleet?.assumeRole;
  if (ctx.account && role && role !== DEFAULT_ASSUME_ROLE) fleet.push('--assume-role', shellWord(role));
  return (region, args) => ['ecsops', ...args, '--region', shellWord(region), ...fleet].join(' ');
}

function partError(
  account: string,
  region: string,
  part: AuditUnreadable['part'],
  error: unknown,
  resource?: string,
): AuditUnreadable {
  return {
    account,
    region,
    part,
    ...(resource ? { resource } : {}),
    message: describeError(error),
    ...(isAccessDeniedError(error) ? { lackingPermission: error.iamAction } : {}),
  };
}

function settledOrInterrupted<R>(s: Settled<R> | undefined): Exclude<Settled<R>, { status: 'not-started' }> {
  if (!s || s.status === 'not-started')
    throw new InterruptedError('Interrupted while reading: nothing was changed.');
  if (s.status === 'rejected' && s.reason instanceof InterruptedError) throw s.reason;
  return s;
}

/**
 * The ACTIVE services of every cluster: ListServices pages, then DescribeServices 10 at a time.
 * A cluster that cannot be read is an unreadable part; the other clusters are audited.
 */
async function readServicesOf(
  ctx: CommandContext,
  account: string,
  clusters: readonly ClusterState[],
  unreadable: AuditUnreadable[],
): Promise<ServiceState[]> {
  const settled = await mapConcurrent(
    clusters,
    ctx.global.concurrency,
    async (cluster) => {
      const ecs = await ctx.aws.ecs(cluster.region);
      const arns = await ecs.listServiceArns(cluster.clusterArn);
      return arns.length ? (await ecs.describeServices(cluster.clusterArn, arns)).services : [];
    },
    ctx.signal,
  );
  const services: ServiceState[] = [];
  clusters.forEach((cluster, i) => {
    const s = settledOrInterrupted(settled[i]);
    if (s.status === 'fulfilled') services.push(...s.value.filter((svc) => svc.status === 'ACTIVE'));
    else unreadable.push(partError(account, cluster.region, 'services', s.reason, cluster.clusterName));
  });
  return services;
}

/** The distinct revisions services run (each is described once), with the services running each. */
function revisionsInUse(services: readonly ServiceState[]): RevisionInUse[] {
  const byKey = new Map<string, RevisionInUse>();
  for (const s of services) {
    if (!s.taskDefinition) continue;
    const region = regionOfArn(s.taskDefinition) ?? s.region;
    const key = `${region} ${s.taskDefinition}`;
    const entry = byKey.get(key) ?? { region, taskDefinition: s.taskDefinition, services: [] };
    entry.services.push(`${s.clusterName}/${s.serviceName}`);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/**
 * Describes each revision once, detects env-loading wrappers with the adapters `secrets migrate`
 * uses, and runs the `secrets check` on it with one cache for the whole account, so a role, key or
 * parameter shared by many task definitions is read once.
 */
async function auditTaskDefinitions(
  ctx: CommandContext,
  account: string,
  revisions: readonly RevisionInUse[],
  fix: FixCommand,
  unreadable: AuditUnreadable[],
): Promise<AuditFinding[]> {
  // `revisions` are distinct: each revision is described once however many services run it.
  const settled = await mapConcurrent(
    revisions,
    ctx.global.concurrency,
    async (r) => (await ctx.aws.ecs(r.region)).describeTaskDefinition(r.taskDefinition),
    ctx.signal,
  );
  const targets = revisions.flatMap((r, i) => {
    const s = settledOrInterrupted(settled[i]);
    if (s.status === 'rejected') {
      unreadable.push(partError(account, r.region, 'task-definition', s.reason, r.taskDefinition));
      return [];
    }
    const document = s.value.taskDefinition;
    const label =
      typeof document.family === 'string' ? `${document.family}:${document.revision}` : r.taskDefinition;
    const parsed = readTaskDefinitionDocument(document, label);
    const arn = typeof document.taskDefinitionArn === 'string' ? document.taskDefinitionArn : undefined;
    return [{ ...r, label, arn, record: s.value, parsed, view: parsed.view }];
  });

  const cache = createSecretsCheckCache();
  // The account is known: the check's per-region GetCallerIdentity is not needed.
  for (const region of new Set(targets.map((t) => t.region)))
    cache.accounts.set(region, Promise.resolve(account));
  // The logs check reads the same roles: through the same maps, each role is read once.
  const logsCache: LogsCheckCache = { roles: cache.roles, managedPolicies: cache.managedPolicies };
  const [secrets, logs, drift] = await allInOrder([
    auditSecrets(ctx, account, targets, cache, fix, unreadable),
    auditLogs(ctx, account, targets, logsCache, fix, unreadable),
    auditDrift(ctx, account, targets, fix, unreadable),
  ] as const);
  const findings = [...secrets, ...logs, ...drift];
  return findings;
}

/** One described revision a service runs, ready for the per-definition checks. */
interface AuditTarget extends RevisionInUse {
  label: string;
  arn: string | undefined;
  record: TaskDefinitionRecord;
  parsed: ParsedTaskDefinition;
  view: TaskDefinitionView;
}

/** The `secrets check` of every target with one cache (wrappers included), as audit findings. */
async function auditSecrets(
  ctx: CommandContext,
  account: string,
  targets: readonly AuditTarget[],
  cache: SecretsCheckCache,
  fix: FixCommand,
  unreadable: AuditUnreadable[],
): Promise<AuditFinding[]> {
  await prefetchSecretsCheckReads(ctx, cache, targets);
  const checked = await mapConcurrent(
    targets,
    ctx.global.concurrency,
    (t) =>
      checkTaskDefinitionSecrets(ctx, {
        view: t.view,
        region: t.region,
        account,
        label: t.label,
        cache,
        wrappers: findWrapperUses(t.parsed, t.region),
      }),
    ctx.signal,
  );
  const findings: AuditFinding[] = [];
  targets.forEach((t, i) => {
    const s = settledOrInterrupted(checked[i]);
    if (s.status === 'rejected') {
      unreadable.push(partError(account, t.region, 'secrets', s.reason, t.label));
      return;
    }
    const found = findSecretsFindings({
      account,
      region: t.region,
      taskDefinition: { label: t.label, arn: t.arn },
      services: t.services,
      checkFindings: s.value.result.findings,
      fix,
    });
    findings.push(...found.findings);
    for (const u of found.undecided)
      unreadable.push({
        account,
        region: t.region,
        part: 'secrets',
        resource: t.label,
        message: u.message,
        ...(u.lackingPermission ? { lackingPermission: u.lackingPermission } : {}),
      });
  });
  return findings;
}

/**
 * The `logs check` of every target (can each role write its containers' log destinations), and
 * the containers still on awslogs as notes. A permission the check could not decide is an
 * unreadable part naming the definition.
 */
async function auditLogs(
  ctx: CommandContext,
  account: string,
  targets: readonly AuditTarget[],
  cache: LogsCheckCache,
  fix: FixCommand,
  unreadable: AuditUnreadable[],
): Promise<AuditFinding[]> {
  const checked = await mapConcurrent(
    targets,
    ctx.global.concurrency,
    (t) =>
      checkLogsRoles(ctx, {
        taskDefinition: t.record.taskDefinition,
        region: t.region,
        account,
        label: t.label,
        cache,
      }),
    ctx.signal,
  );
  const findings: AuditFinding[] = [];
  targets.forEach((t, i) => {
    const s = settledOrInterrupted(checked[i]);
    if (s.status === 'rejected') {
      unreadable.push(partError(account, t.region, 'logs', s.reason, t.label));
      return;
    }
    findings.push(
      ...findLogsFindings({
        account,
        region: t.region,
        taskDefinition: { label: t.label, arn: t.arn },
        services: t.services,
        checkFindings: s.value.result.findings,
        awslogsContainers: findAwslogsContainers(t.record.taskDefinition),
        fix,
      }),
    );
    for (const c of s.value.result.cells) {
      if (c.decision.decision !== 'unknown') continue;
      unreadable.push({
        account,
        region: t.region,
        part: 'logs',
        resource: t.label,
        message: `could not decide whether the ${c.role} role can ${c.action} on ${c.resource} (container ${c.container}): ${c.decision.reason}`,
        ...(c.decision.lackingPermission ? { lackingPermission: c.decision.lackingPermission } : {}),
      });
    }
  });
  return findings;
}

/**
 * The alarms that cannot be trusted (`checkAlarmHealth`, as `alarm list --check` runs it) and the
 * clusters with alarms but no enabled ECS events rule (`readClusterEventsRules`), from what the
 * audit already read. An alarm is judged only where its cluster and services were read: with
 * --cluster, only the named clusters' alarms; a cluster whose services could not be read, none.
 */
async function auditAlarmHealth(
  ctx: CommandContext,
  input: {
    account: string;
    records: readonly AlarmRecord[];
    clusters: readonly ClusterState[];
    services: readonly ServiceState[];
    wholeRegions: boolean;
    unreadable: AuditUnreadable[];
    fix: FixCommand;
  },
): Promise<AuditFinding[]> {
  const { account, unreadable, fix } = input;
  const key = (region: string, cluster: string) => `${region}\u0000${cluster}`;
  const audited = new Set(input.clusters.map((c) => key(c.region, c.clusterName)));
  const blind = new Set(
    unreadable
      .filter((u) => u.part === 'clusters' || u.part === 'services')
      .map((u) => (u.part === 'clusters' ? `${u.region}\u0000*` : key(u.region, u.resource ?? ''))),
  );
  const judged = input.records.filter((r) => {
    const target = managedTargetOf(r.tags);
    if (!target) return false;
    if (blind.has(`${r.region}\u0000*`) || blind.has(key(r.region, target.clusterName))) return false;
    return input.wholeRegions || audited.has(key(r.region, target.clusterName));
  });
  const health = await readAlarmHealthFrom(ctx, judged, input.clusters, input.services);
  const findings = findAlarmHealthFindings({ account, problems: checkAlarmHealth(health), fix });

  // Clusters (read, ACTIVE) that have ecsops alarms: each should have its events rule.
  const withAlarms = new Map<string, { region: string; clusterName: string }>();
  for (const r of judged) {
    const target = managedTargetOf(r.tags);
    const k = target && key(r.region, target.clusterName);
    if (k && audited.has(k)) withAlarms.set(k, { region: r.region, clusterName: target.clusterName });
  }
  const byRegion = new Map<string, { region: string; clusterName: string }[]>();
  for (const c of withAlarms.values()) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
  const regions = [...byRegion.keys()];
  const settled = await mapConcurrent(
    regions,
    ctx.global.concurrency,
    (region) => readClusterEventsRules(ctx, byRegion.get(region) ?? []),
    ctx.signal,
  );
  regions.forEach((region, i) => {
    const s = settledOrInterrupted(settled[i]);
    if (s.status === 'rejected') unreadable.push(partError(account, region, 'events-rules', s.reason));
    else findings.push(...findEventsRuleFindings({ account, rules: s.value, fix }));
  });
  return findings;
}

/** `checkAlarmHealth`'s input from the audit's own reads: no cluster or service is read again. */
function readAlarmHealthFrom(
  ctx: CommandContext,
  records: readonly AlarmRecord[],
  clusters: readonly ClusterState[],
  services: readonly ServiceState[],
): AlarmHealthInput {
  return {
    alarms: healthAlarmsOf(records),
    clusters: clusters.map((c) => ({
      region: c.region,
      clusterName: c.clusterName,
      status: c.status,
      containerInsights: c.containerInsights,
    })),
    services: services.map((s) => ({
      region: s.region,
      clusterName: s.clusterName,
      serviceName: s.serviceName,
      desiredCount: s.desiredCount,
    })),
    now: ctx.now(),
  };
}

/**
 * The secrets drift of every migrated target (tagged `ecsops:secrets-source`): `findSecretsDrift`
 * of `secrets drift`, with one read cache, so a path several definitions share is listed once.
 * A source it could not compare is an unreadable part.
 */
async function auditDrift(
  ctx: CommandContext,
  account: string,
  targets: readonly AuditTarget[],
  fix: FixCommand,
  unreadable: AuditUnreadable[],
): Promise<AuditFinding[]> {
  const reads = createSecretsDriftReads();
  const tagged = targets.filter((t) => t.record.tags.some((tag) => tag.key === SECRETS_SOURCE_TAG));
  const settled = await mapConcurrent(
    tagged,
    ctx.global.concurrency,
    (t) => findSecretsDrift(ctx, t.region, t.record, reads),
    ctx.signal,
  );
  const findings: AuditFinding[] = [];
  tagged.forEach((t, i) => {
    const s = settledOrInterrupted(settled[i]);
    if (s.status === 'rejected') {
      unreadable.push(partError(account, t.region, 'drift', s.reason, t.label));
      return;
    }
    for (const problem of s.value.problems)
      unreadable.push({ account, region: t.region, part: 'drift', resource: t.label, message: problem });
    findings.push(
      ...findDriftFindings({
        account,
        region: t.region,
        taskDefinition: { label: t.label, arn: t.arn },
        services: t.services,
        items: s.value.items,
        fix,
      }),
    );
  });
  return findings;
}
