import { mapConcurrent } from '../core/concurrency.js';
import { type ClusterState, clusterNameOf, regionOfArn } from '../core/ecs-types.js';
import { InputError, InterruptedError } from '../errors.js';
import type { CommandContext } from './context.js';

/** What reading clusters across regions found. */
export interface ClusterReadResult {
  clusters: ClusterState[];
  /** Requested names/ARNs found in none of the regions searched. */
  missing: string[];
  /** Regions that could not be read; the others were. */
  regionErrors: { region: string; error: unknown }[];
}

/**
 * Reads clusters with their settings in every region, concurrently: all of them (ListClusters +
 * DescribeClusters in batches of 100) or the named ones. An ARN is looked up only in its own region.
 */
export async function readClusters(
  ctx: CommandContext,
  regions: readonly string[],
  selection: { names: readonly string[] } | { all: true },
): Promise<ClusterReadResult> {
  const names = 'names' in selection ? selection.names : [];
  const arnRegions = names.map((n) => regionOfArn(n)).filter((r): r is string => Boolean(r));
  const searchRegions = [...new Set([...regions, ...arnRegions])];
  const foundNames = new Set<string>();
  const result: ClusterReadResult = { clusters: [], missing: [], regionErrors: [] };

  const settled = await mapConcurrent(
    searchRegions,
    ctx.global.concurrency,
    async (region) => {
      const ecs = await ctx.aws.ecs(region);
      if (!('names' in selection)) {
        const arns = await ecs.listClusterArns();
        return arns.length ? (await ecs.describeClusters(arns)).clusters : [];
      }
      const here = names.filter((n) => {
        const r = regionOfArn(n);
        return r ? r === region : regions.includes(region);
      });
      if (here.length === 0) return [];
      const out = await ecs.describeClusters(here);
      for (const c of out.clusters) {
        for (const n of here) if (n === c.clusterArn || n === c.clusterName) foundNames.add(n);
      }
      return out.clusters;
    },
    ctx.signal,
  );
  settled.forEach((s, i) => {
    const region = searchRegions[i] as string;
    if (s.status === 'fulfilled') result.clusters.push(...s.value);
    else if (s.status === 'rejected') result.regionErrors.push({ region, error: s.reason });
  });
  // Ctrl-C before every region was read: a name would look "not found" that was only not looked up.
  if (settled.some((s) => s.status === 'not-started')) throw interruptedWhileReading();
  // A name is missing only if every region it was looked up in answered without it.
  if (result.regionErrors.length === 0) {
    result.missing = names
      .filter((n) => !foundNames.has(n))
      .map((n) => (n.startsWith('arn:') ? n : clusterNameOf(n)));
  }
  return result;
}

/**
 * Fails the run, before anything is written, when a named cluster was found nowhere (exit 2) or when
 * no region could be read at all (no credentials, no network): one clear error, not an empty result.
 */
export function assertClustersRead(read: ClusterReadResult, regions: readonly string[]): void {
  if (read.missing.length) {
    throw new InputError(`Cluster not found: ${read.missing.join(', ')} (searched ${regions.join(', ')})`, {
      hint: 'Nothing was changed. Check the name or --region; list clusters with: ecsops insights status',
    });
  }
  if (read.regionErrors.length && read.clusters.length === 0 && read.regionErrors.length >= regions.length) {
    throw read.regionErrors[0]?.error;
  }
}

/** Reads the named clusters; an unknown name or any unreadable region is an error. */
export async function readNamedClusters(
  ctx: CommandContext,
  regions: readonly string[],
  names: readonly string[],
): Promise<ClusterState[]> {
  const read = await readClusters(ctx, regions, { names });
  if (read.regionErrors.length) throw read.regionErrors[0]?.error;
  assertClustersRead(read, regions);
  return read.clusters;
}

function interruptedWhileReading(): InterruptedError {
  return new InterruptedError('Interrupted while reading: nothing was changed.');
}
