/**
 * IAM calls for `secrets check`: read a role's trust policy, inline and attached managed policies and
 * permissions boundary (read-only), simulate its identity policies (optional), and attach an inline
 * policy (`--apply-fix`). API reference: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import type { GetRoleCommandOutput, IAMClient } from '@aws-sdk/client-iam';
import type { PolicySource, UnreadableDocument } from '../core/iam/policy.js';
import type { Lookup, RoleState } from '../core/secrets/check.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  SimulatePrincipalPolicyCommand,
} = sdk('@aws-sdk/client-iam');

/** True when an AwsError is an authorisation failure: the caller lacks the IAM action. */
export function isAccessDenied(error: unknown): error is AwsError {
  return (
    error instanceof AwsError && /AccessDenied|Unauthorized|AuthorizationError|Forbidden/i.test(error.code)
  );
}

/** The marker for a document the caller may not read. */
export function unreadable(lackingPermission: string, error: unknown): UnreadableDocument {
  return {
    unreadable: true,
    lackingPermission,
    reason: error instanceof AwsError ? `${error.code}` : String(error),
  };
}

/** The role name in a role ARN (`arn:aws:iam::1:role/path/name` -> `name`). */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** One managed policy's default version document, or the marker saying which call was denied. */
async function readManagedPolicy(iam: IAMClient, policyArn: string): Promise<string | UnreadableDocument> {
  let versionId: string | undefined;
  try {
    const p = await awsCall(
      { operation: 'iam:GetPolicy', iamAction: 'iam:GetPolicy', resource: policyArn },
      () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
    );
    versionId = p.Policy?.DefaultVersionId;
  } catch (e) {
    if (isAccessDenied(e)) return unreadable('iam:GetPolicy', e);
    throw e;
  }
  if (!versionId)
    return { unreadable: true, lackingPermission: 'iam:GetPolicy', reason: 'no default version' };
  try {
    const v = await awsCall(
      { operation: 'iam:GetPolicyVersion', iamAction: 'iam:GetPolicyVersion', resource: policyArn },
      () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
    );
    return v.PolicyVersion?.Document ?? unreadable('iam:GetPolicyVersion', 'empty document');
  } catch (e) {
    if (isAccessDenied(e)) return unreadable('iam:GetPolicyVersion', e);
    throw e;
  }
}

/**
 * Everything the evaluator needs about one role: trust policy, inline policies, attached managed
 * policies, boundary. A document we may not read becomes an `unreadable` marker naming the action.
 */
export async function readRoleState(iam: IAMClient, roleArn: string): Promise<Lookup<RoleState>> {
  const roleName = roleNameOf(roleArn);
  let role: GetRoleCommandOutput;
  try {
    role = await awsCall({ operation: 'iam:GetRole', iamAction: 'iam:GetRole', resource: roleArn }, () =>
      iam.send(new GetRoleCommand({ RoleName: roleName })),
    );
  } catch (e) {
    if (e instanceof AwsError && e.code === 'NoSuchEntity') return { status: 'missing' };
    if (isAccessDenied(e)) return { status: 'unreadable', lackingPermission: 'iam:GetRole', reason: e.code };
    throw e;
  }
  const policies: PolicySource[] = [];

  let inlineNames: string[] | undefined;
  try {
    inlineNames = await awsCall(
      { operation: 'iam:ListRolePolicies', iamAction: 'iam:ListRolePolicies', resource: roleArn },
      async () => {
        const names: string[] = [];
        for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
          names.push(...(page.PolicyNames ?? []));
        }
        return names;
      },
    );
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    policies.push({ source: 'inline policies', document: unreadable('iam:ListRolePolicies', e) });
  }
  for (const name of inlineNames ?? []) {
    try {
      const out = await awsCall(
        { operation: 'iam:GetRolePolicy', iamAction: 'iam:GetRolePolicy', resource: `${roleArn} ${name}` },
        () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
      );
      policies.push({ source: `inline policy ${name}`, document: out.PolicyDocument ?? '' });
    } catch (e) {
      if (!isAccessDenied(e)) throw e;
      policies.push({ source: `inline policy ${name}`, document: unreadable('iam:GetRolePolicy', e) });
    }
  }

  let attached: string[] | undefined;
  try {
    attached = await awsCall(
      {
        operation: 'iam:ListAttachedRolePolicies',
        iamAction: 'iam:ListAttachedRolePolicies',
        resource: roleArn,
      },
      async () => {
        const arns: string[] = [];
        for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
          for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
        }
        return arns;
      },
    );
  } catch (e) {
    if (!isAccessDenied(e)) throw e;
    policies.push({
      source: 'attached managed policies',
      document: unreadable('iam:ListAttachedRolePolicies', e),
    });
  }
  for (const arn of attached ?? []) {
    policies.push({ source: `managed policy ${arn}`, document: await readManagedPolicy(iam, arn) });
  }

  const boundaryArn = role.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  return {
    status: 'found',
    value: {
      roleArn: role.Role?.Arn ?? roleArn,
      trustPolicy:
        role.Role?.AssumeRolePolicyDocument ?? unreadable('iam:GetRole', 'no trust policy returned'),
      identityPolicies: policies,
      permissionsBoundary: boundaryArn
        ? {
            source: `permissions boundary ${boundaryArn}`,
            document: await readManagedPolicy(iam, boundaryArn),
          }
        : undefined,
    },
  };
}

