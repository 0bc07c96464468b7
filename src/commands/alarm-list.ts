import { alarmNameSearchPrefix, DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import {
  type AlarmRecord,
  type AlarmServiceState,
  isManagedAlarm,
  managedTargetOf,
} from '../core/alarm/plan.js';
import { mapConcurrent } from '../core/concurrency.js';
import type { ClusterState } from '../core/ecs-types.js';
import { CLOUDWATCH_WRITE_TPS, createPacer, type Pacer } from '../core/pacer.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../output/table.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm list`. */
export interface AlarmListOptions {
  /** Only alarms watching these clusters (by the ecsops:cluster tag); empty = all. */
  clusters: string[];
  namePrefix?: string | undefined;
}

/**
 * Reads the alarms under `prefix` in each region with their tags (DescribeAlarms by prefix, then
 * ListTagsForResource per alarm: tags are the only reliable mark of an ecsops alarm).
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
      const alarms = await cloudwatch.describeAlarmsByPrefix(alarmNameSearchPrefix(prefix));
      const tagged = await mapConcurrent(
        alarms,
        ctx.global.concurrency,
        async (alarm) => (alarm.AlarmArn ? cloudwatch.listAlarmTags(alarm.AlarmArn) : []),
        ctx.signal,
      );
      return alarms.map((alarm, i): AlarmRecord => {
        const tags = tagged[i];
        if (tags?.status === 'rejected') throw tags.reason;
        return {
          region,
          alarmName: alarm.AlarmName,
          alarmArn: alarm.AlarmArn ?? '',
          tags: tags?.status === 'fulfilled' ? tags.value : [],
          stateValue: alarm.StateValue,
          stateReason: alarm.StateReason,
        };
      });
    },
    ctx.signal,
  );
  const records: AlarmRecord[] = [];
  perRegion.forEach((s, i) => {
    if (s.status === 'fulfilled') records.push(...s.value);
    else if (s.status === 'rejected') regionErrors.push({ region: regions[i] as string, error: s.reason });
  });
  return { records, regionErrors };
}

/** The ACTIVE services of clusters: all of them, or the named ones (`missing` lists names not found). */
export async function readServices(
  ctx: CommandContext,
  clusters: readonly ClusterState[],
  names: readonly string[] | 'all',
): Promise<{ services: AlarmServiceState[]; missing: string[] }> {
  const settled = await mapConcurrent(
    clusters,
    ctx.global.concurrency,
    async (cluster) => {
      const ecs = await ctx.aws.ecs(cluster.region);
      const wanted = names === 'all' ? await ecs.listServiceArns(cluster.clusterArn) : names;
      if (wanted.length === 0) return { services: [], missing: [] };
      const out = await ecs.describeServices(cluster.clusterArn, wanted);
      return {
        services: out.services.map((s) => ({
          region: s.region,
          clusterName: cluster.clusterName,
          serviceName: s.serviceName,
          desiredCount: s.desiredCount,
        })),
        missing: out.missing.map((m) => `${cluster.clusterName}/${m}`),
      };
    },
    ctx.signal,
  );
  const result = { services: [] as AlarmServiceState[], missing: [] as string[] };
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    if (s.status === 'fulfilled') {
      result.services.push(...s.value.services);
      result.missing.push(...s.value.missing);
    }
  }
  return result;
}

/** One token-bucket pacer per region and write operation, all at CloudWatch's 3 TPS. */
export function createWritePacers(ctx: CommandContext): (region: string, operation: string) => Pacer {
  const pacers = new Map<string, Pacer>();
  return (region, operation) => {
    const key = `${region} ${operation}`;
    let pacer = pacers.get(key);
    if (!pacer) {
      pacer = createPacer({ ratePerSecond: CLOUDWATCH_WRITE_TPS }, { now: ctx.now, sleep: ctx.sleep });
      pacers.set(key, pacer);
    }
    return pacer;
  };
}

/** `ecsops alarm list`: the managed alarms with their state, reason and the service each watches. */
export async function runAlarmList(options: AlarmListOptions, ctx: CommandContext): Promise<ExitCode> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length && regionErrors.length === regions.length) throw regionErrors[0]?.error;
  for (const e of regionErrors)
    ctx.out.error(`${e.region}: could not read alarms: ${describeError(e.error)}`);

  const alarms = records
    .filter((r) => isManagedAlarm(r.tags))
    .map((r) => ({ ...r, target: managedTargetOf(r.tags) }))
    .filter(
      (r) => options.clusters.length === 0 || (r.target && options.clusters.includes(r.target.clusterName)),
    )
    .sort((a, b) => a.region.localeCompare(b.region) || a.alarmName.localeCompare(b.alarmName));

  if (ctx.out.jsonMode) {
    ctx.out.json({
      regions,
      alarms: alarms.map((a) => ({
        region: a.region,
        alarmName: a.alarmName,
        alarmArn: a.alarmArn,
        clusterName: a.target?.clusterName,
        serviceName: a.target?.serviceName,
        state: a.stateValue,
        reason: a.stateReason,
      })),
      errors: regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
    });
  } else if (alarms.length === 0) {
    ctx.out.result(`No ecsops alarms under ${prefix}- in ${regions.join(', ')}.`);
  } else {
    const colour = (state: string | undefined) =>
      state === 'ALARM'
        ? ctx.out.colors.red(state)
        : state === 'OK'
          ? ctx.out.colors.green(state)
          : ctx.out.colors.yellow(state ?? '?');
    ctx.out.result(
      renderTable(
        ['REGION', 'CLUSTER', 'SERVICE', 'STATE', 'ALARM', 'REASON'],
        alarms.map((a) => [
          a.region,
          a.target?.clusterName ?? '',
          a.target?.serviceName ?? '',
          colour(a.stateValue),
          a.alarmName,
          a.stateReason ?? '',
        ]),
      ),
    );
  }
  return regionErrors.length ? ExitCode.aws : ExitCode.ok;
}
