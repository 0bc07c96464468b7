import { describe, expect, it } from 'vitest';
import {
  type CostInput,
  estimateCost,
  HOURS_PER_MONTH,
  splitByStrategy,
} from '../../../src/core/cost/cost.js';
import { emptyRegionPrices, type RegionPrices } from '../../../src/core/cost/prices.js';
import { placementOf } from '../../../src/core/cost/rows.js';

const PRICES: RegionPrices = {
  ...emptyRegionPrices(),
  onDemand: {
    'linux/x86_64': { vcpuHour: 0.04, gbHour: 0.004 },
    'linux/arm64': { vcpuHour: 0.032, gbHour: 0.0035 },
    'windows/x86_64': { vcpuHour: 0.09, gbHour: 0.01 },
  },
  spot: {
    'linux/x86_64': { vcpuHour: 0.012, gbHour: 0.0013 },
    'linux/arm64': { vcpuHour: 0.01, gbHour: 0.001 },
  },
  windowsLicenseVcpuHour: 0.046,
  ephemeralStorageGbHour: 0.0001,
  savingsPlan1y: { 'linux/x86_64': { vcpuHour: 0.032, gbHour: 0.0032 } },
  savingsPlan3y: { 'linux/x86_64': { vcpuHour: 0.024, gbHour: 0.0024 } },
};

const input = (over: Partial<CostInput> = {}): CostInput => ({
  tasks: 2,
  cpu: 1024,
  memory: 2048,
  platform: 'linux/x86_64',
  ephemeralStorageGiB: 20,
  split: { onDemand: 2, spot: 0 },
  spotEligible: true,
  ...over,
});
const month = (hourly: number) => hourly * HOURS_PER_MONTH;

