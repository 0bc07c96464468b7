/**
 * Monthly Fargate cost of one row (a service or a group of standalone tasks) under each scenario
 * ecsops reports. Conventions (docs/pricing.md "Conventions"): 730 hours a month, the first 20 GiB of
 * ephemeral storage free, the Windows licence fee per vCPU on top, Savings Plans on the on-demand
 * part only. A missing rate makes that scenario unknown (null) and names the rate; nothing is guessed.
 */
import type { Platform, PlatformRates, RegionPrices } from './prices.js';

/** The AWS Pricing Calculator's month: 365 days × 24 hours / 12. */
export const HOURS_PER_MONTH = 730;
/** Every Fargate task gets this much ephemeral storage without charge. */
export const FREE_EPHEMERAL_GIB = 20;

/** One capacity-provider strategy item as ECS returns it. */
export interface StrategyItem {
  capacityProvider: string;
  base?: number | undefined;
  weight?: number | undefined;
}

/**
 * Splits `tasks` across a capacity-provider strategy the way ECS places them: `base` tasks first on
 * the provider that has a base, the rest in proportion to the weights. Fractions are kept: they are
 * the long-run share, which is what a monthly cost needs.
 */
export function splitByStrategy(tasks: number, strategy: readonly StrategyItem[]): Map<string, number> {
  const split = new Map<string, number>(strategy.map((s) => [s.capacityProvider, 0]));
  let left = tasks;
  for (const s of strategy) {
    const base = Math.min(left, Math.max(0, s.base ?? 0));
    if (base > 0) {
      split.set(s.capacityProvider, (split.get(s.capacityProvider) ?? 0) + base);
      left -= base;
    }
  }
  const totalWeight = strategy.reduce((sum, s) => sum + Math.max(0, s.weight ?? 0), 0);
  if (left > 0 && totalWeight > 0) {
    for (const s of strategy) {
      const share = (left * Math.max(0, s.weight ?? 0)) / totalWeight;
      split.set(s.capacityProvider, (split.get(s.capacityProvider) ?? 0) + share);
    }
  } else if (left > 0 && strategy[0]) {
    // No weights at all (ECS rejects this for new services): count the rest on the first provider.
    const first = strategy[0].capacityProvider;
    split.set(first, (split.get(first) ?? 0) + left);
  }
  return split;
}

/** Tasks on on-demand Fargate and on Fargate Spot. */
export interface FargateSplit {
  onDemand: number;
  spot: number;
}

/** What the arithmetic needs to know about a row. */
export interface CostInput {
  tasks: number;
  /** Task CPU units (1024 = 1 vCPU). */
  cpu: number;
  /** Task memory in MiB. */
  memory: number;
  platform: Platform;
  ephemeralStorageGiB: number;
  split: FargateSplit;
  spotEligible: boolean;
}

/** Monthly USD per scenario; null when a rate it needs is unknown (or the scenario does not apply). */
export interface MonthlyCosts {
  current: number | null;
  onDemand: number | null;
  allSpot: number | null;
  arm64: number | null;
  savingsPlan1y: number | null;
  savingsPlan3y: number | null;
  /** Spot where eligible, on Graviton where the platform is Linux (if the image has an arm64 build). */
  best: number | null;
}

export interface CostEstimate {
  monthly: MonthlyCosts;
  /** Why a scenario is null: the rates that are unknown, or why it does not apply. */
  unknown: Partial<Record<keyof MonthlyCosts, string[]>>;
}

type Mode = 'onDemand' | 'spot' | 'savingsPlan1y' | 'savingsPlan3y';

