/**
 * Fargate price tables: the shape of the bundled table, of a `--prices-file`, and of what the live
 * Price List and Savings Plans answers are turned into (see docs/pricing.md). All rates are USD per
 * hour; a rate that is absent is unknown and is never guessed.
 */

/** The operating-system / CPU-architecture combinations Fargate prices separately. */
export const PLATFORMS = ['linux/x86_64', 'linux/arm64', 'windows/x86_64'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Per-vCPU-hour and per-GB-hour rates of one platform. */
export interface PlatformRates {
  vcpuHour?: number | undefined;
  gbHour?: number | undefined;
}

/** Every rate ecsops uses for one region. */
export interface RegionPrices {
  onDemand: Partial<Record<Platform, PlatformRates>>;
  /** Fargate Spot: Linux only (Windows has no Spot). */
  spot: Partial<Record<Platform, PlatformRates>>;
  /** Windows OS licence fee per vCPU-hour, on top of the Windows vCPU rate. */
  windowsLicenseVcpuHour?: number | undefined;
  /** Per GB-hour of ephemeral storage beyond the 20 GiB every task gets free. */
  ephemeralStorageGbHour?: number | undefined;
  /** Compute Savings Plans, no upfront, by term. */
  savingsPlan1y: Partial<Record<Platform, PlatformRates>>;
  savingsPlan3y: Partial<Record<Platform, PlatformRates>>;
}

/** A whole table: the bundled one, a user's file, or the live answers for some regions. */
export interface PriceTable {
  /** Where the numbers come from, in words a reader can check. */
  source: string;
  /** The date the numbers were read (YYYY-MM-DD). */
  asOf: string;
  currency: 'USD';
  regions: Record<string, RegionPrices>;
}

/** Where a region's rates came from in this run. */
export type PriceSourceKind = 'price-list-api' | 'bundled' | 'file';

/** A region's rates as one run uses them, with their provenance. */
export interface ResolvedPrices {
  region: string;
  kind: PriceSourceKind;
  source: string;
  asOf: string;
  /** Why the live APIs were not used (bundled fallback only). */
  fallbackReason?: string | undefined;
  /** Undefined when the table has no entry for the region: every rate is unknown. */
  rates: RegionPrices | undefined;
}

/** A region entry with no rates at all. */
export function emptyRegionPrices(): RegionPrices {
  return { onDemand: {}, spot: {}, savingsPlan1y: {}, savingsPlan3y: {} };
}
