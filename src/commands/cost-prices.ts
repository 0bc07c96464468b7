/**
 * Which rates a `cost` run uses, per region: live from the Price List and Savings Plans APIs (read
 * once per region per run), the bundled table when those cannot be reached or are denied, or a
 * user's `--prices-file`. Sources and endpoints: docs/pricing.md.
 */
import { readFile } from 'node:fs/promises';
import { mapConcurrent } from '../core/concurrency.js';
import { BUNDLED_PRICES } from '../core/cost/bundled-prices.js';
import { parsePriceTable } from '../core/cost/price-file.js';
import { parsePriceList, parseSavingsPlanRates } from '../core/cost/price-list.js';
import type { PriceTable, ResolvedPrices } from '../core/cost/prices.js';
import { InputError, InterruptedError } from '../errors.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';

/** Where `--prices-file` / `--bundled-prices` / neither sends the run. */
export type PriceChoice = { kind: 'live' } | { kind: 'bundled' } | { kind: 'file'; path: string };

export const LIVE_SOURCE =
  'AWS Price List API (pricing:GetProducts, service code AmazonECS) and Savings Plans API (savingsplans:DescribeSavingsPlansOfferingRates, Compute, No Upfront)';

/** Reads and validates a `--prices-file`. */
export async function readPriceFile(path: string): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read --prices-file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(`--prices-file ${path} is not JSON: ${(error as Error).message}`, { path: '$' });
  }
  try {
    return parsePriceTable(document, `--prices-file ${path}`);
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(`--prices-file ${path}: ${error.message}`, {
        hint: 'The format is documented in README "ecsops cost" (the bundled table uses it too).',
      });
    throw error;
  }
}

function fromTable(
  table: PriceTable,
  region: string,
  kind: ResolvedPrices['kind'],
  fallbackReason?: string,
): ResolvedPrices {
  return {
    region,
    kind,
    source: table.source,
    asOf: table.asOf,
    ...(fallbackReason ? { fallbackReason } : {}),
    rates: table.regions[region],
  };
}

/** The rates for each region, keyed by region name. */
export async function resolvePrices(
  ctx: CommandContext,
  regions: readonly string[],
  choice: PriceChoice,
): Promise<Map<string, ResolvedPrices>> {
  if (choice.kind === 'file') {
    const table = await readPriceFile(choice.path);
    return new Map(regions.map((r) => [r, fromTable(table, r, 'file')]));
  }
  if (choice.kind === 'bundled')
    return new Map(regions.map((r) => [r, fromTable(BUNDLED_PRICES, r, 'bundled')]));

  const asOf = new Date(ctx.now()).toISOString().slice(0, 10);
  const settled = await mapConcurrent(
    regions,
    ctx.global.concurrency,
    async (region): Promise<ResolvedPrices> => {
      let rates: ResolvedPrices['rates'];
      try {
        rates = parsePriceList(await (await ctx.aws.pricing()).getEcsProducts(region), region);
      } catch (error) {
        return fromTable(
          BUNDLED_PRICES,
          region,
          'bundled',
          `the Price List API failed: ${describeError(error)}`,
        );
      }
      try {
        parseSavingsPlanRates(
          await (await ctx.aws.savingsPlans()).describeFargateOfferingRates(region),
          rates,
        );
      } catch (error) {
        // On-demand rates are live; only the Savings Plans columns become unknown.
        ctx.out.warn(`${region}: Savings Plans rates unavailable, shown as unknown: ${describeError(error)}`);
      }
      return { region, kind: 'price-list-api', source: LIVE_SOURCE, asOf, rates };
    },
    ctx.signal,
  );
  const out = new Map<string, ResolvedPrices>();
  settled.forEach((s, i) => {
    if (s.status === 'not-started')
      throw new InterruptedError('Interrupted while reading prices: nothing was changed.');
    if (s.status === 'rejected') throw s.reason;
    out.set(regions[i] as string, s.value);
  });
  return out;
}

/** One warning per region that fell back to the bundled table. */
export function warnFallbacks(ctx: CommandContext, prices: ReadonlyMap<string, ResolvedPrices>): void {
  for (const p of prices.values()) {
    if (p.fallbackReason)
      ctx.out.warn(`${p.region}: using the bundled price table (as of ${p.asOf}): ${p.fallbackReason}`);
  }
}
