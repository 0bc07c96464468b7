import {
  type AlarmHealthAlarm,
  type AlarmHealthCluster,
  type AlarmHealthInput,
  type AlarmHealthProblem,
  type AlarmHealthService,
  checkAlarmHealth,
} from '../core/alarm/health.js';
import { alarmNameSearchPrefix, DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import {
  type AlarmRecord,
  type AlarmServiceState,
  isManagedAlarm,
  managedTargetOf,
} from '../core/alarm/plan.js';
import type { ExistingMetricAlarm } from '../core/alarm/types.js';
import { mapConcurrent } from '../core/concurrency.js';
import type { ClusterState } from '../core/ecs-types.js';
import { CLOUDWATCH_WRITE_TPS, createPacer, type Pacer } from '../core/pacer.js';
import { ExitCode, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import { type ClusterEventsRuleStatus, readClusterEventsRules } from './alarm-events.js';
import { ChangeNotStarted } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAll } from './read-all.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm list`. */
export interface AlarmListOptions {
  /** Only alarms watching these clusters (by the ecsops:cluster tag); empty = all. */
  clusters: string[];
  namePrefix?: string | undefined;
  /** --check: exit 1 when an alarm cannot be trusted (checkAlarmHealth). */
  check?: boolean | undefined;
}

/** One managed alarm as `alarm list` shows it. */
export interface ListedAlarm {
  region: string;
  alarmName: string;
  alarmArn: string;
  clusterName: string | undefined;
  serviceName: string | undefined;
  state: string | undefined;
  reason: string | undefined;
}

/** The typed result of `alarm list`. */
export interface AlarmListResult extends CommandResult {
  prefix: string;
  regions: string[];
  alarms: ListedAlarm[];
  /** The events rule of each cluster the alarms watch. */
  rules: ClusterEventsRuleStatus[];
  /** With --check: what makes an alarm untrustworthy (empty = every alarm can fire). */
  problems?: AlarmHealthProblem[] | undefined;
  /** Regions that could not be read (the others were listed). */
  regionErrors: { region: string; message: string }[];
}

const interruptedWhileReading = () => new InterruptedError('Interrupted while reading: nothing was changed.');

/** Period × evaluation periods of an alarm (metric-math or single-metric), if it says. */
function evaluationSecondsOf(alarm: ExistingMetricAlarm): number | undefined {
  const period = alarm.Period ?? alarm.Metrics?.find((q) => q.MetricStat?.Period)?.MetricStat?.Period;
  return period && alarm.EvaluationPeriods ? period * alarm.EvaluationPeriods : undefined;
}

/** An alarm with its tags, as list/delete/prune read it. */
async function withTags(
  ctx: CommandContext,
  region: string,
  alarms: readonly ExistingMetricAlarm[],
): Promise<AlarmRecord[]> {
  const cloudwatch = await ctx.aws.cloudwatch(region);
  return readAll(
    ctx,
    alarms,
    async (alarm): Promise<AlarmRecord> => ({
      region,
      alarmName: alarm.AlarmName,
      alarmArn: alarm.AlarmArn ?? '',
      tags: alarm.AlarmArn ? await cloudwatch.listAlarmTags(alarm.AlarmArn) : [],
      stateValue: alarm.StateValue,
      stateReason: alarm.StateReason,
      stateSince: alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp,
      evaluationSeconds: evaluationSecondsOf(alarm),
    }),
  );
}

/**
 * Reads the alarms under `prefix` in each region with their tags (DescribeAlarms by prefix, then
 * ListTagsForResource per alarm: tags are the only reliable mark of an ecsops alarm). A region that
 * fails is reported in `regionErrors`; Ctrl-C before every alarm was read throws InterruptedError,
 * so no caller ever plans from half of the tags.
 */
export async function readAlarmRecords(
  ctx: CommandContext,
  regions: readonly string[],
  prefix: string,
): Promise<{ records: AlarmRecord[]; regionErrors: { region: string; error: unknown }[] }> {
  const regionErrors: { region: string; error: unknown }[] = [];
  const perRegion = await mapConcurrent(
    regions,
    ctx.global.concurrency,
    async (region) => {
      const cloudwatch = await ctx.aws.cloudwatch(region);
      return withTags(ctx, region, await cloudwatch.describeAlarmsByPrefix(alarmNameSearchPrefix(prefix)));
    },
    ctx.signal,
  );
  const records: AlarmRecord[] = [];
  for (const [i, region] of regions.entries()) {
    const s = perRegion[i];
    if (!s || s.status === 'not-started') throw interruptedWhileReading();
    if (s.status === 'fulfilled') records.push(...s.value);
    else if (s.reason instanceof InterruptedError) throw s.reason;
    else regionErrors.push({ region, error: s.reason });
  }
  return { records, regionErrors };
}

/** Exact-name DescribeAlarms (for names outside the prefix), with tags, in every region. */
export async function readNamedAlarmRecords(
  ctx: CommandContext,
  regions: readonly string[],
  names: readonly string[],
): Promise<AlarmRecord[]> {
  if (names.length === 0) return [];
  const perRegion = await readAll(ctx, regions, async (region) =>
    withTags(ctx, region, await (await ctx.aws.cloudwatch(region)).describeAlarmsByName(names)),
  );
  return perRegion.flat();
}

/** The ACTIVE services of clusters: all of them, or the named ones (`missing` lists names not found). */
export async function readServices(
  ctx: CommandContext,
  clusters: readonly ClusterState[],
  names: readonly string[] | 'all',
): Promise<{ services: AlarmServiceState[]; missing: string[] }> {
  const perCluster = await readAll(ctx, clusters, async (cluster) => {
    const ecs = await ctx.aws.ecs(cluster.region);
    const wanted = names === 'all' ? await ecs.listServiceArns(cluster.clusterArn) : names;
    if (wanted.length === 0) return { services: [], missing: [] };
    const out = await ecs.describeServices(cluster.clusterArn, wanted);
    return {
      services: out.services.map(
        (s): AlarmServiceState => ({
          region: s.region,
          clusterName: cluster.clusterName,
          serviceName: s.serviceName,
          desiredCount: s.desiredCount,
          runningCount: s.runningCount,
        }),
      ),
      missing: out.missing.map((m) => `${cluster.clusterName}/${m}`),
    };
  });
  return {
    services: perCluster.flatMap((c) => c.services),
    missing: perCluster.flatMap((c) => c.missing),
  };
}

/** EventBridge rule/target and SNS topic-policy writes per second, per region and operation. */
export const EVENTS_WRITE_TPS = 10;

/** Write pacing for one apply: a pacer per region and write operation (CloudWatch 3 TPS, events 10). */
export interface WritePacers {
  /**
   * The pacer for a write that starts a change. The wait for a slot ends early on Ctrl-C; the write
   * is then not sent (ChangeNotStarted, which the apply flow reports as not started).
   */
  start(region: string, operation: string): Pacer;
  /** The pacer for a follow-up write that finishes a change already under way (sent even after Ctrl-C). */
  followUp(region: string, operation: string): Pacer;
}

/** Creates the write pacers of one apply (see WritePacers). */
export function createWritePacers(ctx: CommandContext): WritePacers {
  const pacers = new Map<string, Pacer>();
  const paced = (region: string, operation: string): Pacer => {
    const key = `${region} ${operation}`;
    let pacer = pacers.get(key);
    if (!pacer) {
      // EventBridge and SNS writes (events rule, topic policy) allow far more than CloudWatch's 3
      // TPS; 10 keeps them well below EventBridge's 50 per second (docs/alarm-events.md).
      const rate = /^(events|sns):/.test(operation) ? EVENTS_WRITE_TPS : CLOUDWATCH_WRITE_TPS;
      pacer = createPacer({ ratePerSecond: rate }, { now: ctx.now, sleep: ctx.sleep });
      pacers.set(key, pacer);
    }
    return pacer;
  };
  return {
    start(region, operation) {
      const pacer = paced(region, operation);
      const acquire = async () => {
        await pacer.acquire();
        if (ctx.signal.aborted)
          throw new ChangeNotStarted('Not started: interrupted while waiting for a write slot.');
      };
      return {
        acquire,
        async run(fn) {
          await acquire();
          return fn();
        },
      };
    },
    followUp: paced,
  };
}

/** `ecsops alarm list`: the managed alarms with their state, reason and the service each watches. */
export async function runAlarmList(options: AlarmListOptions, ctx: CommandContext): Promise<AlarmListResult> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length && regionErrors.length === regions.length) throw regionErrors[0]?.error;

  const clusters = new Set(options.clusters);
  const alarms: ListedAlarm[] = [];
  for (const r of records) {
    if (!isManagedAlarm(r.tags)) continue;
    const target = managedTargetOf(r.tags);
    if (clusters.size && !(target && clusters.has(target.clusterName))) continue;
    alarms.push({
      region: r.region,
      alarmName: r.alarmName,
      alarmArn: r.alarmArn,
      clusterName: target?.clusterName,
      serviceName: target?.serviceName,
      state: r.stateValue,
      reason: r.stateReason,
    });
  }
  alarms.sort((a, b) => a.region.localeCompare(b.region) || a.alarmName.localeCompare(b.alarmName));

  const watched = watchedClusters(alarms);
  const managed = records.filter((r) => {
    const target = managedTargetOf(r.tags);
    return target && (clusters.size === 0 || clusters.has(target.clusterName));
  });
  const [rules, problems] = await Promise.all([
    readClusterEventsRules(ctx, watched),
    options.check ? readAlarmHealthInput(ctx, managed).then(checkAlarmHealth) : Promise.resolve(undefined),
  ]);
  const exitCode = regionErrors.length ? ExitCode.aws : problems?.length ? ExitCode.findings : ExitCode.ok;
  return {
    exitCode,
    prefix,
    regions,
    alarms,
    rules,
    problems,
    regionErrors: regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
  };
}

