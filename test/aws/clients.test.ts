import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientSettings, createAwsClients } from '../../src/aws/clients.js';
import { AwsError } from '../../src/errors.js';

// A real HTTP endpoint (not a mocked `send`), so the SDK's own retry middleware runs.
let server: Server | undefined;
async function fakeEcs(
  responses: { status: number; type?: string; body: object }[],
): Promise<{ url: string; hits: () => number; agents: string[] }> {
  let hits = 0;
  const agents: string[] = [];
  server = createServer((req, res) => {
    req.resume();
    agents.push(String(req.headers['user-agent'] ?? ''));
    const r = responses[Math.min(hits, responses.length - 1)] as {
      status: number;
      type?: string;
      body: object;
    };
    hits++;
    res.writeHead(r.status, {
      'content-type': 'application/x-amz-json-1.1',
      ...(r.type ? { 'x-amzn-errortype': r.type } : {}),
    });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, agents };
}
afterEach(() => {
  server?.close();
  server = undefined;
});

const throttled = {
  status: 400,
  type: 'ThrottlingException',
  body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
};
const ok = { status: 200, body: { clusterArns: ['arn:aws:ecs:us-east-1:123456789012:cluster/a'] } };
const credentials = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

describe('AWS client factory', () => {
  it('retries throttling with backoff (adaptive mode) and then succeeds', async () => {
    Object.assign(process.env, credentials);
    const ecsEndpoint = await fakeEcs([throttled, throttled, ok]);
    const aws = createAwsClients({ endpoint: ecsEndpoint.url, maxAttempts: 5, userAgent: 'ecsops/9.9.9' });
    const ecs = await aws.ecs('us-east-1');
    expect(clientSettings({ maxAttempts: 5, userAgent: 'x' }, 'us-east-1').retryMode).toBe('adaptive');
    const started = Date.now();
    expect(await ecs.listClusterArns()).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/a']);
    expect(ecsEndpoint.hits()).toBe(3);
    expect(Date.now() - started).toBeGreaterThan(50); // it backed off between attempts
    expect(ecsEndpoint.agents[0]).toContain('ecsops/9.9.9');
  });

  it('reports throttling that outlasts --max-attempts, with a hint', async () => {
    Object.assign(process.env, credentials);
    const ecsEndpoint = await fakeEcs([throttled]);
    const aws = createAwsClients({ endpoint: ecsEndpoint.url, maxAttempts: 2, userAgent: 'ecsops/test' });
    const error = await (await aws.ecs('us-east-1')).listClusterArns().catch((e: unknown) => e);
    expect(ecsEndpoint.hits()).toBe(2);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe('ThrottlingException');
    expect((error as AwsError).hint).toMatch(/Still throttled after 2 attempts/);
  });

  it('does not import an SDK client package until a client is asked for', async () => {
    const aws = createAwsClients({ maxAttempts: 1, userAgent: 'x' });
    expect(typeof aws.iam).toBe('function'); // nothing constructed yet; see test/cli for the module-load check
    const a = await aws.ecs('eu-west-1');
    const b = await aws.ecs('eu-west-1');
    expect(a).toBe(b); // cached per region
    expect(a.region).toBe('eu-west-1');
  });
});
