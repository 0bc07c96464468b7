/**
 * `secrets check` safety against moto, with faults from the loopback proxy: a role of another
 * account is never read or written (issue 8 item 1), Ctrl-C stops reads and writes (items 2, 28), a
 * failed re-check does not hide the write (3), a wrapper is not "OK" (21), a simulator that never
 * answered is not agreement (22), and the exit code of a fix nobody could apply (24).
 */
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli, runCliInterrupted } from './helpers/cli.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { ECS_TASKS_TRUST_POLICY } from './helpers/iam.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ACCT = MOTO_ACCOUNT;
const OTHER_ACCOUNT = '999999999999';
const iam = new IAMClient(motoClientConfig());
const ssm = new SSMClient(motoClientConfig());
const ecs = new ECSClient(motoClientConfig());
const roleArn = (name: string, account = ACCT) => `arn:aws:iam::${account}:role/${name}`;
const READ_APP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:*:${ACCT}:parameter/app/*` },
  ],
});

let proxy: FaultProxy;

async function role(name: string, inline?: string) {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }));
  if (inline)
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: inline }));
}

async function taskDef(family: string, executionRoleArn: string, container: Record<string, unknown>) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      executionRoleArn,
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, ...container }],
    }),
  );
}
const plainSecret = { secrets: [{ name: 'PLAIN', valueFrom: '/app/plain' }] };

async function inlinePolicies(name: string): Promise<string[]> {
  return (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
}

const seen = (operation: string) => proxy.requests().filter((r) => r.operation === operation);
const viaProxy = (args: readonly string[]) => runCli(['--endpoint-url', proxy.endpoint, ...args]);

beforeAll(async () => {
  await resetMoto();
  proxy = await startFaultProxy({ target: motoEndpoint() });
  await ssm.send(new PutParameterCommand({ Name: '/app/plain', Value: 'x', Type: 'String' }));

  // A local role named like the other account's one: what GetRole/PutRolePolicy by name would hit.
  await role('web-exec');
  await taskDef('remote', roleArn('web-exec', OTHER_ACCOUNT), plainSecret);

  for (const name of ['slow-exec', 'recheck-exec', 'denied-exec']) await role(name);
  await taskDef('slow', roleArn('slow-exec'), plainSecret);
  await taskDef('recheck', roleArn('recheck-exec'), plainSecret);
  await taskDef('denied', roleArn('denied-exec'), plainSecret);

  await role('sim-exec', READ_APP);
  await taskDef('sim', roleArn('sim-exec'), plainSecret);

  await role('wrapped-exec');
  await taskDef('wrapped', roleArn('wrapped-exec'), {
    entryPoint: ['chamber', 'exec', 'web-prod', '--', 'nginx', '-g', 'daemon off;'],
  });
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(() => {
  proxy.clearRules();
  proxy.clearRequests();
});

describe('secrets check: a role of another account (item 1)', () => {
  it('is reported as not checkable from here, never read by name here and never written; exit 3', async () => {
    await startRecording();
    const r = await runCli(['--json', 'secrets', 'check', '--task-def', 'remote', '--apply-fix', '--yes']);
    const calls = await stopRecording();
    expect(r.code).not.toBe(0);
    expect(r.code).toBe(3);
    // IAM takes the role *name*: any of these would have touched the caller's own web-exec.
    expect(callsMatching(calls, /^iam:/)).toEqual([]);
    expect(await inlinePolicies('web-exec')).toEqual([]);
    const doc = parseJsonDocument(r) as {
      status: string;
      changes: unknown[];
      taskDefinitions: { findings: { code: string; message: string; remediation: string }[] }[];
    };
    expect(doc.status).toBe('incomplete');
    expect(doc.changes).toEqual([]);
    const finding = doc.taskDefinitions[0]?.findings.find((f) => f.code === 'role-in-other-account');
    expect(finding?.message).toContain(`account ${OTHER_ACCOUNT}`);
    expect(finding?.remediation).toContain(`credentials of account ${OTHER_ACCOUNT}`);
  });
});

describe('secrets check: Ctrl-C (items 2, 28)', () => {
  it('while a --yes --apply-fix run is still reading: no PutRolePolicy, exit 130, one JSON document', async () => {
    proxy.setRules([{ match: { operation: 'iam:GetRole' }, fault: { kind: 'latency', ms: 1500 } }]);
    const r = await runCliInterrupted(
      ['--json', 'secrets', 'check', '--task-def', 'slow', '--apply-fix', '--yes'],
      { endpoint: proxy.endpoint, when: () => seen('iam:GetRole').length > 0 },
    );
    expect(seen('iam:PutRolePolicy')).toEqual([]);
    expect(await inlinePolicies('slow-exec')).toEqual([]);
    expect(r.code).toBe(130);
    const doc = parseJsonDocument(r) as { error?: { message: string }; interrupted?: boolean };
    expect(doc.interrupted).toBe(true);
    expect(doc.error?.message).toContain('nothing was changed');
  });

  it('while the task definition is described: the check stops (no further read), exit 130, one document', async () => {
    proxy.setRules([
      { match: { operation: 'ecs:DescribeTaskDefinition' }, fault: { kind: 'latency', ms: 1500 } },
    ]);
    const r = await runCliInterrupted(['--json', 'secrets', 'check', '--task-def', 'slow'], {
      endpoint: proxy.endpoint,
      when: () => seen('ecs:DescribeTaskDefinition').length > 0,
    });
    expect(r.code).toBe(130);
    expect(parseJsonDocument(r)).toMatchObject({ schemaVersion: 1, interrupted: true });
    // Nothing new was read after Ctrl-C: no identity, role or parameter read.
    expect(proxy.requests().map((q) => q.operation)).toEqual(['ecs:DescribeTaskDefinition']);
  });
});

describe('secrets check: Ctrl-C mid-check (item 28)', () => {
  it('while the caller identity is read: no role or parameter read starts after it, exit 130, one error document', async () => {
    proxy.setRules([{ match: { operation: 'sts:GetCallerIdentity' }, fault: { kind: 'latency', ms: 1500 } }]);
    const r = await runCliInterrupted(['--json', 'secrets', 'check', '--task-def', 'slow'], {
      endpoint: proxy.endpoint,
      when: () => seen('sts:GetCallerIdentity').length > 0,
    });
    expect(r.code).toBe(130);
    const doc = parseJsonDocument(r) as { error?: { type: string }; interrupted?: boolean };
    expect(doc).toMatchObject({ interrupted: true, error: { type: 'InterruptedError' } });
    expect(proxy.requests().map((q) => q.operation)).toEqual([
      'ecs:DescribeTaskDefinition',
      'sts:GetCallerIdentity',
    ]);
  });
});

describe('secrets check --apply-fix: what was applied is always reported (items 3, 24)', () => {
  it('the re-check after PutRolePolicy is throttled: the write is in the JSON, the failure too, exit 3', async () => {
    // The first GetRole is the check; the one after the write is the re-check.
    proxy.setRules([{ match: { operation: 'iam:GetRole' }, fault: { kind: 'throttle' }, afterCount: 1 }]);
    const r = await viaProxy([
      '--json',
      '--max-attempts',
      '1',
      'secrets',
      'check',
      '--task-def',
      'recheck',
      '--apply-fix',
      '--yes',
    ]);
    expect(r.code).toBe(3);
    const doc = parseJsonDocument(r) as {
      error?: unknown;
      status: string;
      changes: { roleArn: string; policyName: string; status: string }[];
      recheck: { status: string; error: string };
    };
    expect(doc.error).toBeUndefined();
    expect(doc.changes).toEqual([
      expect.objectContaining({
        roleArn: roleArn('recheck-exec'),
        policyName: 'ecsops-secrets-recheck',
        status: 'applied',
      }),
    ]);
    expect(doc.recheck).toMatchObject({ status: 'failed', error: expect.stringContaining('iam:GetRole') });
    expect(doc.status).toBe('incomplete');
    expect(seen('iam:PutRolePolicy')).toHaveLength(1);
    const put = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'recheck-exec', PolicyName: 'ecsops-secrets-recheck' }),
    );
    expect(decodeURIComponent(put.PolicyDocument ?? '')).toContain('parameter/app/plain');
  });

  it('every PutRolePolicy denied: exit 3 with 0 applied', async () => {
    proxy.setRules([{ match: { operation: 'iam:PutRolePolicy' }, fault: { kind: 'access-denied' } }]);
    const r = await viaProxy(['--json', 'secrets', 'check', '--task-def', 'denied', '--apply-fix', '--yes']);
    expect(r.code).toBe(3);
    const doc = parseJsonDocument(r) as { counts: { applied: number; failed: number } };
    expect(doc.counts).toMatchObject({ applied: 0, failed: 1 });
    expect(await inlinePolicies('denied-exec')).toEqual([]);
  });

  it('--dry-run sends zero writes', async () => {
    await startRecording();
    const r = await runCli(['secrets', 'check', '--task-def', 'denied', '--apply-fix', '--dry-run']);
    const calls = await stopRecording();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('+ iam:PutRolePolicy');
    expect(r.stderr).toContain('Dry run: no changes were sent.');
    expect(callsMatching(calls, /^iam:(Put|Create|Attach|Delete|Update)/)).toEqual([]);
  });
});

describe('secrets check: wrappers and the simulator (items 21, 22)', () => {
  it('a task definition that still runs chamber is a finding pointing at secrets migrate, not OK', async () => {
    const r = await runCli(['secrets', 'check', '--task-def', 'wrapped']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('OK:');
    expect(r.stdout).toContain('[wrapper-not-migrated]');
    expect(r.stdout).toContain('ecsops secrets migrate --task-def wrapped:1');
  });

  it('moto has no SimulatePrincipalPolicy: the comparison could not be made, not "0 disagreements"', async () => {
    const human = await runCli([
      '--max-attempts',
      '1',
      'secrets',
      'check',
      '--task-def',
      'sim',
      '--iam-simulator',
    ]);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('IAM policy simulator: the comparison could not be made');
    expect(human.stdout).not.toContain('0 disagreement(s)');

    const r = await runCli([
      '--json',
      '--max-attempts',
      '1',
      'secrets',
      'check',
      '--task-def',
      'sim',
      '--iam-simulator',
    ]);
    expect(r.code).toBe(3);
    const td = (parseJsonDocument(r).taskDefinitions as Record<string, unknown>[])[0] as {
      simulator: { agrees: boolean | null; simulator: string }[];
      simulatorSummary: { verdict: string };
    };
    expect(td.simulator.length).toBeGreaterThan(0);
    expect(td.simulator.every((s) => s.simulator === 'error' && s.agrees === null)).toBe(true);
    expect(td.simulatorSummary.verdict).toBe('not-compared');
  });
});
