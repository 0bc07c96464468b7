import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManagedPolicyCache, IAM_LIST_PAGE, readRoleState } from '../../src/aws/iam.js';
import type { RoleState } from '../../src/core/secrets/check.js';

const ACCT = '123456789012';
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const MANAGED = `arn:aws:iam::${ACCT}:policy/secrets-read`;
const BOUNDARY = `arn:aws:iam::${ACCT}:policy/boundary`;
const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: 'us-east-1' });

const enc = (o: object) => encodeURIComponent(JSON.stringify(o));
const TRUST = enc({
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const READ = enc({ Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] });
const denied = () => Object.assign(new Error('nope'), { name: 'AccessDenied', $metadata: {} });
const noSuchEntity = () => Object.assign(new Error('no role'), { name: 'NoSuchEntity', $metadata: {} });
const getRole = (name: string, boundary?: string) => ({
  Role: {
    RoleName: name,
    Arn: roleArn(name),
    Path: '/',
    RoleId: 'r',
    CreateDate: new Date(0),
    AssumeRolePolicyDocument: TRUST,
    ...(boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryArn: boundary,
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
          },
        }
      : {}),
  },
});
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
const found = (l: Awaited<ReturnType<typeof readRoleState>>): RoleState => {
  if (l.status !== 'found') throw new Error(`not found: ${l.status}`);
  return l.value;
};

/** Seeds roles that each have one inline policy and the one managed policy attached. */
function seed() {
  iamMock.on(GetRoleCommand).callsFake((input: { RoleName: string }) => getRole(input.RoleName));
  iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['read'] });
  iamMock.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => ({
    ...input,
    PolicyDocument: READ,
  }));
  iamMock
    .on(ListAttachedRolePoliciesCommand)
    .resolves({ AttachedPolicies: [{ PolicyArn: MANAGED, PolicyName: 'secrets-read' }] });
  iamMock.on(GetPolicyCommand).callsFake((input: { PolicyArn: string }) => ({
    Policy: { Arn: input.PolicyArn, DefaultVersionId: 'v3' },
  }));
  iamMock.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: READ, VersionId: 'v3' } });
}

beforeEach(() => iamMock.reset());
afterEach(() => iamMock.reset());

