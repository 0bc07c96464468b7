/**
 * Turns the live price answers into a RegionPrices: Price List `GetProducts` PriceList entries (each a
 * JSON string, service code AmazonECS) and Savings Plans `DescribeSavingsPlansOfferingRates` rates.
 * Usage types and their meaning: docs/pricing.md "Usage types". Pure: no SDK, no I/O.
 */
import { emptyRegionPrices, type Platform, type PlatformRates, type RegionPrices } from './prices.js';

/** What one usage type prices, or undefined when ecsops does not use it. */
export type UsageTypeSlot =
  | { kind: 'onDemand' | 'spot'; platform: Platform; dimension: keyof PlatformRates }
  | { kind: 'windowsLicense' }
  | { kind: 'ephemeralStorage' };

// The usage type without its region prefix (`USE1-`, `EUC1-`; us-east-1 rows sometimes have none).
const SLOTS: Record<string, UsageTypeSlot> = {
  'Fargate-vCPU-Hours:perCPU': { kind: 'onDemand', platform: 'linux/x86_64', dimension: 'vcpuHour' },
  'Fargate-GB-Hours': { kind: 'onDemand', platform: 'linux/x86_64', dimension: 'gbHour' },
  'Fargate-ARM-vCPU-Hours:perCPU': { kind: 'onDemand', platform: 'linux/arm64', dimension: 'vcpuHour' },
  'Fargate-ARM-GB-Hours': { kind: 'onDemand', platform: 'linux/arm64', dimension: 'gbHour' },
  'Fargate-Windows-vCPU-Hours:perCPU': {
    kind: 'onDemand',
    platform: 'windows/x86_64',
    dimension: 'vcpuHour',
  },
  'Fargate-Windows-GB-Hours': { kind: 'onDemand', platform: 'windows/x86_64', dimension: 'gbHour' },
  'Fargate-Windows-OS-Hours:perCPU': { kind: 'windowsLicense' },
  'Fargate-EphemeralStorage-GB-Hours': { kind: 'ephemeralStorage' },
  'SpotUsage-Fargate-vCPU-Hours:perCPU': { kind: 'spot', platform: 'linux/x86_64', dimension: 'vcpuHour' },
  'SpotUsage-Fargate-GB-Hours': { kind: 'spot', platform: 'linux/x86_64', dimension: 'gbHour' },
  'SpotUsage-Fargate-ARM-vCPU-Hours:perCPU': {
    kind: 'spot',
    platform: 'linux/arm64',
    dimension: 'vcpuHour',
  },
  'SpotUsage-Fargate-ARM-GB-Hours': { kind: 'spot', platform: 'linux/arm64', dimension: 'gbHour' },
};

/** The slot a usage type fills (`USE1-Fargate-GB-Hours` -> on-demand Linux x86 GB-hour). */
export function usageTypeSlot(usageType: string): UsageTypeSlot | undefined {
  if (SLOTS[usageType]) return SLOTS[usageType];
  const dash = usageType.indexOf('-');
  return dash > 0 ? SLOTS[usageType.slice(dash + 1)] : undefined;
}

function setRate(target: Partial<Record<Platform, PlatformRates>>, slot: UsageTypeSlot, rate: number) {
  if (slot.kind !== 'onDemand' && slot.kind !== 'spot') return;
  const rates = target[slot.platform] ?? {};
  rates[slot.dimension] = rate;
  target[slot.platform] = rates;
}

interface PriceListProduct {
  product?: { attributes?: Record<string, string | undefined> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { beginRange?: string; pricePerUnit?: { USD?: string } }> }
    >;
  };
}

/** The on-demand USD rate of a product: the tier that starts at 0 (Fargate has one tier). */
function onDemandUsd(product: PriceListProduct): number | undefined {
  for (const term of Object.values(product.terms?.OnDemand ?? {})) {
    const dims = Object.values(term.priceDimensions ?? {});
    const first = dims.find((d) => (d.beginRange ?? '0') === '0') ?? dims[0];
    const usd = first?.pricePerUnit?.USD;
    if (usd === undefined) continue;
    const rate = Number(usd);
    if (Number.isFinite(rate) && rate >= 0) return rate;
  }
  return undefined;
}

/**
 * Fills on-demand, Spot, Windows licence and ephemeral storage rates from GetProducts `PriceList`
 * strings of one region. Entries for other regions, other usage types, or without a USD rate are
 * skipped; an entry that is not JSON is an error (the answer is not what AWS sends).
 */
export function parsePriceList(
  priceList: readonly string[],
  region: string,
  into = emptyRegionPrices(),
): RegionPrices {
  for (const [i, entry] of priceList.entries()) {
    let product: PriceListProduct;
    try {
      product = JSON.parse(entry) as PriceListProduct;
    } catch {
      throw new Error(`PriceList[${i}] is not JSON`);
    }
    const attributes = product.product?.attributes ?? {};
    if (attributes.regionCode && attributes.regionCode !== region) continue;
    const slot = attributes.usagetype ? usageTypeSlot(attributes.usagetype) : undefined;
    const rate = slot && onDemandUsd(product);
    if (!slot || rate === undefined) continue;
    if (slot.kind === 'windowsLicense') into.windowsLicenseVcpuHour = rate;
    else if (slot.kind === 'ephemeralStorage') into.ephemeralStorageGbHour = rate;
    else setRate(slot.kind === 'spot' ? into.spot : into.onDemand, slot, rate);
  }
  return into;
}

/** One Savings Plans offering rate, as the API returns it (the fields ecsops reads). */
export interface SavingsPlanRateRecord {
  usageType?: string | undefined;
  rate?: string | undefined;
  /** 31536000 (1 year) or 94608000 (3 years). */
  durationSeconds?: number | undefined;
  paymentOption?: string | undefined;
  planType?: string | undefined;
}

const ONE_YEAR = 31_536_000;
const THREE_YEARS = 94_608_000;

/**
 * Fills the Compute Savings Plans (no upfront) rates for Fargate vCPU and GB usage types. Rates of
 * other plan types, payment options or terms are skipped.
 */
export function parseSavingsPlanRates(
  rates: readonly SavingsPlanRateRecord[],
  into = emptyRegionPrices(),
): RegionPrices {
  for (const r of rates) {
    if (r.planType && r.planType !== 'Compute') continue;
    if (r.paymentOption && r.paymentOption !== 'No Upfront') continue;
    const slot = r.usageType ? usageTypeSlot(r.usageType) : undefined;
    const rate = r.rate === undefined ? Number.NaN : Number(r.rate);
    if (slot?.kind !== 'onDemand' || !Number.isFinite(rate) || rate < 0) continue;
    const target =
      r.durationSeconds === ONE_YEAR
        ? into.savingsPlan1y
        : r.durationSeconds === THREE_YEARS
          ? into.savingsPlan3y
          : undefined;
    if (target) setRate(target, slot, rate);
  }
  return into;
}
