/**
 * IAM calls for `secrets check`: read a role's trust policy, inline and attached managed policies and
 * permissions boundary (read-only), simulate its identity policies (optional), and attach an inline
 * policy (`--apply-fix`). API reference: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import type { GetRoleCommandOutput, IAMClient } from '@aws-sdk/client-iam';
import { allInOrder, type Limit, memo } from '../core/concurrency.js';
import {
  isUnreadable,
  type ParsedPolicy,
  type PolicySource,
  parsePolicyDocument,
  type UnreadableDocument,
  withParsedPolicy,
} from '../core/iam/policy.js';
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

/** ListRolePolicies / ListAttachedRolePolicies return at most 1000 items a page (MaxItems). */
export const IAM_LIST_PAGE = 1000;

/** A managed policy's default version document as read once per run, parsed once. */
export interface ManagedPolicyDocument {
  document: string | UnreadableDocument;
  parsed?: ParsedPolicy | undefined;
}

/**
 * Managed policies read during one run, shared by every role that attaches them (or has one as its
 * permissions boundary): GetPolicy once per policy ARN, GetPolicyVersion once per ARN and version.
 */
export interface ManagedPolicyCache {
  /** Policy ARN -> its default version id, or the marker saying GetPolicy was denied. */
  defaultVersions: Map<string, Promise<string | UnreadableDocument>>;
  /** `ARN#versionId` -> the document. */
  documents: Map<string, Promise<ManagedPolicyDocument>>;
}

/** An empty managed-policy cache. */
export function createManagedPolicyCache(): ManagedPolicyCache {
  return { defaultVersions: new Map(), documents: new Map() };
}

/** How `readRoleState` reads: a run-wide managed-policy cache, and the run's bound on calls in flight. */
export interface RoleReadOptions {
  managedPolicies?: ManagedPolicyCache | undefined;
  /** Every IAM request goes through it; without it, a role's reads all start at once (a handful). */
  limit?: Limit | undefined;
}

const unlimited: Limit = (fn) => fn();

/** One managed policy's default version document, or the marker saying which call was denied. */
async function readManagedPolicy(
  iam: IAMClient,
  policyArn: string,
  cache: ManagedPolicyCache,
  limit: Limit,
): Promise<ManagedPolicyDocument> {
  const versionId = await memo(cache.defaultVersions, policyArn, async () => {
    try {
      const p = await limit(() =>
        awsCall({ operation: 'iam:GetPolicy', iamAction: 'iam:GetPolicy', resource: policyArn }, () =>
          iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        ),
      );
      return (
        p.Policy?.DefaultVersionId ?? {
          unreadable: true as const,
          lackingPermission: 'iam:GetPolicy',
          reason: 'no default version',
        }
      );
    } catch (e) {
      if (isAccessDenied(e)) return unreadable('iam:GetPolicy', e);
      throw e;
    }
  });
  if (typeof versionId !== 'string') return { document: versionId };
  return memo(cache.documents, `${policyArn}#${versionId}`, async () => {
    let document: string | UnreadableDocument;
    try {
      const v = await limit(() =>
        awsCall(
          { operation: 'iam:GetPolicyVersion', iamAction: 'iam:GetPolicyVersion', resource: policyArn },
          () => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
        ),
      );
      document = v.PolicyVersion?.Document ?? unreadable('iam:GetPolicyVersion', 'empty document');
    } catch (e) {
      if (!isAccessDenied(e)) throw e;
      document = unreadable('iam:GetPolicyVersion', e);
    }
    return isUnreadable(document) ? { document } : { document, parsed: parsePolicyDocument(document) };
  });
}

/** Settles a promise into a value, so one that is never awaited (the role was missing) is not unhandled. */
function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Everything the evaluator needs about one role: trust policy, inline policies, attached managed
 * policies, boundary, each document parsed once. A document we may not read becomes an `unreadable`
 * marker naming the action. GetRole, ListRolePolicies and ListAttachedRolePolicies are sent
 * together, then every policy document at once (within `limit`); managed policies come from the
 * run's cache when another role has read them.
 */
