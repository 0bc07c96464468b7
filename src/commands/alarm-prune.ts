import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import {
  type AlarmRecord,
  type AlarmServiceState,
  managedTargetOf,
  planAlarmPrune,
} from '../core/alarm/plan.js';
import { ResourceNotFoundError } from '../errors.js';
import { type AlarmDeleteResult, applyDeletions } from './alarm-delete.js';
import { readAlarmRecords } from './alarm-list.js';
import type { MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { readAll } from './read-all.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm prune`. */
export interface AlarmPruneOptions extends MutatingOptions {
  /** Only alarms of these clusters; empty = every managed alarm. */
  clusters: string[];
  namePrefix?: string | undefined;
}

/** `ecsops alarm prune`: deletes managed alarms whose service is gone or now at desired 0. */
export async function runAlarmPrune(
  options: AlarmPruneOptions,
  ctx: CommandContext,
): Promise<AlarmDeleteResult> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length) throw regionErrors[0]?.error;
  const clusters = new Set(options.clusters);

  // Describe exactly the services the alarms watch (10 a call), per region and cluster.
  const managed: AlarmRecord[] = [];
  const groups = new Map<string, { region: string; clusterName: string; services: Set<string> }>();
  for (const r of records) {
    const target = managedTargetOf(r.tags);
    if (!target || (clusters.size && !clusters.has(target.clusterName))) continue;
    managed.push(r);
    const key = `${r.region}\u0000${target.clusterName}`;
    const group = groups.get(key) ?? {
      region: r.region,
      clusterName: target.clusterName,
      services: new Set(),
    };
    group.services.add(target.serviceName);
    groups.set(key, group);
  }
  const perCluster = await readAll(ctx, [...groups.values()], async (g): Promise<AlarmServiceState[]> => {
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
  });
  return applyDeletions(ctx, options, planAlarmPrune(managed, perCluster.flat()), managed);
}
