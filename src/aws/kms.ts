/**
 * KMS metadata calls for `secrets check`: which key encrypts a secret, who manages it, its key
 * policy, grants and aliases. Nothing here encrypts or decrypts. API reference:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { allInOrder, type Limit, observed } from '../core/concurrency.js';
import type { KmsGrant, KmsGrants } from '../core/iam/evaluate.js';
import { withParsedPolicy } from '../core/iam/policy.js';
import type { KmsKeyState, Lookup } from '../core/secrets/check.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import { isAccessDenied, unreadable } from './iam.js';
import { sdk } from './sdk.js';

const { DescribeKeyCommand, GetKeyPolicyCommand, paginateListAliases, paginateListGrants } =
  sdk('@aws-sdk/client-kms');

/** ListAliases and ListGrants return at most 100 items a page (Limit). */
export const KMS_LIST_PAGE = 100;

/** How `readKmsKeyState` reads: the run's bound on requests in flight. */
export interface KmsReadOptions {
  /** Every KMS request goes through it; without it, a key's reads start as soon as they can. */
  limit?: Limit | undefined;
}

const unlimited: Limit = (fn) => fn();

/** A key id or key ARN (not an alias): what GetKeyPolicy, ListGrants and ListAliases accept as KeyId. */
function isKeyIdOrArn(keyId: string): boolean {
  return !/^alias\//.test(keyId) && !/^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(keyId);
}

/**
 * DescribeKey (accepts a key id, key ARN, alias name or alias ARN), ListAliases, and for
 * customer-managed keys GetKeyPolicy and ListGrants. For a key id or ARN, ListAliases is sent with
 * DescribeKey; GetKeyPolicy and ListGrants go together once DescribeKey has said the key is
 * customer-managed (AWS-managed keys need neither, docs/aws-facts.md §4.4, and only DescribeKey
 * tells them apart). For an alias, the other three go together after DescribeKey. A call we may not
 * make becomes an `unreadable` marker.
 */
export async function readKmsKeyState(
  kms: KMSClient,
  keyId: string,
  options: KmsReadOptions = {},
): Promise<Lookup<KmsKeyState>> {
  const limit = options.limit ?? unlimited;
  const send = <T>(fn: () => Promise<T>) => observed(limit(fn));
  const described = send(() =>
    awsCall({ operation: 'kms:DescribeKey', iamAction: 'kms:DescribeKey', resource: keyId }, () =>
      kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    ),
  );
  // ListAliases takes a key id or ARN, not an alias: for an alias it waits for DescribeKey's key id.
  const earlyAliases = isKeyIdOrArn(keyId) ? send(() => aliasPages(kms, keyId)) : undefined;

  let meta: { Arn?: string; KeyId?: string; KeyManager?: string; KeyState?: string } | undefined;
  try {
    meta = (await described).KeyMetadata;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'NotFoundException') return { status: 'missing' };
    if (isAccessDenied(e))
      return { status: 'unreadable', lackingPermission: 'kms:DescribeKey', reason: e.code };
    throw e;
  }
  if (!meta?.Arn || !meta.KeyId) return { status: 'missing' };
  const keyArn = meta.Arn;
  const id = meta.KeyId;
  const keyManager = meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER';
  const customer = keyManager === 'CUSTOMER';
  const aliases = earlyAliases ?? send(() => aliasPages(kms, id));
  const policy = customer
    ? send(() => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })))
    : undefined;
  const grants = customer ? send(() => grantPages(kms, keyArn)) : undefined;
  const [aliasList, keyPolicy, grantList] = await allInOrder([
    aliasNames(aliases, id),
    policy ? keyPolicyOf(policy, keyArn) : Promise.resolve(undefined),
    grants ? grantsOf(grants, keyArn) : Promise.resolve(undefined),
  ]);
  const state: KmsKeyState = { keyArn, keyId: id, keyManager, keyState: meta.KeyState, aliases: aliasList };
  if (!customer) return { status: 'found', value: state };
  state.keyPolicy = keyPolicy;
  state.grants = grantList;
  return { status: 'found', value: state };
}

async function keyPolicyOf(
  pending: Promise<{ Policy?: string | undefined }>,
  keyArn: string,
): Promise<NonNullable<KmsKeyState['keyPolicy']>> {
  const source = `key policy of ${keyArn}`;
  try {
    const p = await awsCall(
      { operation: 'kms:GetKeyPolicy', iamAction: 'kms:GetKeyPolicy', resource: keyArn },
      () => pending,
    );
    return withParsedPolicy({ source, document: p.Policy ?? '' });
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    return { source, document: unreadable('kms:GetKeyPolicy', e) };
  }
}

/** Every grant of a key, one page of up to 100 after another. */
async function grantPages(kms: KMSClient, keyId: string): Promise<KmsGrant[]> {
  const grants: KmsGrant[] = [];
  for await (const page of paginateListGrants({ client: kms, pageSize: KMS_LIST_PAGE }, { KeyId: keyId })) {
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
}

async function grantsOf(pending: Promise<KmsGrant[]>, keyArn: string): Promise<KmsGrants> {
  try {
    return await awsCall(
      { operation: 'kms:ListGrants', iamAction: 'kms:ListGrants', resource: keyArn },
      () => pending,
    );
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    const u = unreadable('kms:ListGrants', e);
    return { unreadable: true, lackingPermission: u.lackingPermission, reason: u.reason };
  }
}

/** Every alias name of a key, one page of up to 100 after another. */
async function aliasPages(kms: KMSClient, keyId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListAliases({ client: kms, pageSize: KMS_LIST_PAGE }, { KeyId: keyId })) {
    for (const a of page.Aliases ?? []) if (a.AliasName) names.push(a.AliasName);
  }
  return names.sort();
}

/** Alias names of one key; aliases only label the report, so a denied ListAliases yields none. */
async function aliasNames(pending: Promise<string[]>, keyId: string): Promise<string[]> {
  try {
    return await awsCall(
      { operation: 'kms:ListAliases', iamAction: 'kms:ListAliases', resource: keyId },
      () => pending,
    );
  } catch (e) {
    if (isAccessDenied(e)) return [];
    throw e;
  }
}

/** The KMS metadata operations ecsops makes, bound to one region. */
export interface KmsApi {
  readKmsKeyState(keyId: string, options?: KmsReadOptions): Promise<Lookup<KmsKeyState>>;
}

/** Binds the KMS operations to one region's client. */
export function createKmsApi(kms: KMSClient): KmsApi {
  return { readKmsKeyState: (keyId, options) => readKmsKeyState(kms, keyId, options) };
}
