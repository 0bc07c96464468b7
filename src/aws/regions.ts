/**
 * Region discovery for `--region all`: the regions enabled for the account (EC2 DescribeRegions), which
 * is where ECS can be called; opt-in regions the account has not enabled would only fail.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { DescribeRegionsCommand } = sdk('@aws-sdk/client-ec2');

/** Names of the regions enabled for this account, sorted. */
export async function listEnabledRegions(ec2: EC2Client): Promise<string[]> {
  const out = await awsCall({ operation: 'ec2:DescribeRegions', iamAction: 'ec2:DescribeRegions' }, () =>
    ec2.send(new DescribeRegionsCommand({ AllRegions: false })),
  );
  return (out.Regions ?? [])
    .map((r) => r.RegionName)
    .filter((n): n is string => Boolean(n))
    .sort();
}

/** The EC2 operations ecsops makes. */
export interface Ec2Api {
  listEnabledRegions(): Promise<string[]>;
}

/** Binds the EC2 operations to a client. */
export function createEc2Api(ec2: EC2Client): Ec2Api {
  return { listEnabledRegions: () => listEnabledRegions(ec2) };
}
