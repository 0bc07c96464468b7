/**
 * `ecsops cost report`: what each Fargate service (and, with --include-tasks, each group of
 * standalone tasks) costs a month now, on demand, all on Spot, on Graviton and under Compute Savings
 * Plans, with the Spot verdict. Read-only: no write call at all. Conventions: docs/pricing.md.
 */
import { HOURS_PER_MONTH, type MonthlyCosts } from '../core/cost/cost.js';
import type { ResolvedPrices } from '../core/cost/prices.js';
import { type Placement, placementOf, priceRow, type TaskShape } from '../core/cost/rows.js';
import type { SpotBlocker } from '../core/cost/spot.js';
import { ExitCode } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import type { CommandContext } from './context.js';
import { type PriceChoice, resolvePrices, warnFallbacks } from './cost-prices.js';
import { type CostTarget, readCostTargets } from './cost-read.js';
import { resolveRegions } from './regions.js';

export interface CostReportOptions {
  /** Names or ARNs; empty means every cluster. */
  clusters: string[];
  includeTasks: boolean;
  prices: PriceChoice;
}

/** One row of the report. */
export interface CostRow {
  kind: 'service' | 'task-group';
  region: string;
  clusterName: string;
  /** Service name, or the task group (`family:batch`, `startedBy:...`). */
  name: string;
  taskDefinition: string;
  launch: Placement;
  tasks: { desired: number; running: number };
  /** Task CPU units and MiB as in the task definition; null when it says neither. */
  cpu: number | null;
  memory: number | null;
  cpuArchitecture: TaskShape['cpuArchitecture'] | null;
  operatingSystemFamily: string | null;
  ephemeralStorageGiB: number | null;
  monthly: MonthlyCosts | null;
  /** Per scenario: the rates that are unknown, or why it does not apply. */
  unknown: Partial<Record<keyof MonthlyCosts, string[]>>;
  /** Why the row has no price at all (EC2 launch type, unreadable task definition). */
  notPriced?: string | undefined;
  spotEligible: boolean;
  spotBlockers: SpotBlocker[];
  spotChecks: string[];
}

/** A sum of one scenario over rows, with the count of rows whose value is unknown. */
export interface CostTotal {
  usd: number;
  /** Fargate rows summed over, and those among them whose value is unknown (left out of usd). */
  rows: number;
  unknownRows: number;
}

export type CostTotals = Record<keyof MonthlyCosts, CostTotal>;

export interface CostReportResult extends CommandResult {
  regions: string[];
  hoursPerMonth: number;
  prices: ResolvedPrices[];
  rows: CostRow[];
  totals: { clusters: { region: string; clusterName: string; totals: CostTotals }[]; overall: CostTotals };
  errors: { region: string; cluster?: string | undefined; message: string }[];
}

const SCENARIOS: (keyof MonthlyCosts)[] = [
  'current',
  'onDemand',
  'allSpot',
  'arm64',
  'savingsPlan1y',
  'savingsPlan3y',
  'best',
];

/** Sums each scenario over the Fargate rows (EC2 rows are not a Fargate cost and are left out). */
export function totalsOf(rows: readonly CostRow[]): CostTotals {
  const totals = Object.fromEntries(
    SCENARIOS.map((s) => [s, { usd: 0, rows: 0, unknownRows: 0 }]),
  ) as CostTotals;
  for (const row of rows) {
    if (row.launch.kind !== 'fargate') continue;
    for (const s of SCENARIOS) {
      const value = row.monthly?.[s];
      totals[s].rows++;
      if (value === null || value === undefined) totals[s].unknownRows++;
      else totals[s].usd += value;
    }
  }
  return totals;
}

