/**
 * Secrets Manager metadata calls: DescribeSecret and GetResourcePolicy. ecsops never calls
 * GetSecretValue. API reference:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Lookup, SecretMetadataState } from '../core/secrets/check.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import { isAccessDenied, unreadable } from './iam.js';
import { sdk } from './sdk.js';

const { DescribeSecretCommand, GetResourcePolicyCommand } = sdk('@aws-sdk/client-secrets-manager');

/** A secret's ARN, name, KMS key and resource policy, by name or (partial) ARN. */
export async function readSecretMetadata(
  sm: SecretsManagerClient,
  secretId: string,
): Promise<Lookup<SecretMetadataState>> {
  let arn: string | undefined;
  let name: string | undefined;
  let kmsKeyId: string | undefined;
  try {
    const out = await awsCall(
      {
        operation: 'secretsmanager:DescribeSecret',
        iamAction: 'secretsmanager:DescribeSecret',
        resource: secretId,
      },
      () => sm.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
    arn = out.ARN;
    name = out.Name;
    kmsKeyId = out.KmsKeyId;
    // A secret scheduled for deletion cannot be read: to ECS it is as good as missing.
    if (out.DeletedDate) return { status: 'missing' };
  } catch (e) {
    if (e instanceof AwsError && e.code === 'ResourceNotFoundException') return { status: 'missing' };
    if (isAccessDenied(e))
      return { status: 'unreadable', lackingPermission: 'secretsmanager:DescribeSecret', reason: e.code };
    throw e;
  }
  if (!arn) return { status: 'missing' };
  const value: SecretMetadataState = { arn, name: name ?? secretId, kmsKeyId };
  try {
    const p = await awsCall(
      {
        operation: 'secretsmanager:GetResourcePolicy',
        iamAction: 'secretsmanager:GetResourcePolicy',
        resource: arn,
      },
      () => sm.send(new GetResourcePolicyCommand({ SecretId: arn })),
    );
    if (p.ResourcePolicy)
      value.resourcePolicy = { source: `resource policy of ${arn}`, document: p.ResourcePolicy };
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    value.resourcePolicy = {
      source: `resource policy of ${arn}`,
      document: unreadable('secretsmanager:GetResourcePolicy', e),
    };
  }
  return { status: 'found', value };
}

/** The Secrets Manager metadata operations ecsops makes, bound to one region. */
export interface SecretsManagerApi {
  readSecretMetadata(secretId: string): Promise<Lookup<SecretMetadataState>>;
}

/** Binds the Secrets Manager operations to one region's client. */
export function createSecretsManagerApi(sm: SecretsManagerClient): SecretsManagerApi {
  return { readSecretMetadata: (secretId) => readSecretMetadata(sm, secretId) };
}
