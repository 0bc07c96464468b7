/**
 * The safety contract of the built CLI against moto, with faults injected by the loopback proxy:
 * Ctrl-C (early, mid-read, mid-apply), malformed answers, SDK internals kept out of messages,
 * global --dry-run placement, and plain progress lines.
 */
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli, runCliInterrupted } from './helpers/cli.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import {
  callsMatching,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: motoEndpoint() });
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  await resetMoto();
  proxy.clearRules();
  proxy.clearRequests();
  for (const name of ['a', 'b']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
});

const viaProxy = (args: readonly string[]) => runCli(['--endpoint-url', proxy.endpoint, ...args]);

describe('Ctrl-C (items 2, 28)', () => {
  it('as soon as the first read is in flight: exit 130 and exactly one JSON document', async () => {
    proxy.setRules([{ match: { operation: /^ecs:/ }, fault: { kind: 'latency', ms: 1500 } }]);
    // The moment the first read reaches AWS (about 0.25 s on a quiet machine): a fixed delay would
    // land during Node's own start-up on a loaded one, before any program code runs.
    const r = await runCliInterrupted(['--json', 'insights', 'status'], {
      endpoint: proxy.endpoint,
      when: () => proxy.requests().some((q) => q.operation.startsWith('ecs:')),
    });
    expect(r.code).toBe(130);
    const doc = parseJsonDocument(r);
    expect(doc).toMatchObject({ schemaVersion: 1, interrupted: true });
  });

  it('while a --yes run is still reading: no write starts, exit 130, the report says nothing was applied', async () => {
    proxy.setRules([{ match: { operation: 'ecs:DescribeClusters' }, fault: { kind: 'latency', ms: 1500 } }]);
    const r = await runCliInterrupted(['--json', 'insights', 'enable', '--all', '--yes'], {
      endpoint: proxy.endpoint,
      when: 700,
    });
    expect(r.code).toBe(130);
    parseJsonDocument(r);
    expect(proxy.requests().filter((q) => q.operation === 'ecs:UpdateCluster')).toEqual([]);
  });

  it('mid-apply (--concurrency 1): the write in flight finishes, none starts after, each is reported', async () => {
    proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'latency', ms: 1500 } }]);
    // Interrupt once the first UpdateCluster has reached the proxy.
    const r = await runCliInterrupted(
      ['--json', '--concurrency', '1', 'insights', 'enable', '--all', '--yes'],
      {
        endpoint: proxy.endpoint,
        when: () => proxy.requests().some((q) => q.operation === 'ecs:UpdateCluster'),
      },
    );
    expect(r.code).toBe(130);
    const doc = parseJsonDocument(r) as { changes: { status: string }[]; interrupted: boolean };
    expect(doc.interrupted).toBe(true);
    expect(doc.changes.map((c) => c.status).sort()).toEqual(['applied', 'not-started']);
    expect(proxy.requests().filter((q) => q.operation === 'ecs:UpdateCluster')).toHaveLength(1);
  });
});

describe('answers AWS never sends (items 26, 29)', () => {
  it('{"clusters":"notalist"} is an AWS/runtime error (exit 3), not "Cluster not found" (exit 2)', async () => {
    proxy.setRules([
      {
        match: { operation: 'ecs:DescribeClusters' },
        fault: { kind: 'body', body: '{"clusters":"notalist"}', contentType: 'application/x-amz-json-1.1' },
      },
    ]);
    const r = await viaProxy(['--json', 'insights', 'status', '--cluster', 'a']);
    expect(r.code).toBe(3);
    const doc = parseJsonDocument(r) as { error: { message: string } };
    expect(doc.error.message).toContain('not a list');
    expect(r.stderr).not.toContain('not found');
  });

  it("a body that is not an AWS answer is said in ecsops' words; the SDK text only under --debug", async () => {
    proxy.setRules([
      {
        match: { operation: 'ecs:ListClusters' },
        fault: { kind: 'body', status: 200, body: '<html>gateway</html>', contentType: 'text/html' },
      },
    ]);
    const r = await viaProxy(['--max-attempts', '1', 'insights', 'status']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('could not be read as an AWS response');
    expect(r.stderr).not.toContain('$response');
    expect(r.stderr).not.toContain('Deserialization error');
    const debug = await viaProxy(['--max-attempts', '1', '--debug', 'insights', 'status']);
    expect(debug.stderr).toContain('Deserialization error');
  });
});

describe('scripting (items 17, 29)', () => {
  it('--dry-run before the command sends zero writes; after it too', async () => {
    for (const args of [
      ['--dry-run', 'insights', 'enable', '--all'],
      ['insights', 'enable', '--all', '--dry-run'],
    ]) {
      await startRecording();
      const r = await runCli(args);
      const calls = await stopRecording();
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Dry run: no changes were sent.');
      expect(callsMatching(calls, /^ecs:(Update|Put)/)).toEqual([]);
    }
  });

  it('--yes before the command applies without a prompt', async () => {
    const r = await runCli(['--yes', 'insights', 'enable', '--cluster', 'a']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied  us-east-1 a');
  });

  it('non-TTY progress is one plain line without a doubled count', async () => {
    const r = await runCli(['insights', 'enable', '--all', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Applying 2 change(s)...');
    expect(r.stderr).not.toMatch(/change\(s\) \(\d+\)/);
  });

  it('every write throttled: exit 3 with nothing applied', async () => {
    proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'throttle' } }]);
    const r = await viaProxy(['--json', '--max-attempts', '2', 'insights', 'enable', '--all', '--yes']);
    expect(r.code).toBe(3);
    expect((parseJsonDocument(r) as { counts: { applied: number } }).counts.applied).toBe(0);
  });
});
