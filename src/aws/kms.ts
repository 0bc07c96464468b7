/**
 * KMS metadata calls for `secrets check`: which key encrypts a secret, who manages it, its key
 * policy, grants and aliases. Nothing here encrypts or decrypts. API reference:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KmsGrant, KmsGrants } from '../core/iam/evaluate.js';
import type { KmsKeyState, Lookup } from '../core/secrets/check.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import { isAccessDenied, unreadable } from './iam.js';
import { sdk } from './sdk.js';

const { DescribeKeyCommand, GetKeyPolicyCommand, paginateListAliases, paginateListGrants } =
  sdk('@aws-sdk/client-kms');

/**
 * DescribeKey (accepts a key id, key ARN, alias name or alias ARN), then for customer-managed keys
 * GetKeyPolicy, ListGrants and ListAliases. A call we may not make becomes an `unreadable` marker.
 */
export async function readKmsKeyState(kms: KMSClient, keyId: string): Promise<Lookup<KmsKeyState>> {
  let meta: { Arn?: string; KeyId?: string; KeyManager?: string; KeyState?: string } | undefined;
  try {
    const out = await awsCall(
      { operation: 'kms:DescribeKey', iamAction: 'kms:DescribeKey', resource: keyId },
      () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    );
    meta = out.KeyMetadata;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'NotFoundException') return { status: 'missing' };
    if (isAccessDenied(e))
      return { status: 'unreadable', lackingPermission: 'kms:DescribeKey', reason: e.code };
    throw e;
  }
  if (!meta?.Arn || !meta.KeyId) return { status: 'missing' };
  const keyArn = meta.Arn;
  const state: KmsKeyState = {
    keyArn,
    keyId: meta.KeyId,
    keyManager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
    keyState: meta.KeyState,
    aliases: await listAliasNames(kms, meta.KeyId),
  };
  // AWS-managed keys need no key-policy or grant analysis (docs/aws-facts.md §4.4).
  if (state.keyManager === 'AWS') return { status: 'found', value: state };

  try {
    const p = await awsCall(
      { operation: 'kms:GetKeyPolicy', iamAction: 'kms:GetKeyPolicy', resource: keyArn },
      () => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })),
    );
    state.keyPolicy = { source: `key policy of ${keyArn}`, document: p.Policy ?? '' };
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    state.keyPolicy = { source: `key policy of ${keyArn}`, document: unreadable('kms:GetKeyPolicy', e) };
  }
  state.grants = await listGrants(kms, keyArn);
  return { status: 'found', value: state };
}

async function listGrants(kms: KMSClient, keyArn: string): Promise<KmsGrants> {
  try {
    return await awsCall(
      { operation: 'kms:ListGrants', iamAction: 'kms:ListGrants', resource: keyArn },
      async () => {
        const grants: KmsGrant[] = [];
        for await (const page of paginateListGrants({ client: kms }, { KeyId: keyArn })) {
          for (const g of page.Grants ?? []) {
            if (!g.GranteePrincipal) continue;
            grants.push({
              grantId: g.GrantId,
              name: g.Name,
              granteePrincipal: g.GranteePrincipal,
              operations: g.Operations ?? [],
              constraints: g.Constraints
                ? {
                    encryptionContextSubset: g.Constraints.EncryptionContextSubset,
                    encryptionContextEquals: g.Constraints.EncryptionContextEquals,
                  }
                : undefined,
            });
          }
        }
        return grants;
      },
    );
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    const u = unreadable('kms:ListGrants', e);
    return { unreadable: true, lackingPermission: u.lackingPermission, reason: u.reason };
  }
}

/** Alias names of one key; aliases only label the report, so a denied ListAliases yields none. */
async function listAliasNames(kms: KMSClient, keyId: string): Promise<string[]> {
  try {
    return await awsCall(
      { operation: 'kms:ListAliases', iamAction: 'kms:ListAliases', resource: keyId },
      async () => {
        const names: string[] = [];
        for await (const page of paginateListAliases({ client: kms }, { KeyId: keyId })) {
          for (const a of page.Aliases ?? []) if (a.AliasName) names.push(a.AliasName);
        }
        return names.sort();
      },
    );
  } catch (e) {
    if (isAccessDenied(e)) return [];
    throw e;
  }
}

/** The KMS metadata operations ecsops makes, bound to one region. */
export interface KmsApi {
  readKmsKeyState(keyId: string): Promise<Lookup<KmsKeyState>>;
}

/** Binds the KMS operations to one region's client. */
export function createKmsApi(kms: KMSClient): KmsApi {
  return { readKmsKeyState: (keyId) => readKmsKeyState(kms, keyId) };
}