describe('readRoleState', () => {
  it('sends GetRole, ListRolePolicies and ListAttachedRolePolicies before any of them answers', async () => {
    const started: string[] = [];
    const open: (() => void)[] = [];
    const hold =
      <T>(name: string, value: T) =>
      () => {
        started.push(name);
        return new Promise<T>((resolve) => open.push(() => resolve(value)));
      };
    iamMock.on(GetRoleCommand).callsFake(hold('GetRole', getRole('exec')));
    iamMock.on(ListRolePoliciesCommand).callsFake(hold('ListRolePolicies', { PolicyNames: [] }));
    iamMock
      .on(ListAttachedRolePoliciesCommand)
      .callsFake(hold('ListAttachedRolePolicies', { AttachedPolicies: [] }));
    const read = readRoleState(iam, roleArn('exec'));
    await settle();
    expect([...started].sort()).toEqual(['GetRole', 'ListAttachedRolePolicies', 'ListRolePolicies']);
    for (const release of open) release();
    expect((await read).status).toBe('found');
  });

  it('reads the inline and managed documents side by side, and lists them in order', async () => {
    iamMock.on(GetRoleCommand).resolves(getRole('exec', BOUNDARY));
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['b', 'a'] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyArn: `${MANAGED}-1`, PolicyName: 'm1' },
        { PolicyArn: `${MANAGED}-2`, PolicyName: 'm2' },
      ],
    });
    let inFlight = 0;
    let most = 0;
    const slow =
      <I, T>(value: (input: I) => T) =>
      async (input: I) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Answer in reverse order of sending: the list order must not depend on it.
        await new Promise((r) => setTimeout(r, 30 - inFlight * 5));
        inFlight--;
        return value(input);
      };
    iamMock
      .on(GetRolePolicyCommand)
      .callsFake(
        slow((input: { PolicyName: string }) => ({ ...input, RoleName: 'exec', PolicyDocument: READ })),
      );
    iamMock.on(GetPolicyCommand).callsFake(
      slow((input: { PolicyArn: string }) => ({
        Policy: { Arn: input.PolicyArn, DefaultVersionId: 'v1' },
      })),
    );
    iamMock.on(GetPolicyVersionCommand).callsFake(slow(() => ({ PolicyVersion: { Document: READ } })));

    const role = found(await readRoleState(iam, roleArn('exec')));
    expect(role.identityPolicies.map((p) => p.source)).toEqual([
      'inline policy b',
      'inline policy a',
      `managed policy ${MANAGED}-1`,
      `managed policy ${MANAGED}-2`,
    ]);
    expect(role.permissionsBoundary?.source).toBe(`permissions boundary ${BOUNDARY}`);
    // Two inline documents and three GetPolicy calls were out at once.
    expect(most).toBeGreaterThanOrEqual(5);
  });

  it('asks both lists for 1000 a page (MaxItems) and follows every page', async () => {
    const sent: Record<string, unknown[]> = { inline: [], attached: [] };
    iamMock.on(GetRoleCommand).resolves(getRole('exec'));
    iamMock.on(ListRolePoliciesCommand).callsFake((input: { Marker?: string }) => {
      sent.inline?.push({ ...input });
      return input.Marker ? { PolicyNames: ['b'] } : { PolicyNames: ['a'], IsTruncated: true, Marker: 'p2' };
    });
    iamMock.on(ListAttachedRolePoliciesCommand).callsFake((input: { Marker?: string }) => {
      sent.attached?.push({ ...input });
      return input.Marker
        ? { AttachedPolicies: [] }
        : { AttachedPolicies: [], IsTruncated: true, Marker: 'q2' };
    });
    iamMock.on(GetRolePolicyCommand).resolves({ RoleName: 'exec', PolicyName: 'x', PolicyDocument: READ });

    const role = found(await readRoleState(iam, roleArn('exec')));
    expect(IAM_LIST_PAGE).toBe(1000);
    expect(sent.inline).toEqual([
      { RoleName: 'exec', MaxItems: 1000 },
      { RoleName: 'exec', MaxItems: 1000, Marker: 'p2' },
    ]);
    expect(sent.attached).toEqual([
      { RoleName: 'exec', MaxItems: 1000 },
      { RoleName: 'exec', MaxItems: 1000, Marker: 'q2' },
    ]);
    expect(role.identityPolicies.map((p) => p.source)).toEqual(['inline policy a', 'inline policy b']);
  });

  it('a managed policy attached to 5 roles is read once (GetPolicy and GetPolicyVersion), parsed once', async () => {
    seed();
    const managedPolicies = createManagedPolicyCache();
    const roles = await Promise.all(
      ['r1', 'r2', 'r3', 'r4', 'r5'].map(async (n) =>
        found(await readRoleState(iam, roleArn(n), { managedPolicies })),
      ),
    );
    expect(iamMock.commandCalls(GetRoleCommand)).toHaveLength(5);
    expect(iamMock.commandCalls(GetPolicyCommand)).toHaveLength(1);
    expect(iamMock.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(iamMock.commandCalls(GetPolicyVersionCommand)[0]?.args[0].input).toEqual({
      PolicyArn: MANAGED,
      VersionId: 'v3',
    });
    const managed = roles.map((r) =>
      r.identityPolicies.find((p) => p.source === `managed policy ${MANAGED}`),
    );
    expect(managed[0]?.parsed).toMatchObject({ ok: true });
    // One parsed form, shared by every role.
    for (const m of managed) expect(m?.parsed).toBe(managed[0]?.parsed);
    // Inline policies and the trust policy are kept parsed too.
    expect(roles[0]?.identityPolicies[0]?.parsed).toMatchObject({ ok: true });
    expect(roles[0]?.trustPolicyParsed).toMatchObject({ ok: true });
  });

  it('the same policy as a boundary of one role and attached to another: one read', async () => {
    seed();
    iamMock
      .on(GetRoleCommand)
      .callsFake((input: { RoleName: string }) =>
        getRole(input.RoleName, input.RoleName === 'bounded' ? MANAGED : undefined),
      );
    const managedPolicies = createManagedPolicyCache();
    const bounded = found(await readRoleState(iam, roleArn('bounded'), { managedPolicies }));
    await readRoleState(iam, roleArn('other'), { managedPolicies });
    expect(bounded.permissionsBoundary?.source).toBe(`permissions boundary ${MANAGED}`);
    expect(iamMock.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
  });

  it('a missing role is missing, though the lists sent alongside GetRole failed too', async () => {
    iamMock.on(GetRoleCommand).rejects(noSuchEntity());
    iamMock.on(ListRolePoliciesCommand).rejects(noSuchEntity());
    iamMock.on(ListAttachedRolePoliciesCommand).rejects(noSuchEntity());
    expect(await readRoleState(iam, roleArn('gone'))).toEqual({ status: 'missing' });
  });

  it('denied reads become markers naming the action, in the order the report lists them', async () => {
    iamMock.on(GetRoleCommand).resolves(getRole('exec'));
    iamMock.on(ListRolePoliciesCommand).rejects(denied());
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: MANAGED }] });
    iamMock.on(GetPolicyCommand).rejects(denied());
    const role = found(await readRoleState(iam, roleArn('exec')));
    expect(role.identityPolicies).toEqual([
      {
        source: 'inline policies',
        document: expect.objectContaining({ unreadable: true, lackingPermission: 'iam:ListRolePolicies' }),
      },
      {
        source: `managed policy ${MANAGED}`,
        document: expect.objectContaining({ unreadable: true, lackingPermission: 'iam:GetPolicy' }),
      },
    ]);
  });

  it('a failure that is not a denial is thrown: the first in list order, whichever answered first', async () => {
    iamMock.on(GetRoleCommand).resolves(getRole('exec'));
    iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['slow'] });
    iamMock.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: MANAGED }] });
    iamMock.on(GetRolePolicyCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 20));
      throw Object.assign(new Error('first'), { name: 'ServiceFailure', $metadata: {} });
    });
    iamMock
      .on(GetPolicyCommand)
      .rejects(Object.assign(new Error('second'), { name: 'ServiceFailure', $metadata: {} }));
    await expect(readRoleState(iam, roleArn('exec'))).rejects.toMatchObject({
      operation: 'iam:GetRolePolicy',
    });
  });
});