export async function readRoleState(
  iam: IAMClient,
  roleArn: string,
  options: RoleReadOptions = {},
): Promise<Lookup<RoleState>> {
  const limit = options.limit ?? unlimited;
  const managed = options.managedPolicies ?? createManagedPolicyCache();
  const roleName = roleNameOf(roleArn);
  // The lists do not need the role's answer: start all three, and drop the lists if it is missing.
  const rolePromise = limit(() =>
    awsCall({ operation: 'iam:GetRole', iamAction: 'iam:GetRole', resource: roleArn }, () =>
      iam.send(new GetRoleCommand({ RoleName: roleName })),
    ),
  );
  const inlineNames = settle(
    limit(() =>
      awsCall(
        { operation: 'iam:ListRolePolicies', iamAction: 'iam:ListRolePolicies', resource: roleArn },
        async () => {
          const names: string[] = [];
          for await (const page of paginateListRolePolicies(
            { client: iam, pageSize: IAM_LIST_PAGE },
            { RoleName: roleName },
          )) {
            names.push(...(page.PolicyNames ?? []));
          }
          return names;
        },
      ),
    ),
  );
  const attachedArns = settle(
    limit(() =>
      awsCall(
        {
          operation: 'iam:ListAttachedRolePolicies',
          iamAction: 'iam:ListAttachedRolePolicies',
          resource: roleArn,
        },
        async () => {
          const arns: string[] = [];
          for await (const page of paginateListAttachedRolePolicies(
            { client: iam, pageSize: IAM_LIST_PAGE },
            { RoleName: roleName },
          )) {
            for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
          }
          return arns;
        },
      ),
    ),
  );

  let role: GetRoleCommandOutput;
  try {
    role = await rolePromise;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'NoSuchEntity') return { status: 'missing' };
    if (isAccessDenied(e)) return { status: 'unreadable', lackingPermission: 'iam:GetRole', reason: e.code };
    throw e;
  }

  // In the order the report lists them: inline policies, then attached managed policies. A failed
  // list is an entry too, so the first failure in this order is the one thrown (as when one by one).
  // Both lists are awaited before any document read starts: every promise below is then awaited at
  // once, and none can fail unobserved while another is pending.
  const [inline, attached] = await Promise.all([inlineNames, attachedArns]);
  const policies: Promise<PolicySource>[] = [];
  if (!inline.ok) {
    policies.push(
      isAccessDenied(inline.error)
        ? Promise.resolve({
            source: 'inline policies',
            document: unreadable('iam:ListRolePolicies', inline.error),
          })
        : Promise.reject(inline.error),
    );
  }
  for (const name of inline.ok ? inline.value : []) {
    const source = `inline policy ${name}`;
    policies.push(
      limit(() =>
        awsCall(
          { operation: 'iam:GetRolePolicy', iamAction: 'iam:GetRolePolicy', resource: `${roleArn} ${name}` },
          () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
        ),
      ).then(
        (out) => withParsedPolicy({ source, document: out.PolicyDocument ?? '' }),
        (e: unknown) => {
          if (!isAccessDenied(e)) throw e;
          return { source, document: unreadable('iam:GetRolePolicy', e) };
        },
      ),
    );
  }
  if (!attached.ok) {
    policies.push(
      isAccessDenied(attached.error)
        ? Promise.resolve({
            source: 'attached managed policies',
            document: unreadable('iam:ListAttachedRolePolicies', attached.error),
          })
        : Promise.reject(attached.error),
    );
  }
  for (const arn of attached.ok ? attached.value : []) {
    policies.push(
      readManagedPolicy(iam, arn, managed, limit).then((m) => ({ source: `managed policy ${arn}`, ...m })),
    );
  }
  const boundaryArn = role.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  if (boundaryArn) {
    policies.push(
      readManagedPolicy(iam, boundaryArn, managed, limit).then((m) => ({
        source: `permissions boundary ${boundaryArn}`,
        ...m,
      })),
    );
  }
  const read = await allInOrder(policies);
  const identityPolicies = boundaryArn ? read.slice(0, -1) : read;
  const permissionsBoundary = boundaryArn ? read[read.length - 1] : undefined;

  const trustPolicy =
    role.Role?.AssumeRolePolicyDocument ?? unreadable('iam:GetRole', 'no trust policy returned');
  return {
    status: 'found',
    value: {
      roleArn: role.Role?.Arn ?? roleArn,
      trustPolicy,
      ...(typeof trustPolicy === 'string' ? { trustPolicyParsed: parsePolicyDocument(trustPolicy) } : {}),
      identityPolicies,
      permissionsBoundary,
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
  readRoleState(roleArn: string, options?: RoleReadOptions): Promise<Lookup<RoleState>>;
  simulateRoleAction(args: Parameters<typeof simulateRoleAction>[1]): Promise<SimulatorDecision>;
  putRoleInlinePolicy(args: { roleArn: string; policyName: string; document: object }): Promise<void>;
}

/** Binds the IAM operations to a client. */
export function createIamApi(iam: IAMClient): IamApi {
  return {
    readRoleState: (roleArn, options) => readRoleState(iam, roleArn, options),
    simulateRoleAction: (args) => simulateRoleAction(iam, args),
    putRoleInlinePolicy: (args) => putRoleInlinePolicy(iam, args),
  };
}
