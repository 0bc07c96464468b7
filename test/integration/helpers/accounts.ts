/**
 * Acting as other AWS accounts in moto: sts:AssumeRole into `arn:aws:iam::<id>:role/...` returns
 * credentials that moto treats as that account (its own clusters, alarms, roles). The role need not
 * exist in moto.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { motoClientConfig } from './moto.js';

/** SDK client config acting in `account` (through AssumeRole), in `region`. */
export async function accountClientConfig(account: string, region = 'us-east-1') {
  const sts = new STSClient(motoClientConfig(region));
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'ecsops-test-seed',
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error('moto AssumeRole gave no credentials');
  return {
    ...motoClientConfig(region),
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  };
}
