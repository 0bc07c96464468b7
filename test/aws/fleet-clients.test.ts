import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { clientSettings, createAwsClients } from '../../src/aws/clients.js';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

describe('clients on assumed-role credentials', () => {
  it('pass the credential provider to every SDK client, and leave the chain alone without one', async () => {
    const credentials = async () => ({ accessKeyId: 'AK', secretAccessKey: 's', sessionToken: 't' });
    expect(clientSettings({ maxAttempts: 1, userAgent: 'u', credentials }, 'eu-west-1').credentials).toBe(
      credentials,
    );
    expect('credentials' in clientSettings({ maxAttempts: 1, userAgent: 'u' }, 'eu-west-1')).toBe(false);
  });

  it('are a separate set of clients per account (own caches, own rate limiting)', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/r/s' });
    const credentials = async () => ({ accessKeyId: 'AK', secretAccessKey: 's', sessionToken: 't' });
    const caller = createAwsClients({ maxAttempts: 1, userAgent: 'u' });
    const account = createAwsClients({ maxAttempts: 1, userAgent: 'u', credentials });
    const [a, b] = await Promise.all([caller.sts('us-east-1'), account.sts('us-east-1')]);
    expect(a).not.toBe(b);
    expect(await account.sts('us-east-1')).toBe(b);
    expect((await b.getCallerIdentity()).account).toBe('111111111111');
  });
});
