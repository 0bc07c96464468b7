import { describe, expect, it } from 'vitest';
import {
  FARGATE_SIZES,
  isValidFargateSize,
  smallestFargateSize,
} from '../../../src/core/cost/fargate-sizes.js';
import {
  finestPeriodSeconds,
  percentile,
  perTaskUsage,
  planRightsize,
  type RightsizeInput,
} from '../../../src/core/cost/rightsize.js';

describe('Fargate size table', () => {
  it('has the documented combinations', () => {
    expect(FARGATE_SIZES.map((s) => s.cpu)).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
    expect(FARGATE_SIZES[0]?.memory).toEqual([512, 1024, 2048]);
    expect(FARGATE_SIZES[4]?.memory.at(-1)).toBe(30720);
    expect(FARGATE_SIZES[5]?.memory).toHaveLength(12); // 16..60 GiB in 4 GiB steps
    expect(FARGATE_SIZES[6]?.memory.at(-1)).toBe(122880);
  });
  it.each([
    [256, 512, false, true],
    [256, 3072, false, false],
    [512, 5120, false, false],
    [2048, 4096, false, true],
    [8192, 20480, false, true],
    [8192, 18432, false, false],
    [512, 1024, true, false], // Windows needs 1 vCPU or more
    [1024, 2048, true, true],
    [8192, 16384, true, false],
  ])('cpu %i memory %i windows=%s -> %s', (cpu, memory, windows, valid) => {
    expect(isValidFargateSize(cpu, memory, windows)).toBe(valid);
  });
  it('picks the smallest CPU that has enough memory, then the least memory', () => {
    expect(smallestFargateSize(100, 600)).toEqual({ cpu: 256, memory: 1024 });
    expect(smallestFargateSize(100, 3000)).toEqual({ cpu: 512, memory: 3072 });
    expect(smallestFargateSize(300, 9000)).toEqual({ cpu: 2048, memory: 9216 });
    expect(smallestFargateSize(100, 600, true)).toEqual({ cpu: 1024, memory: 2048 });
    expect(smallestFargateSize(20000, 1024)).toBeUndefined();
  });
});

const flat = (n: number, v: number) => Array.from({ length: n }, () => v);
const base = (over: Partial<RightsizeInput> = {}): RightsizeInput => ({
  current: { cpu: 1024, memory: 2048 },
  windows: false,
  containers: [{ name: 'app' }],
  usage: { cpu: flat(1440, 100), memory: flat(1440, 400), expectedPeriods: 1440, periodSeconds: 60 },
  headroom: 0.25,
  ...over,
});

describe('planRightsize', () => {
  it('recommends the smallest valid size holding peak + headroom', () => {
    const cpu = [...flat(1439, 100), 180];
    const out = planRightsize(base({ usage: { ...base().usage, cpu } }));
    expect(out.status).toBe('resize');
    if (out.status === 'no-data') throw new Error('unexpected');
    // 180 × 1.25 = 225 units, 400 × 1.25 = 500 MiB -> 256 / 512
    expect(out.recommended).toEqual({ cpu: 256, memory: 512 });
    expect(out.cpu.peak).toBe(180);
    expect(out.cpu.p99).toBe(100);
    expect(out.underSized).toBe(false);
  });
  it('never goes below the containers’ own memory / memoryReservation', () => {
    const out = planRightsize(
      base({
        containers: [
          { name: 'app', memory: 1024 },
          { name: 'sidecar', memoryReservation: 256 },
        ],
      }),
    );
    if (out.status === 'no-data') throw new Error('unexpected');
    expect(out.recommended).toEqual({ cpu: 256, memory: 2048 });
    expect(out.reason).toContain('containers reserve 1280 MiB');
  });
  it('keeps a service that is already the right size, and flags one near its limit as under-sized', () => {
    const keep = planRightsize(base({ current: { cpu: 256, memory: 512 } }));
    expect(keep.status).toBe('keep');
    const hot = planRightsize(
      base({ current: { cpu: 256, memory: 512 }, usage: { ...base().usage, cpu: flat(1440, 240) } }),
    );
    expect(hot.status).toBe('resize');
    if (hot.status === 'no-data') throw new Error('unexpected');
    expect(hot.underSized).toBe(true);
    expect(hot.recommended).toEqual({ cpu: 512, memory: 1024 });
  });
  it('gives no recommendation without enough datapoints, and says why', () => {
    const none = planRightsize(
      base({ usage: { cpu: [], memory: [], expectedPeriods: 1440, periodSeconds: 60 } }),
    );
    expect(none).toMatchObject({ status: 'no-data', datapoints: 0 });
    const young = planRightsize(
      base({
        usage: { cpu: flat(300, 100), memory: flat(300, 400), expectedPeriods: 1440, periodSeconds: 60 },
      }),
    );
    expect(young.status).toBe('no-data');
    expect(young.reason).toMatch(/only 0\.2 days of datapoints \(21 %/);
  });
});

describe('metric helpers', () => {
  it('finest retained period for --days', () => {
    expect([1, 15, 16, 63, 64, 455].map(finestPeriodSeconds)).toEqual([60, 60, 300, 300, 3600, 3600]);
  });
  it('per-task use = utilized / reserved × task size, matched by timestamp', () => {
    expect(
      perTaskUsage(
        { timestamps: [1, 2, 3], values: [300, 600, 50] },
        { timestamps: [1, 2], values: [1536, 1536] },
        512,
      ),
    ).toEqual([100, 200]);
  });
  it('percentile is nearest-rank', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([...flat(99, 1), 50], 99)).toBe(1);
  });
});
