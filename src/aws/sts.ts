/**
 * STS: GetCallerIdentity (the account and partition ecsops builds ARNs with; needs no IAM permission)
 * and AssumeRole (the credentials of each account of a fleet run; see docs/fleet.md).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { AssumeRoleCommand, GetCallerIdentityCommand } = sdk('@aws-sdk/client-sts');

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

/** What AssumeRole is asked for. */
export interface AssumeRoleRequest {
  roleArn: string;
  /** 2-64 characters of [\w+=,.@-]; shows in the account's CloudTrail as the session. */
  sessionName: string;
  externalId?: string | undefined;
  /** Omitted: STS's default of one hour (also the most a role-chained session may have). */
  durationSeconds?: number | undefined;
}

/** Temporary credentials from AssumeRole. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** AssumeRole: temporary credentials that act as `roleArn` (in the role's account). */
export async function assumeRole(sts: STSClient, request: AssumeRoleRequest): Promise<TemporaryCredentials> {
  const out = await awsCall(
    { operation: 'sts:AssumeRole', iamAction: 'sts:AssumeRole', resource: request.roleArn },
    () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.sessionName,
          ...(request.externalId ? { ExternalId: request.externalId } : {}),
          ...(request.durationSeconds ? { DurationSeconds: request.durationSeconds } : {}),
        }),
      ),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error(`BUG: sts:AssumeRole for ${request.roleArn} returned no credentials`);
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    // STS always sends Expiration; an hour is its default duration should it ever be missing.
    expiration: c.Expiration ?? new Date(Date.now() + 3600_000),
  };
}

/** The STS operations ecsops makes. */
export interface StsApi {
  getCallerIdentity(): Promise<CallerIdentity>;
  assumeRole(request: AssumeRoleRequest): Promise<TemporaryCredentials>;
}

/** Binds the STS operations to a client. */
export function createStsApi(sts: STSClient): StsApi {
  return {
    getCallerIdentity: () => getCallerIdentity(sts),
    assumeRole: (request) => assumeRole(sts, request),
  };
}