/** IAM's own verdict for one action on one resource: `allowed`, `explicitDeny` or `implicitDeny`. */
export type SimulatorDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/**
 * SimulatePrincipalPolicy for the role's identity policies (and boundary) on one action/resource.
 * It cannot evaluate KMS key policies for a role (docs/aws-facts.md §4.4), so callers compare identity only.
 */
export async function simulateRoleAction(
  iam: IAMClient,
  args: {
    roleArn: string;
    action: string;
    resourceArn: string;
    context: Readonly<Record<string, readonly string[]>>;
  },
): Promise<SimulatorDecision> {
  const out = await awsCall(
    {
      operation: 'iam:SimulatePrincipalPolicy',
      iamAction: 'iam:SimulatePrincipalPolicy',
      resource: args.roleArn,
    },
    () =>
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: args.roleArn,
          ActionNames: [args.action],
          ResourceArns: [args.resourceArn],
          ContextEntries: Object.entries(args.context).map(([key, values]) => ({
            ContextKeyName: key,
            ContextKeyValues: [...values],
            ContextKeyType: values.length === 1 ? ('string' as const) : ('stringList' as const),
          })),
        }),
      ),
  );
  const d = out.EvaluationResults?.[0]?.EvalDecision;
  if (d === 'allowed' || d === 'explicitDeny' || d === 'implicitDeny') return d;
  throw new Error(`BUG: SimulatePrincipalPolicy returned no decision for ${args.action}`);
}

/** Creates or replaces one inline policy on a role (PutRolePolicy). */
export async function putRoleInlinePolicy(
  iam: IAMClient,
  args: { roleArn: string; policyName: string; document: object },
): Promise<void> {
  await awsCall(
    { operation: 'iam:PutRolePolicy', iamAction: 'iam:PutRolePolicy', resource: args.roleArn },
    () =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: roleNameOf(args.roleArn),
          PolicyName: args.policyName,
          PolicyDocument: JSON.stringify(args.document),
        }),
      ),
  );
}

/** The IAM operations ecsops makes (global service). */
export interface IamApi {
  readRoleState(roleArn: string): Promise<Lookup<RoleState>>;
  simulateRoleAction(args: Parameters<typeof simulateRoleAction>[1]): Promise<SimulatorDecision>;
  putRoleInlinePolicy(args: { roleArn: string; policyName: string; document: object }): Promise<void>;
}

/** Binds the IAM operations to a client. */
export function createIamApi(iam: IAMClient): IamApi {
  return {
    readRoleState: (roleArn) => readRoleState(iam, roleArn),
    simulateRoleAction: (args) => simulateRoleAction(iam, args),
    putRoleInlinePolicy: (args) => putRoleInlinePolicy(iam, args),
  };
}
