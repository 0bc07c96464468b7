import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  UpdateClusterCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { type FaultProxy, identifyRequest, operationOf, startFaultProxy } from './helpers/fault-proxy.js';
import { motoClientConfig, motoEndpoint, resetMoto } from './helpers/moto.js';

let proxy: FaultProxy;

function viaProxy(maxAttempts = 1) {
  return { ...motoClientConfig(), endpoint: proxy.endpoint, maxAttempts };
}
const ecs = (maxAttempts = 1) => new ECSClient(viaProxy(maxAttempts));

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

function seen(operation: string) {
  return proxy.requests().filter((r) => r.operation === operation);
}

beforeAll(async () => {
  await resetMoto();
  proxy = await startFaultProxy({ target: motoEndpoint() });
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(() => {
  proxy.clearRules();
  proxy.clearRequests();
});

describe('operationOf', () => {
  it('names JSON-protocol operations by X-Amz-Target', () => {
    const h = (target: string, ct = 'application/x-amz-json-1.1') => ({
      'X-Amz-Target': target,
      'Content-Type': ct,
    });
    expect(operationOf(h('AmazonEC2ContainerServiceV20141113.UpdateCluster'), '{}')).toBe(
      'ecs:UpdateCluster',
    );
    expect(operationOf(h('AmazonSSM.GetParameters'), '{}')).toBe('ssm:GetParameters');
    expect(operationOf(h('TrentService.Decrypt'), '{}')).toBe('kms:Decrypt');
    expect(operationOf(h('secretsmanager.GetSecretValue'), '{}')).toBe('secretsmanager:GetSecretValue');
    expect(
      identifyRequest(h('GraniteServiceVersion20100801.PutMetricAlarm', 'application/x-amz-json-1.0'), '{}'),
    ).toEqual({ operation: 'cloudwatch:PutMetricAlarm', service: 'cloudwatch', protocol: 'json1.0' });
    expect(identifyRequest({ 'x-amz-target': 'AmazonSSM.GetParameters' }, '').protocol).toBe('json1.1');
  });

  it('names query-protocol operations by Action and the SigV4 credential scope', () => {
    const auth = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(operationOf(auth('iam'), 'Action=GetRole&Version=2010-05-08&RoleName=r')).toBe('iam:GetRole');
    expect(operationOf(auth('sts'), Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'))).toBe(
      'sts:GetCallerIdentity',
    );
    expect(identifyRequest(auth('ec2'), 'Action=DescribeRegions&Version=2016-11-15')).toEqual({
      operation: 'ec2:DescribeRegions',
      service: 'ec2',
      protocol: 'ec2',
    });
    expect(operationOf(auth('sns'), '', '/?Action=ListTopics')).toBe('sns:ListTopics');
    expect(operationOf({}, '')).toBe('unknown:?');
  });

  it('names Smithy RPC v2 CBOR operations by path', () => {
    expect(
      identifyRequest(
        { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' },
        Buffer.alloc(0),
        '/service/GraniteServiceVersion20100801/operation/PutMetricAlarm',
      ),
    ).toEqual({ operation: 'cloudwatch:PutMetricAlarm', service: 'cloudwatch', protocol: 'cbor' });
  });
});

describe('fault proxy (real SDK through the proxy to moto)', () => {
  it('refuses targets other than http://127.0.0.1', async () => {
    await expect(startFaultProxy({ target: 'http://example.com:80' })).rejects.toThrow(/127\.0\.0\.1/);
    await expect(startFaultProxy({ target: 'https://127.0.0.1:443' })).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('(a) passes requests through unchanged and records them', async () => {
    const client = ecs();
    await client.send(new CreateClusterCommand({ clusterName: 'through-proxy' }));
    const out = await client.send(new ListClustersCommand({}));
    expect(out.clusterArns).toContain('arn:aws:ecs:us-east-1:123456789012:cluster/through-proxy');
    expect(proxy.requests().map((r) => r.operation)).toEqual(['ecs:CreateCluster', 'ecs:ListClusters']);
    expect(proxy.requests().every((r) => !r.injected && r.protocol === 'json1.1')).toBe(true);
    expect(proxy.requests()[0]?.body).toContain('through-proxy');
  });

  it('(b) throttles once: the SDK retries and succeeds', async () => {
    proxy.setRules([{ match: { operation: 'ecs:ListClusters' }, fault: { kind: 'throttle' }, times: 1 }]);
    const out = await ecs(3).send(new ListClustersCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(seen('ecs:ListClusters').map((r) => r.fault)).toEqual(['throttle', undefined]);
  });

  it('(b) throttles always: the SDK gives up with ThrottlingException', async () => {
    proxy.setRules([{ match: { operation: /^ecs:List/ }, fault: { kind: 'throttle' } }]);
    const err = await rejection(ecs(2).send(new ListClustersCommand({})));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect((err.$metadata as { httpStatusCode: number; attempts: number }).httpStatusCode).toBe(400);
    expect(seen('ecs:ListClusters')).toHaveLength(2);
  });

  it('(b) throttles the JSON 1.0 (CloudWatch) and EC2 query protocols too', async () => {
    proxy.setRules([
      { match: { operation: 'cloudwatch:DescribeAlarms' }, fault: { kind: 'throttle' }, times: 1 },
      { match: { operation: 'ec2:DescribeRegions' }, fault: { kind: 'throttle' }, times: 1 },
    ]);
    const cw = await new CloudWatchClient(viaProxy(3)).send(new DescribeAlarmsCommand({}));
    expect(cw.$metadata.attempts).toBe(2);
    expect(seen('cloudwatch:DescribeAlarms').map((r) => r.protocol)).toEqual(['json1.0', 'json1.0']);
    const ec2 = await new EC2Client(viaProxy(3)).send(new DescribeRegionsCommand({}));
    expect(ec2.$metadata.attempts).toBe(2);
    expect(ec2.Regions?.length).toBeGreaterThan(0);

    proxy.setRules([{ match: { operation: 'cloudwatch:DescribeAlarms' }, fault: { kind: 'throttle' } }]);
    expect(
      (await rejection(new CloudWatchClient(viaProxy(1)).send(new DescribeAlarmsCommand({})))).name,
    ).toBe('ThrottlingException');
  });

  it('(c) denies only the matching operation (JSON protocol)', async () => {
    proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'access-denied' } }]);
    const client = ecs(3);
    await client.send(new ListClustersCommand({}));
    const err = await rejection(
      client.send(
        new UpdateClusterCommand({
          cluster: 'through-proxy',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        }),
      ),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('ecs:UpdateCluster');
    // Not retried: access denied is not transient.
    expect(seen('ecs:UpdateCluster')).toHaveLength(1);
    expect(seen('ecs:ListClusters')[0]?.injected).toBe(false);
  });

  it('(c) denies and throttles query-protocol calls (IAM, STS)', async () => {
    const iam = new IAMClient(viaProxy(1));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'fault-proxy-role',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    proxy.setRules([
      { match: { operation: 'iam:GetRole' }, fault: { kind: 'access-denied', message: 'nope' } },
    ]);
    const err = await rejection(iam.send(new GetRoleCommand({ RoleName: 'fault-proxy-role' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe('nope');
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);

    proxy.setRules([
      { match: { operation: 'sts:GetCallerIdentity' }, fault: { kind: 'throttle' }, times: 1 },
    ]);
    const id = await new STSClient(viaProxy(3)).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('123456789012');
    expect(id.$metadata.attempts).toBe(2);
    expect(seen('sts:GetCallerIdentity').map((r) => [r.protocol, r.fault])).toEqual([
      ['query', 'throttle'],
      ['query', undefined],
    ]);
  });

  it('(c) EC2 uses its own error shape and codes', async () => {
    proxy.setRules([{ match: { operation: 'ec2:DescribeRegions' }, fault: { kind: 'access-denied' } }]);
    const err = await rejection(new EC2Client(viaProxy(1)).send(new DescribeRegionsCommand({})));
    expect(err.name).toBe('UnauthorizedOperation');
  });

  it('injects any AWS error; bodyIncludes, afterCount and times narrow a rule', async () => {
    await ecs().send(new CreateClusterCommand({ clusterName: 'mine' }));
    await ecs().send(new CreateClusterCommand({ clusterName: 'other' }));
    proxy.setRules([
      {
        match: { operation: 'ecs:DescribeClusters', bodyIncludes: '"other"' },
        fault: { kind: 'error', status: 400, code: 'ClusterNotFoundException', message: 'gone' },
      },
      {
        match: { operation: 'ecs:ListClusters' },
        fault: { kind: 'error', status: 500, code: 'ServerException' },
        afterCount: 1,
        times: 1,
      },
    ]);
    const client = ecs();
    const ok = await client.send(new DescribeClustersCommand({ clusters: ['mine'] }));
    expect(ok.clusters?.[0]?.clusterName).toBe('mine');
    const notFound = await rejection(client.send(new DescribeClustersCommand({ clusters: ['other'] })));
    expect(notFound.name).toBe('ClusterNotFoundException');
    expect(notFound.message).toBe('gone');

    await client.send(new ListClustersCommand({})); // let through by afterCount
    const server = await rejection(client.send(new ListClustersCommand({})));
    expect(server.name).toBe('ServerException');
    await client.send(new ListClustersCommand({})); // times: 1 used up
    expect(seen('ecs:ListClusters').map((r) => r.injected)).toEqual([false, true, false]);
  });

  it('(d) latency delays the answer, then forwards it', async () => {
    const client = ecs();
    await client.send(new ListClustersCommand({})); // warm the connection
    const t0 = performance.now();
    await client.send(new ListClustersCommand({}));
    const plain = performance.now() - t0;

    proxy.setRules([{ match: { operation: 'ecs:ListClusters' }, fault: { kind: 'latency', ms: 300 } }]);
    const t1 = performance.now();
    const out = await client.send(new ListClustersCommand({}));
    const delayed = performance.now() - t1;
    expect(out.clusterArns?.length).toBeGreaterThan(0);
    expect(delayed).toBeGreaterThanOrEqual(295);
    expect(delayed - plain).toBeGreaterThanOrEqual(250);
    expect(seen('ecs:ListClusters').at(-1)?.fault).toBe('latency');
  });

  it('(e) reset: the client sees a connection reset (retried when attempts allow)', async () => {
    proxy.setRules([{ match: { operation: 'ecs:ListClusters' }, fault: { kind: 'reset' } }]);
    const err = await rejection(ecs(1).send(new ListClustersCommand({})));
    // The SDK's node http handler reports a reset socket as a TimeoutError carrying the errno code.
    expect({ name: err.name, code: err.code, message: err.message }).toEqual({
      name: 'TimeoutError',
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
    expect(seen('ecs:ListClusters')).toHaveLength(1);

    proxy.clearRequests();
    proxy.setRules([{ match: { operation: 'ecs:ListClusters' }, fault: { kind: 'reset' }, times: 1 }]);
    const out = await ecs(3).send(new ListClustersCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(seen('ecs:ListClusters').map((r) => r.fault)).toEqual(['reset', undefined]);
  });

  it('(f) body: a malformed DescribeClusters answer', async () => {
    proxy.setRules([
      {
        match: { operation: 'ecs:DescribeClusters' },
        fault: { kind: 'body', body: '{"clusters":"notalist"}' },
      },
    ]);
    // Observed: the SDK does not validate shapes; it returns the string where a list belongs.
    const out = await ecs().send(new DescribeClustersCommand({ clusters: ['through-proxy'] }));
    expect(out.clusters).toBe('notalist');
    expect(out.$metadata.httpStatusCode).toBe(200);

    // A body that is not JSON at all makes the SDK throw a deserialization error.
    proxy.setRules([
      { match: { operation: 'ecs:DescribeClusters' }, fault: { kind: 'body', body: '<html>' } },
    ]);
    const err = await rejection(ecs().send(new DescribeClustersCommand({ clusters: ['through-proxy'] })));
    expect(err.name).toBe('SyntaxError');
    expect(err.message).toMatch(/Deserialization error/);
    expect(err.$response).toBeDefined();
  });

  it('the built CLI goes through the proxy with --endpoint-url', async () => {
    const ok = await runCli(['--endpoint-url', proxy.endpoint, 'insights', 'status', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(parseJsonDocument(ok)).toMatchObject({ command: 'insights status' });
    expect(seen('ecs:ListClusters').length).toBeGreaterThan(0);

    proxy.setRules([{ match: { operation: 'ecs:ListClusters' }, fault: { kind: 'access-denied' } }]);
    const denied = await runCli([
      '--endpoint-url',
      proxy.endpoint,
      '--max-attempts',
      '1',
      'insights',
      'status',
    ]);
    expect(denied.code).not.toBe(0);
    expect(seen('ecs:ListClusters').filter((r) => r.fault === 'access-denied')).toHaveLength(1);
  });
});