describe('estimateCost', () => {
  it('x86 on demand: tasks × (vCPU × rate + GiB × rate) × 730, Savings Plans on the on-demand part', () => {
    const { monthly, unknown } = estimateCost(input(), PRICES);
    expect(monthly.current).toBeCloseTo(month(2 * (1 * 0.04 + 2 * 0.004)), 6);
    expect(monthly.onDemand).toBeCloseTo(monthly.current!, 6);
    expect(monthly.allSpot).toBeCloseTo(month(2 * (0.012 + 2 * 0.0013)), 6);
    expect(monthly.arm64).toBeCloseTo(month(2 * (0.032 + 2 * 0.0035)), 6);
    expect(monthly.savingsPlan1y).toBeCloseTo(month(2 * (0.032 + 2 * 0.0032)), 6);
    expect(monthly.savingsPlan3y).toBeCloseTo(month(2 * (0.024 + 2 * 0.0024)), 6);
    expect(monthly.best).toBeCloseTo(month(2 * (0.01 + 2 * 0.001)), 6); // arm64 Spot
    expect(unknown).toEqual({});
  });

  it('ARM64: arm64 column equals current; savings-plan rates missing for ARM are unknown, not guessed', () => {
    const { monthly, unknown } = estimateCost(input({ platform: 'linux/arm64' }), PRICES);
    expect(monthly.current).toBeCloseTo(month(2 * (0.032 + 2 * 0.0035)), 6);
    expect(monthly.arm64).toBe(monthly.current);
    expect(monthly.savingsPlan1y).toBeNull();
    expect(unknown.savingsPlan1y).toEqual([
      'savingsPlan1y.linux/arm64.vcpuHour',
      'savingsPlan1y.linux/arm64.gbHour',
    ]);
  });

  it('Windows: adds the licence fee per vCPU; no Spot and no arm64', () => {
    const { monthly, unknown } = estimateCost(
      input({ platform: 'windows/x86_64', cpu: 2048, memory: 4096, spotEligible: false }),
      PRICES,
    );
    expect(monthly.current).toBeCloseTo(month(2 * (2 * 0.09 + 4 * 0.01 + 2 * 0.046)), 6);
    expect(monthly.allSpot).toBeNull();
    expect(unknown.allSpot).toEqual(['Fargate Spot does not run Windows tasks']);
    expect(monthly.arm64).toBeNull();
    expect(monthly.best).toBeCloseTo(monthly.current!, 6);
  });

  it('ephemeral storage: only GiB above the free 20 are billed', () => {
    const at20 = estimateCost(input({ ephemeralStorageGiB: 20 }), PRICES).monthly.current!;
    const at50 = estimateCost(input({ ephemeralStorageGiB: 50 }), PRICES).monthly.current!;
    expect(at50 - at20).toBeCloseTo(month(2 * 30 * 0.0001), 6);
    const noStorageRate = { ...PRICES, ephemeralStorageGbHour: undefined };
    expect(estimateCost(input({ ephemeralStorageGiB: 20 }), noStorageRate).monthly.current).toBeCloseTo(
      at20,
      6,
    );
    const unknown = estimateCost(input({ ephemeralStorageGiB: 21 }), noStorageRate);
    expect(unknown.monthly.current).toBeNull();
    expect(unknown.unknown.current).toEqual(['ephemeralStorageGbHour']);
  });

  it('capacity-provider split: the on-demand part at on-demand (or SP) rates, the Spot part at Spot', () => {
    const placement = placementOf(5, undefined, [
      { capacityProvider: 'FARGATE', base: 1, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ]);
    if (placement.kind !== 'fargate') throw new Error('expected fargate');
    expect([placement.onDemand, placement.spot]).toEqual([2, 3]);
    const { monthly } = estimateCost(
      input({ tasks: 5, split: { onDemand: placement.onDemand, spot: placement.spot } }),
      PRICES,
    );
    const od = 0.04 + 2 * 0.004;
    const spot = 0.012 + 2 * 0.0013;
    expect(monthly.current).toBeCloseTo(month(2 * od + 3 * spot), 6);
    expect(monthly.onDemand).toBeCloseTo(month(5 * od), 6);
    expect(monthly.savingsPlan1y).toBeCloseTo(month(2 * (0.032 + 2 * 0.0032) + 3 * spot), 6);
  });

  it('desired 0 costs nothing, even with no rates', () => {
    const { monthly } = estimateCost(input({ tasks: 0, split: { onDemand: 0, spot: 0 } }), undefined);
    expect(monthly).toEqual({
      current: 0,
      onDemand: 0,
      allSpot: 0,
      arm64: 0,
      savingsPlan1y: 0,
      savingsPlan3y: 0,
      best: 0,
    });
  });

  it('no rates for the region: every scenario unknown with the missing rate named', () => {
    const { monthly, unknown } = estimateCost(input(), undefined);
    expect(Object.values(monthly).every((v) => v === null)).toBe(true);
    expect(unknown.current).toContain('onDemand.linux/x86_64.vcpuHour');
  });
});

describe('splitByStrategy', () => {
  it.each([
    {
      tasks: 10,
      strategy: [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 1 },
      ],
      want: { FARGATE: 6, FARGATE_SPOT: 4 },
    },
    {
      tasks: 1,
      strategy: [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 4 },
      ],
      want: { FARGATE: 1, FARGATE_SPOT: 0 },
    },
    { tasks: 4, strategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], want: { FARGATE_SPOT: 4 } },
    {
      tasks: 3,
      strategy: [
        { capacityProvider: 'FARGATE', weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 2 },
      ],
      want: { FARGATE: 1, FARGATE_SPOT: 2 },
    },
    { tasks: 0, strategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }], want: { FARGATE: 0 } },
  ])('$tasks tasks over $strategy', ({ tasks, strategy, want }) => {
    expect(Object.fromEntries(splitByStrategy(tasks, strategy))).toEqual(want);
  });
});

describe('placementOf', () => {
  it('EC2 launch type and Auto Scaling group providers are not priced as Fargate', () => {
    expect(placementOf(2, 'EC2', undefined).kind).toBe('ec2');
    expect(placementOf(2, undefined, [{ capacityProvider: 'my-asg', weight: 1 }]).kind).toBe('ec2');
    expect(placementOf(2, 'FARGATE', undefined)).toMatchObject({ kind: 'fargate', onDemand: 2, spot: 0 });
  });
});