/** The distinct clusters (per region) that alarms watch, sorted. */
function watchedClusters(alarms: readonly { region: string; clusterName: string | undefined }[]) {
  const seen = new Map<string, { region: string; clusterName: string }>();
  for (const a of alarms) {
    if (a.clusterName)
      seen.set(`${a.region}\u0000${a.clusterName}`, { region: a.region, clusterName: a.clusterName });
  }
  return [...seen.values()].sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
}

/**
 * Reads what checkAlarmHealth needs for managed alarm records (from readAlarmRecords): the
 * clusters they point at (DescribeClusters, per region) and their services (DescribeServices, 10
 * a call). Exported for `ecsops audit`.
 */
export async function readAlarmHealthInput(
  ctx: CommandContext,
  records: readonly AlarmRecord[],
): Promise<AlarmHealthInput> {
  const alarms: AlarmHealthAlarm[] = records.flatMap((r) => {
    const target = managedTargetOf(r.tags);
    return target
      ? [
          {
            region: r.region,
            alarmName: r.alarmName,
            ...target,
            stateValue: r.stateValue,
            stateSince: r.stateSince,
            evaluationSeconds: r.evaluationSeconds,
          },
        ]
      : [];
  });
  const byRegion = new Map<string, Map<string, Set<string>>>();
  for (const a of alarms) {
    const clusters = byRegion.get(a.region) ?? new Map<string, Set<string>>();
    clusters.set(a.clusterName, (clusters.get(a.clusterName) ?? new Set()).add(a.serviceName));
    byRegion.set(a.region, clusters);
  }
  const perRegion = await readAll(ctx, [...byRegion.entries()], async ([region, wanted]) => {
    const ecs = await ctx.aws.ecs(region);
    const found = (await ecs.describeClusters([...wanted.keys()])).clusters;
    const active = found.filter((c) => c.status === 'ACTIVE');
    const services = await readAll(ctx, active, async (c) => {
      const out = await ecs.describeServices(c.clusterArn, [...(wanted.get(c.clusterName) ?? [])]);
      return out.services.map(
        (s): AlarmHealthService => ({
          region,
          clusterName: c.clusterName,
          serviceName: s.serviceName,
          desiredCount: s.desiredCount,
        }),
      );
    });
    return {
      clusters: found.map(
        (c): AlarmHealthCluster => ({
          region,
          clusterName: c.clusterName,
          status: c.status,
          containerInsights: c.containerInsights,
        }),
      ),
      services: services.flat(),
    };
  });
  return {
    alarms,
    clusters: perRegion.flatMap((r) => r.clusters),
    services: perRegion.flatMap((r) => r.services),
    now: ctx.now(),
  };
}
