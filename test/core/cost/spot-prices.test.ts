import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PRICES } from '../../../src/core/cost/bundled-prices.js';
import { parsePriceTable } from '../../../src/core/cost/price-file.js';
import { parsePriceList, parseSavingsPlanRates, usageTypeSlot } from '../../../src/core/cost/price-list.js';
import { assessSpot, type SpotInput } from '../../../src/core/cost/spot.js';
import { InputError } from '../../../src/errors.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/cost/get-products-us-east-1.json', import.meta.url), 'utf8'),
) as { pages: string[][] };

const spotInput = (over: Partial<SpotInput> = {}): SpotInput => ({
  fargate: true,
  windows: false,
  arm64: false,
  desiredCount: 3,
  minimumHealthyPercent: 50,
  stopTimeouts: [],
  loadBalanced: false,
  ...over,
});

describe('assessSpot', () => {
  it('a replicated Linux service with spare tasks is eligible', () => {
    expect(assessSpot(spotInput())).toEqual({ spotEligible: true, spotBlockers: [], spotChecks: [] });
  });
  it('ARM64 is eligible on LATEST and 1.4.0, not on 1.3.0', () => {
    expect(assessSpot(spotInput({ arm64: true, platformVersion: 'LATEST' })).spotEligible).toBe(true);
    expect(assessSpot(spotInput({ arm64: true, platformVersion: '1.4.0' })).spotEligible).toBe(true);
    expect(
      assessSpot(spotInput({ arm64: true, platformVersion: '1.3.0' })).spotBlockers.map((b) => b.code),
    ).toEqual(['platform-version']);
  });
  it.each([
    [{ windows: true }, 'windows'],
    [{ fargate: false }, 'not-fargate'],
    [{ stopTimeouts: [{ name: 'app', stopTimeout: 300 }] }, 'stop-timeout'],
    [{ schedulingStrategy: 'DAEMON' }, 'daemon'],
    [{ desiredCount: 1, minimumHealthyPercent: 100 }, 'single-task'],
  ] as const)('%o is blocked by %s', (over, code) => {
    const v = assessSpot(spotInput(over as Partial<SpotInput>));
    expect(v.spotEligible).toBe(false);
    expect(v.spotBlockers.map((b) => b.code)).toContain(code);
  });
  it('a stopTimeout of exactly 120 s fits the warning', () => {
    expect(assessSpot(spotInput({ stopTimeouts: [{ name: 'app', stopTimeout: 120 }] })).spotEligible).toBe(
      true,
    );
  });
  it('a load-balanced service gets a deregistration-delay check, not a blocker', () => {
    const v = assessSpot(spotInput({ loadBalanced: true }));
    expect(v.spotEligible).toBe(true);
    expect(v.spotChecks[0]).toMatch(/deregistration delay must be 120 s or less/);
  });
});

describe('Price List parsing (recorded AmazonECS GetProducts answer, us-east-1)', () => {
  it('reads every Fargate rate and ignores EC2 metering and ECS Anywhere products', () => {
    const prices = parsePriceList(fixture.pages.flat(), 'us-east-1');
    expect(prices.onDemand).toEqual({
      'linux/x86_64': { vcpuHour: 0.04048, gbHour: 0.004445 },
      'linux/arm64': { vcpuHour: 0.03238, gbHour: 0.00356 },
      'windows/x86_64': { vcpuHour: 0.09148, gbHour: 0.01005 },
    });
    expect(prices.windowsLicenseVcpuHour).toBe(0.046);
    expect(prices.ephemeralStorageGbHour).toBe(0.000111);
    expect(prices.spot).toEqual({});
  });
  it('skips products of another region and fails on an entry that is not JSON', () => {
    expect(parsePriceList(fixture.pages.flat(), 'eu-west-1').onDemand).toEqual({});
    expect(() => parsePriceList(['{not json'], 'us-east-1')).toThrow(/PriceList\[0\] is not JSON/);
  });
  it.each([
    [
      'USE1-SpotUsage-Fargate-ARM-vCPU-Hours:perCPU',
      { kind: 'spot', platform: 'linux/arm64', dimension: 'vcpuHour' },
    ],
    ['EUC1-Fargate-GB-Hours', { kind: 'onDemand', platform: 'linux/x86_64', dimension: 'gbHour' }],
    ['Fargate-GB-Hours', { kind: 'onDemand', platform: 'linux/x86_64', dimension: 'gbHour' }],
    ['USE1-ECS-EC2-vCPU-Hours', undefined],
  ])('usage type %s', (usageType, slot) => {
    expect(usageTypeSlot(usageType)).toEqual(slot);
  });
  it('Savings Plans: Compute, No Upfront, 1y and 3y by duration; other plans skipped', () => {
    const prices = parseSavingsPlanRates([
      {
        usageType: 'USE1-Fargate-vCPU-Hours:perCPU',
        rate: '0.0323',
        durationSeconds: 31536000,
        paymentOption: 'No Upfront',
        planType: 'Compute',
      },
      {
        usageType: 'USE1-Fargate-GB-Hours',
        rate: '0.00355',
        durationSeconds: 31536000,
        paymentOption: 'No Upfront',
        planType: 'Compute',
      },
      {
        usageType: 'USE1-Fargate-vCPU-Hours:perCPU',
        rate: '0.0259',
        durationSeconds: 94608000,
        paymentOption: 'No Upfront',
        planType: 'Compute',
      },
      {
        usageType: 'USE1-Fargate-vCPU-Hours:perCPU',
        rate: '0.02',
        durationSeconds: 94608000,
        paymentOption: 'All Upfront',
        planType: 'Compute',
      },
      { usageType: 'USE1-Fargate-EphemeralStorage-GB-Hours', rate: '0.0001', durationSeconds: 31536000 },
    ]);
    expect(prices.savingsPlan1y).toEqual({ 'linux/x86_64': { vcpuHour: 0.0323, gbHour: 0.00355 } });
    expect(prices.savingsPlan3y).toEqual({ 'linux/x86_64': { vcpuHour: 0.0259 } });
  });
});

describe('price table files', () => {
  it('the bundled table is a valid price table with a date and source', () => {
    const parsed = parsePriceTable(JSON.parse(JSON.stringify(BUNDLED_PRICES)), 'x');
    expect(parsed.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parsed.source).toContain('AmazonECS');
    expect(parsed.regions['us-east-1']?.onDemand['linux/x86_64']).toEqual({
      vcpuHour: 0.04048,
      gbHour: 0.004445,
    });
  });
  it('names the field that is wrong', () => {
    const bad = {
      asOf: '2026-01-01',
      regions: { 'us-east-1': { onDemand: { 'linux/x86_64': { vcpuHour: 'cheap' } } } },
    };
    expect(() => parsePriceTable(bad, 'f')).toThrow(InputError);
    expect(() => parsePriceTable(bad, 'f')).toThrow('(at regions.us-east-1.onDemand.linux/x86_64.vcpuHour)');
    expect(() => parsePriceTable({ regions: {} }, 'f')).toThrow('(at asOf)');
    expect(() =>
      parsePriceTable({ asOf: '2026-01-01', regions: { r: { spot: { 'mac/m1': {} } } } }, 'f'),
    ).toThrow(/unknown platform "mac\/m1"/);
  });
});
