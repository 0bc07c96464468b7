import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KMS_LIST_PAGE, readKmsKeyState } from '../../src/aws/kms.js';
import { createLimiter } from '../../src/core/concurrency.js';

const ACCT = '123456789012';
const KEY_ID = '1111-2222';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCT}:key/${KEY_ID}`;
const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'us-east-1' });

/** Answers held until released, recording the order requests were sent in. */
function gates() {
  const started: string[] = [];
  const open = new Map<string, () => void>();
  return {
    started,
    /** A fake that records `name` and answers `value` once `release(name)` is called. */
    hold:
      <T>(name: string, value: T) =>
      () => {
        started.push(name);
        return new Promise<T>((resolve) => open.set(name, () => resolve(value)));
      },
    release(name: string) {
      const r = open.get(name);
      if (!r) throw new Error(`${name} was not sent`);
      r();
    },
  };
}
/** Lets the SDK's middleware and paginators run up to their next `send`. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

const customerKey = {
  KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' },
} as const;
const POLICY = JSON.stringify({
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' },
  ],
});

beforeEach(() => kmsMock.reset());
afterEach(() => kmsMock.reset());

describe('readKmsKeyState', () => {
  it('sends ListAliases with DescribeKey, then GetKeyPolicy and ListGrants together, before any of them answers', async () => {
    const g = gates();
    kmsMock.on(DescribeKeyCommand).callsFake(g.hold('DescribeKey', customerKey));
    kmsMock
      .on(ListAliasesCommand)
      .callsFake(g.hold('ListAliases', { Aliases: [{ AliasName: 'alias/app' }] }));
    kmsMock.on(GetKeyPolicyCommand).callsFake(g.hold('GetKeyPolicy', { Policy: POLICY }));
    kmsMock.on(ListGrantsCommand).callsFake(g.hold('ListGrants', { Grants: [] }));

    const read = readKmsKeyState(kms, KEY_ARN);
    await settle();
    expect(g.started).toEqual(['DescribeKey', 'ListAliases']);
    g.release('DescribeKey');
    await settle();
    // Both customer-key reads are out while ListAliases still has not answered.
    expect(g.started).toEqual(['DescribeKey', 'ListAliases', 'GetKeyPolicy', 'ListGrants']);
    g.release('ListGrants');
    g.release('GetKeyPolicy');
    g.release('ListAliases');
    const state = await read;
    expect(state).toMatchObject({
      status: 'found',
      value: { keyArn: KEY_ARN, keyId: KEY_ID, keyManager: 'CUSTOMER', aliases: ['alias/app'], grants: [] },
    });
    // The key policy is kept parsed, as read.
    const keyPolicy = state.status === 'found' ? state.value.keyPolicy : undefined;
    expect(keyPolicy?.parsed).toMatchObject({ ok: true, policy: { statements: [{ effect: 'Allow' }] } });
  });

  it('an alias: DescribeKey first (the others need the key id), then the three together', async () => {
    const g = gates();
    kmsMock.on(DescribeKeyCommand).callsFake(g.hold('DescribeKey', customerKey));
    kmsMock
      .on(ListAliasesCommand)
      .callsFake(g.hold('ListAliases', { Aliases: [{ AliasName: 'alias/app' }] }));
    kmsMock.on(GetKeyPolicyCommand).callsFake(g.hold('GetKeyPolicy', { Policy: POLICY }));
    kmsMock.on(ListGrantsCommand).callsFake(g.hold('ListGrants', { Grants: [] }));

    const read = readKmsKeyState(kms, 'alias/app');
    await settle();
    expect(g.started).toEqual(['DescribeKey']);
    g.release('DescribeKey');
    await settle();
    expect([...g.started].sort()).toEqual(['DescribeKey', 'GetKeyPolicy', 'ListAliases', 'ListGrants']);
    for (const n of ['ListAliases', 'GetKeyPolicy', 'ListGrants']) g.release(n);
    expect((await read).status).toBe('found');
    expect(kmsMock.commandCalls(ListAliasesCommand)[0]?.args[0].input.KeyId).toBe(KEY_ID);
    expect(kmsMock.commandCalls(GetKeyPolicyCommand)[0]?.args[0].input.KeyId).toBe(KEY_ARN);
  });

  it('asks ListAliases and ListGrants for 100 a page and follows every page', async () => {
    // The paginator reuses one input object: copy each request as it is sent.
    const sent: Record<string, unknown[]> = { aliases: [], grants: [] };
    kmsMock.on(DescribeKeyCommand).resolves(customerKey);
    kmsMock.on(ListAliasesCommand).callsFake((input: { Marker?: string }) => {
      sent.aliases?.push({ ...input });
      return input.Marker
        ? { Aliases: [{ AliasName: 'alias/a' }] }
        : { Aliases: [{ AliasName: 'alias/b' }], Truncated: true, NextMarker: 'a2' };
    });
    kmsMock.on(ListGrantsCommand).callsFake((input: { Marker?: string }) => {
      sent.grants?.push({ ...input });
      return input.Marker
        ? { Grants: [{ GrantId: 'g2', GranteePrincipal: 'p', Operations: ['Decrypt'] }] }
        : {
            Grants: [{ GrantId: 'g1', GranteePrincipal: 'p', Operations: ['Decrypt'] }],
            Truncated: true,
            NextMarker: 'g2',
          };
    });
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: POLICY });

    const state = await readKmsKeyState(kms, KEY_ID);
    expect(KMS_LIST_PAGE).toBe(100);
    expect(sent.aliases).toEqual([
      { KeyId: KEY_ID, Limit: 100 },
      { KeyId: KEY_ID, Limit: 100, Marker: 'a2' },
    ]);
    expect(sent.grants).toEqual([
      { KeyId: KEY_ARN, Limit: 100 },
      { KeyId: KEY_ARN, Limit: 100, Marker: 'g2' },
    ]);
    expect(state).toMatchObject({
      status: 'found',
      value: { aliases: ['alias/a', 'alias/b'], grants: [{ grantId: 'g1' }, { grantId: 'g2' }] },
    });
  });

  it('an AWS-managed key: no key policy or grant read', async () => {
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: KEY_ID,
        Arn: KEY_ARN,
        KeyManager: 'AWS' as const,
        KeyState: 'Enabled' as const,
      },
    });
    kmsMock.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/aws/ssm' }] });
    const state = await readKmsKeyState(kms, KEY_ARN);
    expect(state).toEqual({
      status: 'found',
      value: {
        keyArn: KEY_ARN,
        keyId: KEY_ID,
        keyManager: 'AWS',
        keyState: 'Enabled',
        aliases: ['alias/aws/ssm'],
      },
    });
    expect(kmsMock.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
    expect(kmsMock.commandCalls(ListGrantsCommand)).toHaveLength(0);
  });

  it('a missing key: missing, and the ListAliases sent alongside is dropped (its failure too)', async () => {
    kmsMock
      .on(DescribeKeyCommand)
      .rejects(Object.assign(new Error('no such key'), { name: 'NotFoundException', $metadata: {} }));
    kmsMock
      .on(ListAliasesCommand)
      .rejects(Object.assign(new Error('no such key'), { name: 'NotFoundException', $metadata: {} }));
    expect(await readKmsKeyState(kms, KEY_ARN)).toEqual({ status: 'missing' });
  });

  it('a denied ListGrants or GetKeyPolicy is a marker naming the action, with the key ARN', async () => {
    const denied = () => Object.assign(new Error('nope'), { name: 'AccessDeniedException', $metadata: {} });
    kmsMock.on(DescribeKeyCommand).resolves(customerKey);
    kmsMock.on(ListAliasesCommand).resolves({ Aliases: [] });
    kmsMock.on(GetKeyPolicyCommand).rejects(denied());
    kmsMock.on(ListGrantsCommand).rejects(denied());
    const state = await readKmsKeyState(kms, KEY_ID);
    expect(state).toMatchObject({
      status: 'found',
      value: {
        keyPolicy: {
          source: `key policy of ${KEY_ARN}`,
          document: { unreadable: true, lackingPermission: 'kms:GetKeyPolicy' },
        },
        grants: { unreadable: true, lackingPermission: 'kms:ListGrants' },
      },
    });
  });

  it('keeps to the limit it is given', async () => {
    let inFlight = 0;
    let most = 0;
    const slow =
      <T>(value: T) =>
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return value;
      };
    kmsMock.on(DescribeKeyCommand).callsFake(slow(customerKey));
    kmsMock.on(ListAliasesCommand).callsFake(slow({ Aliases: [] }));
    kmsMock.on(GetKeyPolicyCommand).callsFake(slow({ Policy: POLICY }));
    kmsMock.on(ListGrantsCommand).callsFake(slow({ Grants: [] }));
    const limit = createLimiter(1);
    await Promise.all([readKmsKeyState(kms, KEY_ARN, { limit }), readKmsKeyState(kms, KEY_ID, { limit })]);
    expect(most).toBe(1);
  });
});
