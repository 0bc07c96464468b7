import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import { type AlarmServiceState, managedTargetOf, planAlarmPrune } from '../core/alarm/plan.js';
import { mapConcurrent } from '../core/concurrency.js';
import type { ExitCode } from '../errors.js';
import { ResourceNotFoundError } from '../errors.js';
import { applyDeletions } from './alarm-delete.js';
import { readAlarmRecords } from './alarm-list.js';
import type { MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm prune`. */
export interface AlarmPruneOptions extends MutatingOptions {
  /** Only alarms of these clusters; empty = every managed alarm. */
  clusters: string[];
  namePrefix?: string | undefined;
}

/** `ecsops alarm prune`: deletes managed alarms whose service is gone or now at desired 0. */
export async function runAlarmPrune(options: AlarmPruneOptions, ctx: CommandContext): Promise<ExitCode> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length) throw regionErrors[0]?.error;
  const managed = records.filter((r) => {
    const target = managedTargetOf(r.tags);
    return target && (options.clusters.length === 0 || options.clusters.includes(target.clusterName));
  });

  // Describe exactly the services the alarms watch (10 a call), per region and cluster.
  const groups = new Map<string, { region: string; clusterName: string; services: Set<string> }>();
  for (const r of managed) {
    const target = managedTargetOf(r.tags);
    if (!target) continue;
    const key = `${r.region}\u0000${target.clusterName}`;
    const group = groups.get(key) ?? {
      region: r.region,
      clusterName: target.clusterName,
      services: new Set<string>(),
    };
    group.services.add(target.serviceName);
    groups.set(key, group);
  }
  const settled = await mapConcurrent(
    [...groups.values()],
    ctx.global.concurrency,
    async (g): Promise<AlarmServiceState[]> => {
      try {
        const out = await (await ctx.aws.ecs(g.region)).describeServices(g.clusterName, [...g.services]);
        return out.services.map((s) => ({
          region: g.region,
          clusterName: g.clusterName,
          serviceName: s.serviceName,
          desiredCount: s.desiredCount,
        }));
      } catch (error) {
        // A deleted cluster: none of its services exist any more.
        if (error instanceof ResourceNotFoundError && error.resourceType === 'Cluster') return [];
        throw error;
      }
    },
    ctx.signal,
  );
  const services: AlarmServiceState[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    if (s.status === 'fulfilled') services.push(...s.value);
  }
  return applyDeletions(ctx, options, 'alarm prune', planAlarmPrune(managed, services));
}
