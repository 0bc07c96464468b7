/** Pure planning for `ecsops insights enable|disable`: current settings in, changes out. */
import type { ClusterState, InsightsLevel } from './ecs-types.js';

/** enhanced includes everything enabled does, so it ranks higher: "at the requested level or above" is a no-op. */
const RANK: Record<InsightsLevel, number> = { disabled: 0, enabled: 1, enhanced: 2 };

/** One planned write. */
export type InsightsChange =
  | {
      kind: 'update-cluster-setting';
      region: string;
      clusterName: string;
      clusterArn: string;
      from: InsightsLevel;
      to: InsightsLevel;
      /** EC2 container instances registered; only these can have a too-old agent. */
      containerInstances: number;
    }
  | { kind: 'put-account-setting-default'; region: string; from: InsightsLevel; to: InsightsLevel };

/** A target that needs nothing, and why (the normal result of a second run). */
export interface InsightsUnchanged {
  region: string;
  target: string;
  current: InsightsLevel;
  reason: string;
}

export interface InsightsPlan {
  changes: InsightsChange[];
  unchanged: InsightsUnchanged[];
}

/** Decides whether `current` must change to reach `target`; never downgrades enhanced unless allowed. */
export function decideLevelChange(
  current: InsightsLevel,
  target: InsightsLevel,
  allowDowngrade: boolean,
): { change: true } | { change: false; reason: string } {
  if (current === target) return { change: false, reason: `already ${current}` };
  // `disable` asks for disabled explicitly; that is the user's request, not a downgrade to guard.
  if (target === 'disabled') return { change: true };
  if (RANK[current] > RANK[target] && !allowDowngrade) {
    return {
      change: false,
      reason: `already ${current}, above ${target} (use --allow-downgrade to lower it)`,
    };
  }
  return { change: true };
}

/** Plans the cluster and account-default writes for a requested level. */
export function planInsightsChanges(input: {
  clusters: readonly ClusterState[];
  accountDefaults: readonly { region: string; value: InsightsLevel }[];
  target: InsightsLevel;
  allowDowngrade: boolean;
}): InsightsPlan {
  const plan: InsightsPlan = { changes: [], unchanged: [] };
  for (const d of input.accountDefaults) {
    const decision = decideLevelChange(d.value, input.target, input.allowDowngrade);
    if (decision.change) {
      plan.changes.push({
        kind: 'put-account-setting-default',
        region: d.region,
        from: d.value,
        to: input.target,
      });
    } else {
      plan.unchanged.push({
        region: d.region,
        target: 'account default',
        current: d.value,
        reason: decision.reason,
      });
    }
  }
  const sorted = [...input.clusters].sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
  for (const c of sorted) {
    const decision = decideLevelChange(c.containerInsights, input.target, input.allowDowngrade);
    if (decision.change) {
      plan.changes.push({
        kind: 'update-cluster-setting',
        region: c.region,
        clusterName: c.clusterName,
        clusterArn: c.clusterArn,
        from: c.containerInsights,
        to: input.target,
        containerInstances: c.registeredContainerInstancesCount,
      });
    } else {
      plan.unchanged.push({
        region: c.region,
        target: c.clusterName,
        current: c.containerInsights,
        reason: decision.reason,
      });
    }
  }
  return plan;
}

/** Container Insights needs ECS agent 1.29.0 or later on EC2 container instances. */
export const MIN_INSIGHTS_AGENT_VERSION = '1.29.0';

/** Compares dotted versions numerically (`1.9.0` < `1.29.0`); a leading `v` is ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => Number.parseInt(p, 10) || 0);
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Container instances whose agent is too old to report Container Insights (unknown versions count as old). */
export function findOutdatedAgents<T extends { agentVersion: string | undefined }>(
  instances: readonly T[],
  minimum = MIN_INSIGHTS_AGENT_VERSION,
): T[] {
  return instances.filter((i) => !i.agentVersion || compareVersions(i.agentVersion, minimum) < 0);
}

/** The plan as `+ ~ -` lines: `~` for a setting change. */
export function describeInsightsChange(change: InsightsChange): string {
  if (change.kind === 'put-account-setting-default') {
    return `${change.region} account default (new clusters): containerInsights ${change.from} -> ${change.to}`;
  }
  return `${change.region} ${change.clusterName}: containerInsights ${change.from} -> ${change.to}`;
}
