/**
 * Reads a price table document (the bundled table's format, which `--prices-file` also takes; see
 * README "ecsops cost" and docs/pricing.md). Malformed input is an InputError naming the field.
 */
import { InputError } from '../../errors.js';
import { emptyRegionPrices, PLATFORMS, type PriceTable, type RegionPrices } from './prices.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rate(v: Json, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new InputError('expected a rate: a number of USD per hour, 0 or more', { path });
  return v;
}

function platformMap(v: Json, path: string): RegionPrices['onDemand'] {
  if (v === undefined) return {};
  if (!isObject(v)) throw new InputError('expected an object keyed by platform', { path });
  const out: RegionPrices['onDemand'] = {};
  for (const [key, value] of Object.entries(v)) {
    if (!(PLATFORMS as readonly string[]).includes(key))
      throw new InputError(`unknown platform "${key}" (expected ${PLATFORMS.join(', ')})`, { path });
    if (!isObject(value)) throw new InputError('expected {vcpuHour, gbHour}', { path: `${path}.${key}` });
    out[key as (typeof PLATFORMS)[number]] = {
      vcpuHour: rate(value.vcpuHour, `${path}.${key}.vcpuHour`),
      gbHour: rate(value.gbHour, `${path}.${key}.gbHour`),
    };
  }
  return out;
}

/** Validates a parsed price table document; `source` names the file in the table when it has none. */
export function parsePriceTable(document: Json, fallbackSource: string): PriceTable {
  if (!isObject(document)) throw new InputError('a price table must be a JSON object', { path: '$' });
  const asOf = document.asOf;
  if (typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(asOf))
    throw new InputError('expected the date the rates were read, as YYYY-MM-DD', { path: 'asOf' });
  if (document.currency !== undefined && document.currency !== 'USD')
    throw new InputError('only USD rates are supported', { path: 'currency' });
  if (!isObject(document.regions))
    throw new InputError('expected an object keyed by region name', { path: 'regions' });
  const regions: Record<string, RegionPrices> = {};
  for (const [region, value] of Object.entries(document.regions)) {
    const path = `regions.${region}`;
    if (!isObject(value)) throw new InputError('expected an object of rates', { path });
    regions[region] = {
      ...emptyRegionPrices(),
      onDemand: platformMap(value.onDemand, `${path}.onDemand`),
      spot: platformMap(value.spot, `${path}.spot`),
      windowsLicenseVcpuHour: rate(value.windowsLicenseVcpuHour, `${path}.windowsLicenseVcpuHour`),
      ephemeralStorageGbHour: rate(value.ephemeralStorageGbHour, `${path}.ephemeralStorageGbHour`),
      savingsPlan1y: platformMap(value.savingsPlan1y, `${path}.savingsPlan1y`),
      savingsPlan3y: platformMap(value.savingsPlan3y, `${path}.savingsPlan3y`),
    };
  }
  return {
    source: typeof document.source === 'string' && document.source ? document.source : fallbackSource,
    asOf: asOf.slice(0, 10),
    currency: 'USD',
    regions,
  };
}
