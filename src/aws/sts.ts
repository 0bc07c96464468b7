/**
 * STS GetCallerIdentity: the account and partition ecsops builds ARNs with. Needs no IAM permission.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { GetCallerIdentityCommand } = sdk('@aws-sdk/client-sts');

/** Who the caller is. */
export interface CallerIdentity {
  account: string;
  arn: string;
  partition: string;
}

/** The caller's account, ARN and partition. */
export async function getCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const out = await awsCall({ operation: 'sts:GetCallerIdentity', iamAction: 'sts:GetCallerIdentity' }, () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  const arn = out.Arn ?? '';
  return { account: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
}

/** The STS operations ecsops makes. */
export interface StsApi {
  getCallerIdentity(): Promise<CallerIdentity>;
}

/** Binds the STS operations to a client. */
export function createStsApi(sts: STSClient): StsApi {
  return { getCallerIdentity: () => getCallerIdentity(sts) };
}
