/**
 * Right-sizing from Container Insights: the smallest valid Fargate size that holds the observed peak
 * plus headroom, never below what the containers themselves reserve. No recommendation without
 * enough data. Rules and sources: docs/pricing.md "Right-sizing".
 */
import { isValidFargateSize, smallestFargateSize } from './fargate-sizes.js';

/** A share of the task size at or above which a service counts as under-sized. */
export const UNDER_SIZED_SHARE = 0.9;
/** The share of --days that must have datapoints for a recommendation. */
export const MIN_COVERAGE = 0.8;

/** One container's own reservations, from the task definition. */
export interface ContainerReservation {
  name: string;
  cpu?: number | undefined;
  /** Hard limit, MiB. */
  memory?: number | undefined;
  /** Soft limit, MiB. */
  memoryReservation?: number | undefined;
}

export interface UsageSeries {
  /** Per-period maxima of CPU units used by one task. */
  cpu: readonly number[];
  /** Per-period maxima of MiB used by one task. */
  memory: readonly number[];
  /** Periods the window has (days × 86400 / period). */
  expectedPeriods: number;
  periodSeconds: number;
}

export interface RightsizeInput {
  current: { cpu: number; memory: number };
  windows: boolean;
  containers: readonly ContainerReservation[];
  usage: UsageSeries;
  /** 0.25 = 25 % above the peak. */
  headroom: number;
}

export interface UsageSummary {
  peak: number;
  p99: number;
  /** The peak as a share of the task size. */
  share: number;
}

export type RightsizeOutcome =
  | {
      status: 'no-data';
      reason: string;
      datapoints: number;
    }
  | {
      status: 'resize' | 'keep';
      recommended: { cpu: number; memory: number };
      reason: string;
      underSized: boolean;
      cpu: UsageSummary;
      memory: UsageSummary;
      datapoints: number;
    };

/** The nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function summarise(values: readonly number[], size: number): UsageSummary {
  const peak = values.length ? Math.max(...values) : 0;
  return { peak, p99: percentile(values, 99), share: size > 0 ? peak / size : 0 };
}

/** The recommendation for one service. */
export function planRightsize(input: RightsizeInput): RightsizeOutcome {
  const datapoints = Math.min(input.usage.cpu.length, input.usage.memory.length);
  const coverage = input.usage.expectedPeriods > 0 ? datapoints / input.usage.expectedPeriods : 0;
  if (datapoints === 0)
    return {
      status: 'no-data',
      datapoints,
      reason:
        'no Container Insights datapoints in the window (Container Insights off, no running tasks, or --days beyond what CloudWatch keeps)',
    };
  if (coverage < MIN_COVERAGE) {
    const days = (datapoints * input.usage.periodSeconds) / 86_400;
    return {
      status: 'no-data',
      datapoints,
      reason: `only ${days.toFixed(1)} days of datapoints (${Math.round(coverage * 100)} % of the window; ${Math.round(MIN_COVERAGE * 100)} % needed): a new service or Container Insights turned on recently; try a shorter --days`,
    };
  }
  const cpu = summarise(input.usage.cpu, input.current.cpu);
  const memory = summarise(input.usage.memory, input.current.memory);
  const underSized = cpu.share >= UNDER_SIZED_SHARE || memory.share >= UNDER_SIZED_SHARE;

  const needCpu = Math.ceil(cpu.peak * (1 + input.headroom));
  const needMemory = Math.ceil(memory.peak * (1 + input.headroom));
  // The containers' own limits must still fit: ECS rejects a task smaller than their sum.
  const floorCpu = input.containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
  const floorMemory = input.containers.reduce(
    (s, c) => s + Math.max(c.memory ?? 0, c.memoryReservation ?? 0),
    0,
  );
  const wantCpu = Math.max(needCpu, floorCpu);
  const wantMemory = Math.max(needMemory, floorMemory);
  const chosen = smallestFargateSize(wantCpu, wantMemory, input.windows);
  const reasons = [
    `peak ${Math.round(cpu.peak)} CPU units and ${Math.round(memory.peak)} MiB + ${Math.round(input.headroom * 100)} % headroom = ${needCpu} units, ${needMemory} MiB`,
  ];
  if (floorMemory > needMemory)
    reasons.push(
      `containers reserve ${floorMemory} MiB (memory / memoryReservation), more than the peak needs`,
    );
  if (floorCpu > needCpu) reasons.push(`containers reserve ${floorCpu} CPU units, more than the peak needs`);
  if (!chosen) {
    return {
      status: 'keep',
      recommended: { ...input.current },
      reason: `${reasons.join('; ')}: larger than any Fargate size`,
      underSized: true,
      cpu,
      memory,
      datapoints,
    };
  }
  const same = chosen.cpu === input.current.cpu && chosen.memory === input.current.memory;
  const currentValid = isValidFargateSize(input.current.cpu, input.current.memory, input.windows);
  reasons.push(
    same
      ? 'the current size is already the smallest valid Fargate size that fits'
      : `smallest valid Fargate size that fits: ${chosen.cpu} CPU units / ${chosen.memory} MiB${currentValid ? '' : ' (the current size is not a valid Fargate combination)'}`,
  );
  if (underSized)
    reasons.push(
      `peak at ${Math.round(Math.max(cpu.share, memory.share) * 100)} % of the task size: under-sized`,
    );
  return {
    status: same ? 'keep' : 'resize',
    recommended: chosen,
    reason: reasons.join('; '),
    underSized,
    cpu,
    memory,
    datapoints,
  };
}

/** The longest --days CloudWatch keeps any datapoints for (455 days at a 1-hour period). */
export const MAX_DAYS = 455;

/**
 * The finest period CloudWatch still keeps for a window reaching `days` back: 1-minute datapoints
 * are kept 15 days, 5-minute ones 63 days, 1-hour ones 455 days (docs/pricing.md "CloudWatch").
 */
export function finestPeriodSeconds(days: number): number {
  if (days <= 15) return 60;
  if (days <= 63) return 300;
  return 3600;
}

/**
 * Per-task usage per period from the service-level sums: utilized / reserved is the service's share
 * in use at that period, times the task size gives one task's (average) use. Periods without both
 * values are skipped.
 */
export function perTaskUsage(
  utilized: { timestamps: readonly number[]; values: readonly number[] },
  reserved: { timestamps: readonly number[]; values: readonly number[] },
  taskSize: number,
): number[] {
  const reservedAt = new Map<number, number>();
  reserved.timestamps.forEach((t, i) => {
    const v = reserved.values[i];
    if (v !== undefined && v > 0) reservedAt.set(t, v);
  });
  const out: number[] = [];
  utilized.timestamps.forEach((t, i) => {
    const used = utilized.values[i];
    const total = reservedAt.get(t);
    if (used !== undefined && total !== undefined) out.push((used / total) * taskSize);
  });
  return out;
}
