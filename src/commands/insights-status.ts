import { mapConcurrent } from '../core/concurrency.js';
import type { ClusterState, InsightsLevel } from '../core/ecs-types.js';
import { ExitCode, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { assertClustersRead, readClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

export interface InsightsStatusOptions {
  /** Names or ARNs; empty means every cluster. */
  clusters: string[];
}

/** The typed result of `insights status`. */
export interface InsightsStatusResult extends CommandResult {
  regions: string[];
  accountDefaults: { region: string; value: InsightsLevel | 'unknown' }[];
  clusters: ClusterState[];
  errors: { region: string; message: string }[];
}

/** `ecsops insights status`: clusters with their containerInsights value, and each region's account default. */
export async function runInsightsStatus(
  options: InsightsStatusOptions,
  ctx: CommandContext,
): Promise<InsightsStatusResult> {
  const regions = await resolveRegions(ctx);
  const selection = options.clusters.length ? { names: options.clusters } : ({ all: true } as const);
  // Both reads at once: cold-start latency is most of what a status run costs.
  const [read, defaults] = await Promise.all([
    readClusters(ctx, regions, selection),
    readAccountDefaults(ctx, regions),
  ]);
  assertClustersRead(read, regions);
  for (const e of read.regionErrors) ctx.out.error(`${e.region}: ${describeError(e.error)}`);
  warnUnreadableDefaults(ctx, defaults);

  const clusters = [...read.clusters].sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
  return {
    exitCode: read.regionErrors.length ? ExitCode.aws : ExitCode.ok,
    regions,
    accountDefaults: defaults.map((d) => ({ region: d.region, value: d.value })),
    clusters,
    errors: read.regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
  };
}

/** The account default per region; one we may not read is `unknown` with the error, not a failure. */
export async function readAccountDefaults(
  ctx: CommandContext,
  regions: readonly string[],
): Promise<{ region: string; value: InsightsLevel | 'unknown'; error?: unknown }[]> {
  const settled = await mapConcurrent(
    regions,
    ctx.global.concurrency,
    async (region) => (await ctx.aws.ecs(region)).readInsightsAccountDefault(),
    ctx.signal,
  );
  return settled.map((s, i) => {
    const region = regions[i] as string;
    if (s.status === 'not-started')
      throw new InterruptedError('Interrupted while reading: nothing was changed.');
    if (s.status === 'fulfilled') return { region, value: s.value };
    return { region, value: 'unknown' as const, error: s.status === 'rejected' ? s.reason : undefined };
  });
}

/** Warns once per region whose account default could not be read. */
export function warnUnreadableDefaults(
  ctx: CommandContext,
  defaults: readonly { region: string; error?: unknown }[],
): void {
  for (const d of defaults) {
    if (d.error) ctx.out.warn(`${d.region}: could not read the account default: ${describeError(d.error)}`);
  }
}
