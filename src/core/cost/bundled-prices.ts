/**
 * The price table ecsops falls back to when the Price List / Savings Plans APIs cannot be reached
 * or are denied. The same shape as a `--prices-file` (README "ecsops cost"). Every number and its
 * source is listed in docs/pricing.md "Bundled table"; a rate that could not be confirmed from a
 * dated source is left out (reported as unknown), never estimated.
 *
 * Rebuild it from the live Price List API with: node scripts/refresh-prices.mjs --write
 */
import type { PriceTable } from './prices.js';

export const BUNDLED_PRICES: PriceTable = {
  source:
    'ecsops bundled table: AWS Fargate on-demand rates (Price List API service code AmazonECS, Linux x86_64/ARM64, ephemeral storage, Windows OS licence), compiled from dated public copies listed in docs/pricing.md; Spot, Savings Plans and Windows compute rates not bundled',
  asOf: '2026-06-17',
  currency: 'USD',
  regions: {
    'us-east-1': {
      onDemand: {
        'linux/x86_64': { vcpuHour: 0.04048, gbHour: 0.004445 },
        'linux/arm64': { vcpuHour: 0.03238, gbHour: 0.00356 },
      },
      spot: {},
      windowsLicenseVcpuHour: 0.046,
      ephemeralStorageGbHour: 0.000111,
      savingsPlan1y: {},
      savingsPlan3y: {},
    },
    'us-west-2': {
      onDemand: { 'linux/x86_64': { vcpuHour: 0.04048, gbHour: 0.004445 } },
      spot: {},
      savingsPlan1y: {},
      savingsPlan3y: {},
    },
    'eu-west-1': {
      onDemand: { 'linux/x86_64': { vcpuHour: 0.04048, gbHour: 0.004445 } },
      spot: {},
      savingsPlan1y: {},
      savingsPlan3y: {},
    },
  },
};
