/**
 * One report row from what ECS returned: the task size and platform from the task definition, the
 * placement (Fargate on-demand / Spot split, or EC2) from the service, then cost and Spot verdict.
 */
import type { JsonObject } from '../task-definition/json.js';
import { type CostEstimate, estimateCost, type StrategyItem, splitByStrategy } from './cost.js';
import type { Platform, RegionPrices } from './prices.js';
import type { ContainerReservation } from './rightsize.js';
import { assessSpot, type SpotVerdict } from './spot.js';

/** What a task definition says about size and platform. */
export interface TaskShape {
  family: string;
  revision: number;
  /** Task CPU units; container sum when the task sets none (EC2); undefined when neither says. */
  cpu: number | undefined;
  /** Task MiB, likewise. */
  memory: number | undefined;
  cpuArchitecture: 'x86_64' | 'arm64';
  operatingSystem: 'linux' | 'windows';
  /** The runtimePlatform.operatingSystemFamily as written (LINUX, WINDOWS_SERVER_2022_CORE...). */
  operatingSystemFamily: string;
  ephemeralStorageGiB: number;
  containers: ContainerReservation[];
  stopTimeouts: { name: string; stopTimeout: number }[];
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the fields cost and right-sizing need from a DescribeTaskDefinition document. */
export function taskShapeOf(td: JsonObject): TaskShape {
  const containers = Array.isArray(td.containerDefinitions) ? (td.containerDefinitions as JsonObject[]) : [];
  const reservations: ContainerReservation[] = containers.map((c) => ({
    name: String(c.name ?? ''),
    cpu: num(c.cpu),
    memory: num(c.memory),
    memoryReservation: num(c.memoryReservation),
  }));
  const sum = (pick: (c: ContainerReservation) => number | undefined) => {
    const values = reservations.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const platform = (td.runtimePlatform ?? {}) as JsonObject;
  const family = String(platform.operatingSystemFamily ?? 'LINUX');
  const storage = (td.ephemeralStorage ?? {}) as JsonObject;
  return {
    family: String(td.family ?? ''),
    revision: num(td.revision) ?? 0,
    cpu: num(td.cpu) ?? sum((c) => c.cpu),
    memory: num(td.memory) ?? sum((c) => c.memory ?? c.memoryReservation),
    cpuArchitecture:
      String(platform.cpuArchitecture ?? 'X86_64').toUpperCase() === 'ARM64' ? 'arm64' : 'x86_64',
    operatingSystem: family.toUpperCase().startsWith('WINDOWS') ? 'windows' : 'linux',
    operatingSystemFamily: family,
    // Fargate gives every task 20 GiB unless the task definition asks for more.
    ephemeralStorageGiB: num(storage.sizeInGiB) ?? 20,
    containers: reservations,
    stopTimeouts: containers.flatMap((c) => {
      const t = num(c.stopTimeout);
      return t === undefined ? [] : [{ name: String(c.name ?? ''), stopTimeout: t }];
    }),
  };
}

/** Where a row's tasks run. */
export type Placement =
  | {
      kind: 'fargate';
      /** `FARGATE`, or the capacity-provider strategy as written. */
      label: string;
      split: { capacityProvider: string; tasks: number }[];
      onDemand: number;
      spot: number;
    }
  | { kind: 'ec2'; label: string };

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

/** The placement of `tasks` tasks by launch type or capacity-provider strategy. */
export function placementOf(
  tasks: number,
  launchType: string | undefined,
  strategy: readonly StrategyItem[] | undefined,
): Placement {
  if (strategy?.length) {
    const label = strategy
      .map((s) => `${s.capacityProvider}(base ${s.base ?? 0}, weight ${s.weight ?? 0})`)
      .join(' + ');
    if (!strategy.every((s) => FARGATE_PROVIDERS.has(s.capacityProvider))) return { kind: 'ec2', label };
    const split = splitByStrategy(tasks, strategy);
    return {
      kind: 'fargate',
      label,
      split: [...split].map(([capacityProvider, n]) => ({ capacityProvider, tasks: n })),
      onDemand: split.get('FARGATE') ?? 0,
      spot: split.get('FARGATE_SPOT') ?? 0,
    };
  }
  if (launchType === 'FARGATE')
    return {
      kind: 'fargate',
      label: 'FARGATE',
      split: [{ capacityProvider: 'FARGATE', tasks }],
      onDemand: tasks,
      spot: 0,
    };
  return { kind: 'ec2', label: launchType ?? 'unknown launch type' };
}

/** What a row is priced from. */
export interface RowInput {
  tasks: number;
  shape: TaskShape;
  placement: Placement;
  spot: Parameters<typeof assessSpot>[0];
}

export interface PricedRow {
  platform: Platform | undefined;
  cost: CostEstimate | undefined;
  /** For EC2 rows and unpriceable platforms: why there is no number. */
  notPriced?: string | undefined;
  spot: SpotVerdict;
}

/** Fargate cannot run Windows on ARM64; every other combination has a price key. */
export function platformOf(shape: TaskShape): Platform | undefined {
  if (shape.operatingSystem === 'windows')
    return shape.cpuArchitecture === 'x86_64' ? 'windows/x86_64' : undefined;
  return shape.cpuArchitecture === 'arm64' ? 'linux/arm64' : 'linux/x86_64';
}

/** Prices one row and gives its Spot verdict. */
export function priceRow(input: RowInput, prices: RegionPrices | undefined): PricedRow {
  const spot = assessSpot(input.spot);
  const platform = platformOf(input.shape);
  if (input.placement.kind === 'ec2')
    return { platform, cost: undefined, notPriced: 'on EC2 instances: not a Fargate cost', spot };
  if (!platform)
    return { platform, cost: undefined, notPriced: 'Windows on ARM64 is not a Fargate platform', spot };
  if (input.shape.cpu === undefined || input.shape.memory === undefined)
    return { platform, cost: undefined, notPriced: 'the task definition sets no task cpu/memory', spot };
  const cost = estimateCost(
    {
      tasks: input.tasks,
      cpu: input.shape.cpu,
      memory: input.shape.memory,
      platform,
      ephemeralStorageGiB: input.shape.ephemeralStorageGiB,
      split: { onDemand: input.placement.onDemand, spot: input.placement.spot },
      spotEligible: spot.spotEligible,
    },
    prices,
  );
  return { platform, cost, spot };
}