/** Prices one target at its region's rates. */
export function costRowOf(target: CostTarget, prices: ResolvedPrices | undefined): CostRow {
  const { shape } = target;
  const desired = target.kind === 'service' ? target.service.desiredCount : target.tasks.length;
  const running = target.kind === 'service' ? target.service.runningCount : target.tasks.length;
  let launch: Placement;
  if (target.kind === 'service') {
    launch = placementOf(desired, target.service.launchType, target.service.capacityProviderStrategy);
  } else {
    const spot = target.tasks.filter((t) => t.capacityProviderName === 'FARGATE_SPOT').length;
    const fargate = target.tasks.filter(
      (t) => t.capacityProviderName === 'FARGATE' || (!t.capacityProviderName && t.launchType === 'FARGATE'),
    ).length;
    launch =
      spot + fargate === target.tasks.length
        ? {
            kind: 'fargate',
            label: spot ? (fargate ? 'FARGATE + FARGATE_SPOT' : 'FARGATE_SPOT') : 'FARGATE',
            split: [
              { capacityProvider: 'FARGATE', tasks: fargate },
              { capacityProvider: 'FARGATE_SPOT', tasks: spot },
            ].filter((p) => p.tasks > 0),
            onDemand: fargate,
            spot,
          }
        : { kind: 'ec2', label: target.tasks[0]?.launchType ?? 'EC2' };
  }
  const base = {
    kind: target.kind,
    region: target.cluster.region,
    clusterName: target.cluster.clusterName,
    name: target.kind === 'service' ? target.service.serviceName : target.group,
    taskDefinition: target.kind === 'service' ? target.service.taskDefinition : target.taskDefinition,
    launch,
    tasks: { desired, running },
    cpu: shape?.cpu ?? null,
    memory: shape?.memory ?? null,
    cpuArchitecture: shape?.cpuArchitecture ?? null,
    operatingSystemFamily: shape?.operatingSystemFamily ?? null,
    // Ephemeral storage is a Fargate allowance; on EC2 it is the instance's disk.
    ephemeralStorageGiB: launch.kind === 'fargate' ? (shape?.ephemeralStorageGiB ?? null) : null,
  };
  if (!shape) {
    return {
      ...base,
      monthly: null,
      unknown: {},
      notPriced: `task definition not read: ${target.shapeError ?? 'unknown error'}`,
      spotEligible: false,
      spotBlockers: [],
      spotChecks: [],
    };
  }
  const priced = priceRow(
    {
      tasks: desired,
      shape,
      placement: launch,
      spot: {
        fargate: launch.kind === 'fargate',
        windows: shape.operatingSystem === 'windows',
        arm64: shape.cpuArchitecture === 'arm64',
        platformVersion: target.kind === 'service' ? target.service.platformVersion : undefined,
        schedulingStrategy: target.kind === 'service' ? target.service.schedulingStrategy : undefined,
        desiredCount: desired,
        minimumHealthyPercent: target.kind === 'service' ? target.service.minimumHealthyPercent : undefined,
        stopTimeouts: shape.stopTimeouts,
        loadBalanced: target.kind === 'service' && (target.service.targetGroupArns?.length ?? 0) > 0,
        standalone: target.kind === 'task-group',
      },
    },
    prices?.rates,
  );
  const unknown = { ...(priced.cost?.unknown ?? {}) };
  if (priced.cost && !prices?.rates) {
    for (const s of SCENARIOS)
      if (unknown[s]) unknown[s] = [`no rates for ${base.region} in the price table`];
  }
  return {
    ...base,
    monthly: priced.cost?.monthly ?? null,
    unknown,
    ...(priced.notPriced ? { notPriced: priced.notPriced } : {}),
    spotEligible: priced.spot.spotEligible,
    spotBlockers: priced.spot.spotBlockers,
    spotChecks: priced.spot.spotChecks,
  };
}

/** `ecsops cost report`. */
export async function runCostReport(
  options: CostReportOptions,
  ctx: CommandContext,
): Promise<CostReportResult> {
  const regions = await resolveRegions(ctx);
  const [read, prices] = await Promise.all([
    readCostTargets(ctx, regions, options.clusters, options.includeTasks),
    resolvePrices(ctx, regions, options.prices),
  ]);
  warnFallbacks(ctx, prices);
  for (const e of read.errors) ctx.out.error(`${e.region}${e.cluster ? ` ${e.cluster}` : ''}: ${e.message}`);
  const rows = read.targets.map((t) => costRowOf(t, prices.get(t.cluster.region)));
  const clusterKeys = [...new Map(rows.map((r) => [`${r.region} ${r.clusterName}`, r])).values()];
  return {
    exitCode: read.errors.length ? ExitCode.aws : ExitCode.ok,
    regions,
    hoursPerMonth: HOURS_PER_MONTH,
    prices: [...prices.values()],
    rows,
    totals: {
      clusters: clusterKeys.map((k) => ({
        region: k.region,
        clusterName: k.clusterName,
        totals: totalsOf(rows.filter((r) => r.region === k.region && r.clusterName === k.clusterName)),
      })),
      overall: totalsOf(rows),
    },
    errors: read.errors,
  };
}
