/**
 * `ecsops cost rightsize`: per Fargate service, the peak CPU and memory use from Container Insights
 * over --days, and the smallest valid Fargate size that holds it plus headroom, with what that saves
 * a month. Read-only. Exit 1 when a recommendation exists, so a runbook can gate on it. Rules:
 * docs/pricing.md "Right-sizing".
 */
import { CONTAINER_INSIGHTS_NAMESPACE, type MetricQuery } from '../aws/cloudwatch.js';
import { mapConcurrent } from '../core/concurrency.js';
import { estimateCost } from '../core/cost/cost.js';
import type { ResolvedPrices } from '../core/cost/prices.js';
import {
  finestPeriodSeconds,
  perTaskUsage,
  planRightsize,
  type RightsizeOutcome,
  type UsageSummary,
} from '../core/cost/rightsize.js';
import { placementOf, platformOf } from '../core/cost/rows.js';
import { ExitCode, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import type { CommandContext } from './context.js';
import { type PriceChoice, resolvePrices, warnFallbacks } from './cost-prices.js';
import { readCostTargets, type ServiceTarget } from './cost-read.js';
import { describeError } from './describe-error.js';
import { resolveRegions } from './regions.js';

export interface CostRightsizeOptions {
  clusters: string[];
  days: number;
  /** 0.25 = 25 %. */
  headroom: number;
  prices: PriceChoice;
}

export interface RightsizeRow {
  region: string;
  clusterName: string;
  serviceName: string;
  taskDefinition: string;
  desiredCount: number;
  current: { cpu: number; memory: number } | null;
  status: 'resize' | 'keep' | 'no-data' | 'not-applicable';
  recommended: { cpu: number; memory: number } | null;
  reason: string;
  underSized: boolean;
  usage: { cpu: UsageSummary; memory: UsageSummary } | null;
  datapoints: number;
  monthly: { current: number | null; recommended: number | null };
  /** current − recommended; negative when the service should grow. Null when a rate is unknown. */
  monthlySaving: number | null;
}

export interface CostRightsizeResult extends CommandResult {
  regions: string[];
  days: number;
  periodSeconds: number;
  headroom: number;
  window: { start: string; end: string };
  prices: ResolvedPrices[];
  services: RightsizeRow[];
  errors: { region: string; cluster?: string | undefined; message: string }[];
}

const METRICS = ['CpuUtilized', 'CpuReserved', 'MemoryUtilized', 'MemoryReserved'] as const;

function monthlyAt(
  target: ServiceTarget,
  size: { cpu: number; memory: number },
  prices: ResolvedPrices | undefined,
): number | null {
  const shape = target.shape;
  const platform = shape && platformOf(shape);
  const placement = placementOf(
    target.service.desiredCount,
    target.service.launchType,
    target.service.capacityProviderStrategy,
  );
  if (!shape || !platform || placement.kind !== 'fargate') return null;
  return estimateCost(
    {
      tasks: target.service.desiredCount,
      cpu: size.cpu,
      memory: size.memory,
      platform,
      ephemeralStorageGiB: shape.ephemeralStorageGiB,
      split: { onDemand: placement.onDemand, spot: placement.spot },
      spotEligible: false,
    },
    prices?.rates,
  ).monthly.current;
}

function rowOf(
  target: ServiceTarget,
  outcome: RightsizeOutcome | { status: 'not-applicable'; reason: string },
  prices: ResolvedPrices | undefined,
): RightsizeRow {
  const current =
    target.shape?.cpu !== undefined && target.shape.memory !== undefined
      ? { cpu: target.shape.cpu, memory: target.shape.memory }
      : null;
  const recommended = 'recommended' in outcome ? outcome.recommended : null;
  const costNow = current ? monthlyAt(target, current, prices) : null;
  const costThen = recommended ? monthlyAt(target, recommended, prices) : null;
  return {
    region: target.cluster.region,
    clusterName: target.cluster.clusterName,
    serviceName: target.service.serviceName,
    taskDefinition: target.service.taskDefinition,
    desiredCount: target.service.desiredCount,
    current,
    status: outcome.status,
    recommended,
    reason: outcome.reason,
    underSized: 'underSized' in outcome ? outcome.underSized : false,
    usage: 'cpu' in outcome ? { cpu: outcome.cpu, memory: outcome.memory } : null,
    datapoints: 'datapoints' in outcome ? outcome.datapoints : 0,
    monthly: { current: costNow, recommended: recommended ? costThen : null },
    monthlySaving: costNow !== null && costThen !== null ? costNow - costThen : null,
  };
}

/** `ecsops cost rightsize`. */
export async function runCostRightsize(
  options: CostRightsizeOptions,
  ctx: CommandContext,
): Promise<CostRightsizeResult> {
  const regions = await resolveRegions(ctx);
  const periodSeconds = finestPeriodSeconds(options.days);
  // Whole periods only: the newest, still-filling period would read low.
  const end = Math.floor(ctx.now() / (periodSeconds * 1000)) * periodSeconds * 1000;
  const start = end - options.days * 86_400_000;
  const expectedPeriods = (options.days * 86_400) / periodSeconds;

  const [read, prices] = await Promise.all([
    readCostTargets(ctx, regions, options.clusters, false),
    resolvePrices(ctx, regions, options.prices),
  ]);
  warnFallbacks(ctx, prices);
  const errors = [...read.errors];
  const services = read.targets.filter((t): t is ServiceTarget => t.kind === 'service');

  const settled = await mapConcurrent(
    regions,
    ctx.global.concurrency,
    async (region): Promise<RightsizeRow[]> => {
      const here = services.filter((s) => s.cluster.region === region);
      const rows: RightsizeRow[] = [];
      const measured: { target: ServiceTarget; index: number }[] = [];
      for (const target of here) {
        const placement = placementOf(
          target.service.desiredCount,
          target.service.launchType,
          target.service.capacityProviderStrategy,
        );
        const reason = !target.shape
          ? `task definition not read: ${target.shapeError ?? 'unknown error'}`
          : placement.kind !== 'fargate'
            ? 'on EC2 instances: Fargate sizes do not apply'
            : target.shape.cpu === undefined || target.shape.memory === undefined
              ? 'the task definition sets no task cpu/memory'
              : undefined;
        if (reason) rows.push(rowOf(target, { status: 'not-applicable', reason }, prices.get(region)));
        else measured.push({ target, index: measured.length });
      }
      if (measured.length === 0) return rows;
      const queries: MetricQuery[] = measured.flatMap(({ target, index }) =>
        METRICS.map((metricName) => ({
          id: `s${index}_${metricName.toLowerCase()}`,
          namespace: CONTAINER_INSIGHTS_NAMESPACE,
          metricName,
          dimensions: [
            { name: 'ClusterName', value: target.cluster.clusterName },
            { name: 'ServiceName', value: target.service.serviceName },
          ],
          // Sums over the service's samples: utilized / reserved is then the share in use either way
          // Container Insights aggregates (per task or per service).
          stat: 'Sum',
        })),
      );
      const cloudwatch = await ctx.aws.cloudwatch(region);
      const series = await cloudwatch.getMetricValues(queries, {
        start: new Date(start),
        end: new Date(end),
        periodSeconds,
      });
      const empty = { timestamps: [], values: [] };
      for (const { target, index } of measured) {
        const get = (m: (typeof METRICS)[number]) => series.get(`s${index}_${m.toLowerCase()}`) ?? empty;
        const shape = target.shape!;
        const outcome = planRightsize({
          current: { cpu: shape.cpu!, memory: shape.memory! },
          windows: shape.operatingSystem === 'windows',
          containers: shape.containers,
          headroom: options.headroom,
          usage: {
            cpu: perTaskUsage(get('CpuUtilized'), get('CpuReserved'), shape.cpu!),
            memory: perTaskUsage(get('MemoryUtilized'), get('MemoryReserved'), shape.memory!),
            expectedPeriods,
            periodSeconds,
          },
        });
        rows.push(rowOf(target, outcome, prices.get(region)));
      }
      return rows;
    },
    ctx.signal,
  );
  const rows: RightsizeRow[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'not-started')
      throw new InterruptedError('Interrupted while reading: nothing was changed.');
    if (s.status === 'fulfilled') rows.push(...s.value);
    else errors.push({ region: regions[i] as string, message: describeError(s.reason) });
  });
  for (const e of errors) ctx.out.error(`${e.region}${e.cluster ? ` ${e.cluster}` : ''}: ${e.message}`);
  rows.sort(
    (a, b) =>
      a.region.localeCompare(b.region) ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.serviceName.localeCompare(b.serviceName),
  );
  return {
    exitCode: errors.length
      ? ExitCode.aws
      : rows.some((r) => r.status === 'resize')
        ? ExitCode.findings
        : ExitCode.ok,
    regions,
    days: options.days,
    periodSeconds,
    headroom: options.headroom,
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    prices: [...prices.values()],
    services: rows,
    errors,
  };
}
