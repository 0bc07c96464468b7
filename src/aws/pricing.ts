/**
 * AWS Price List Query API calls ecsops makes (read-only). API reference:
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 *
 * The Query API answers only at a few endpoints (us-east-1, eu-central-1, ap-south-1), whatever
 * region is priced; clients.ts builds this client in us-east-1 (see docs/pricing.md "Price List API").
 */
import type { PricingClient } from '@aws-sdk/client-pricing';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { paginateGetProducts } = sdk('@aws-sdk/client-pricing');

/** The Price List service code of Amazon ECS, which holds the Fargate rates for ECS. */
export const ECS_SERVICE_CODE = 'AmazonECS';
/** GetProducts pages hold at most 100 products. */
export const GET_PRODUCTS_PAGE = 100;

/** Every AmazonECS PriceList entry (JSON strings) of one region (GetProducts, filter regionCode). */
export async function getEcsProducts(pricing: PricingClient, region: string): Promise<string[]> {
  return awsCall(
    {
      operation: 'pricing:GetProducts',
      iamAction: 'pricing:GetProducts',
      resource: `${ECS_SERVICE_CODE} ${region}`,
    },
    async () => {
      const entries: string[] = [];
      for await (const page of paginateGetProducts(
        { client: pricing, pageSize: GET_PRODUCTS_PAGE },
        {
          ServiceCode: ECS_SERVICE_CODE,
          FormatVersion: 'aws_v1',
          Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
        },
      )) {
        for (const p of page.PriceList ?? []) entries.push(typeof p === 'string' ? p : JSON.stringify(p));
      }
      return entries;
    },
  );
}

/** The Price List operations ecsops makes. */
export interface PricingApi {
  /** AmazonECS PriceList entries (JSON strings) for `region`. */
  getEcsProducts(region: string): Promise<string[]>;
}

export function createPricingApi(pricing: PricingClient): PricingApi {
  return { getEcsProducts: (region) => getEcsProducts(pricing, region) };
}
