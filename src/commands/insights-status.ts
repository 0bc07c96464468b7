import { mapConcurrent } from '../core/concurrency.js';
import type { InsightsLevel } from '../core/ecs-types.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../output/table.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { assertClustersRead, readClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

export interface InsightsStatusOptions {
  /** Names or ARNs; empty means every cluster. */
  clusters: string[];
}

/** `ecsops insights status`: clusters with their containerInsights value, and each region's account default. */
export async function runInsightsStatus(
  options: InsightsStatusOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
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
  if (ctx.out.jsonMode) {
    ctx.out.json({
      regions: defaults.map((d) => ({ region: d.region, accountDefault: d.value })),
      clusters: clusters.map((c) => ({
        region: c.region,
        clusterName: c.clusterName,
        clusterArn: c.clusterArn,
        status: c.status,
        containerInsights: c.containerInsights,
      })),
      errors: read.regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
    });
  } else {
    const color = (v: InsightsLevel) =>
      v === 'disabled' ? ctx.out.colors.yellow(v) : ctx.out.colors.green(v);
    ctx.out.result(
      clusters.length
        ? renderTable(
            ['REGION', 'CLUSTER', 'CONTAINER INSIGHTS', 'STATUS'],
            clusters.map((c) => [c.region, c.clusterName, color(c.containerInsights), c.status]),
          )
        : `No clusters in ${regions.join(', ')}.`,
    );
    ctx.out.result(
      `\nAccount default for new clusters:\n${defaults.map((d) => `  ${d.region}: ${d.value === 'unknown' ? d.value : color(d.value)}`).join('\n')}`,
    );
  }
  return read.regionErrors.length ? ExitCode.aws : ExitCode.ok;
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