/** Price of one task-hour on `platform` at `mode`, or the names of the rates that are missing. */
function taskHour(
  prices: RegionPrices | undefined,
  input: CostInput,
  platform: Platform,
  mode: Mode,
): { value: number } | { missing: string[] } {
  if (mode === 'spot' && platform.startsWith('windows'))
    return { missing: ['Fargate Spot does not run Windows tasks'] };
  const missing: string[] = [];
  const rates: PlatformRates | undefined = prices?.[mode][platform];
  const vcpu = input.cpu / 1024;
  const gib = input.memory / 1024;
  const need = (value: number | undefined, name: string) => {
    if (value === undefined) missing.push(name);
    return value ?? 0;
  };
  let hour =
    vcpu * need(rates?.vcpuHour, `${mode}.${platform}.vcpuHour`) +
    gib * need(rates?.gbHour, `${mode}.${platform}.gbHour`);
  const billableStorage = Math.max(0, input.ephemeralStorageGiB - FREE_EPHEMERAL_GIB);
  // Storage and the Windows licence are charged at their own rates whatever the compute discount.
  if (billableStorage > 0)
    hour += billableStorage * need(prices?.ephemeralStorageGbHour, 'ephemeralStorageGbHour');
  if (platform.startsWith('windows'))
    hour += vcpu * need(prices?.windowsLicenseVcpuHour, 'windowsLicenseVcpuHour');
  return missing.length ? { missing } : { value: hour };
}

/** Monthly cost of `split` tasks, the on-demand part at `onDemandMode`, the Spot part at Spot. */
function monthly(
  prices: RegionPrices | undefined,
  input: CostInput,
  platform: Platform,
  split: FargateSplit,
  onDemandMode: Mode,
): { value: number } | { missing: string[] } {
  let total = 0;
  const missing: string[] = [];
  for (const [tasks, mode] of [
    [split.onDemand, onDemandMode],
    [split.spot, 'spot'],
  ] as const) {
    if (tasks <= 0) continue;
    const hour = taskHour(prices, input, platform, mode);
    if ('missing' in hour) missing.push(...hour.missing);
    else total += tasks * hour.value * HOURS_PER_MONTH;
  }
  return missing.length ? { missing: [...new Set(missing)] } : { value: total };
}

/** The cost of a Fargate row under every scenario, at one region's prices. */
export function estimateCost(input: CostInput, prices: RegionPrices | undefined): CostEstimate {
  const all = input.split.onDemand + input.split.spot;
  const allOnDemand = { onDemand: all, spot: 0 };
  const allSpot = { onDemand: 0, spot: all };
  const linux = input.platform.startsWith('linux');
  const graviton: Platform | undefined = linux ? 'linux/arm64' : undefined;
  const scenarios: Record<keyof MonthlyCosts, () => { value: number } | { missing: string[] }> = {
    current: () => monthly(prices, input, input.platform, input.split, 'onDemand'),
    onDemand: () => monthly(prices, input, input.platform, allOnDemand, 'onDemand'),
    allSpot: () => monthly(prices, input, input.platform, allSpot, 'onDemand'),
    arm64: () =>
      graviton
        ? monthly(prices, input, graviton, input.split, 'onDemand')
        : { missing: ['Fargate runs Windows on x86_64 only'] },
    savingsPlan1y: () => monthly(prices, input, input.platform, input.split, 'savingsPlan1y'),
    savingsPlan3y: () => monthly(prices, input, input.platform, input.split, 'savingsPlan3y'),
    best: () =>
      monthly(
        prices,
        input,
        graviton ?? input.platform,
        input.spotEligible ? allSpot : input.split,
        'onDemand',
      ),
  };
  const result: CostEstimate = {
    monthly: {
      current: null,
      onDemand: null,
      allSpot: null,
      arm64: null,
      savingsPlan1y: null,
      savingsPlan3y: null,
      best: null,
    },
    unknown: {},
  };
  for (const [name, compute] of Object.entries(scenarios) as [
    keyof MonthlyCosts,
    typeof scenarios.current,
  ][]) {
    // No tasks cost nothing, whatever the rates.
    if (all === 0) {
      result.monthly[name] = name === 'arm64' && !graviton ? null : 0;
      if (result.monthly[name] === null) result.unknown[name] = ['Fargate runs Windows on x86_64 only'];
      continue;
    }
    const outcome = compute();
    if ('value' in outcome) result.monthly[name] = outcome.value;
    else result.unknown[name] = outcome.missing;
  }
  return result;
}
