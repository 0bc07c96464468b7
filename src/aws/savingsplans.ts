/**
 * Savings Plans calls ecsops makes (read-only). API reference:
 * https://docs.aws.amazon.com/savingsplans/latest/APIReference/API_DescribeSavingsPlansOfferingRates.html
 *
 * The Savings Plans API has one global endpoint (clients.ts builds this client in us-east-1).
 */
import type { SavingsplansClient } from '@aws-sdk/client-savingsplans';
import type { SavingsPlanRateRecord } from '../core/cost/price-list.js';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { DescribeSavingsPlansOfferingRatesCommand } = sdk('@aws-sdk/client-savingsplans');

/** DescribeSavingsPlansOfferingRates answers at most 1000 rates a page. */
export const OFFERING_RATES_PAGE = 1000;

/**
 * Compute Savings Plans, no-upfront offering rates for Fargate on ECS in `region` (1- and 3-year
 * terms; both come back in one listing), following nextToken.
 */
export async function describeFargateOfferingRates(
  savingsplans: SavingsplansClient,
  region: string,
): Promise<SavingsPlanRateRecord[]> {
  return awsCall(
    {
      operation: 'savingsplans:DescribeSavingsPlansOfferingRates',
      iamAction: 'savingsplans:DescribeSavingsPlansOfferingRates',
      resource: `Fargate ${region}`,
    },
    async () => {
      const rates: SavingsPlanRateRecord[] = [];
      let nextToken: string | undefined;
      do {
        const out = await savingsplans.send(
          new DescribeSavingsPlansOfferingRatesCommand({
            savingsPlanTypes: ['Compute'],
            savingsPlanPaymentOptions: ['No Upfront'],
            products: ['Fargate'],
            serviceCodes: ['AmazonECS'],
            filters: [{ name: 'region', values: [region] }],
            maxResults: OFFERING_RATES_PAGE,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        for (const r of out.searchResults ?? []) {
          rates.push({
            usageType: r.usageType,
            rate: r.rate,
            durationSeconds: r.savingsPlanOffering?.durationSeconds,
            paymentOption: r.savingsPlanOffering?.paymentOption,
            planType: r.savingsPlanOffering?.planType,
          });
        }
        nextToken = out.nextToken || undefined;
      } while (nextToken);
      return rates;
    },
  );
}

/** The Savings Plans operations ecsops makes. */
export interface SavingsPlansApi {
  describeFargateOfferingRates(region: string): Promise<SavingsPlanRateRecord[]>;
}

export function createSavingsPlansApi(savingsplans: SavingsplansClient): SavingsPlansApi {
  return { describeFargateOfferingRates: (region) => describeFargateOfferingRates(savingsplans, region) };
}
