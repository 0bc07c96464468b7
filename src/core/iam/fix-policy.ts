/**
 * Least-privilege fixes for the execution role: the inline policy to attach with PutRolePolicy, and
 * the key-policy statement a human must add when a key policy neither delegates to IAM nor names
 * the role (ecsops never edits key policies).
 */

/** What the execution role needs: exact ARNs only, no wildcards beyond the Secrets Manager suffix. */
export interface ExecutionRoleNeeds {
  ssmParameterArns: readonly string[];
  secretArns: readonly string[];
  /** Customer-managed keys, each with the service endpoints that decrypt through it. */
  kmsKeys: readonly { keyArn: string; viaServices: readonly string[] }[];
}

/** A policy statement as we emit it (AWS spelling). */
export interface FixStatement {
  Sid: string;
  Effect: 'Allow';
  Principal?: { AWS: string };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A policy document as we emit it. */
export interface FixPolicyDocument {
  Version: '2012-10-17';
  Statement: FixStatement[];
}

const uniqSorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();
const one = (xs: string[]): string | string[] => (xs.length === 1 ? (xs[0] as string) : xs);

/**
 * A secret ARN for the policy: a full ARN as is; a partial ARN (no `-xxxxxx` suffix) gets `-??????`
 * so the policy matches the real ARN without granting `name-anything` prefixes.
 */
export function secretArnForPolicy(arn: string, hasRandomSuffix: boolean): string {
  return hasRandomSuffix ? arn : `${arn}-??????`;
}

/** Builds the least-privilege inline policy; undefined when nothing is needed. */
export function planExecutionRolePolicy(needs: ExecutionRoleNeeds): FixPolicyDocument | undefined {
  const statements: FixStatement[] = [];
  const params = uniqSorted(needs.ssmParameterArns);
  if (params.length > 0) {
    statements.push({
      Sid: 'ReadSsmParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: one(params),
    });
  }
  const secrets = uniqSorted(needs.secretArns);
  if (secrets.length > 0) {
    statements.push({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: one(secrets),
    });
  }
  // Group keys by their via-service set so each statement's condition is exact.
  const byVia = new Map<string, string[]>();
  for (const k of needs.kmsKeys) {
    const via = uniqSorted(k.viaServices).join(',');
    byVia.set(via, [...(byVia.get(via) ?? []), k.keyArn]);
  }
  let n = 0;
  for (const [via, keys] of [...byVia.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    n++;
    statements.push({
      Sid: byVia.size === 1 ? 'DecryptSecrets' : `DecryptSecrets${n}`,
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: one(uniqSorted(keys)),
      Condition: { StringEquals: { 'kms:ViaService': one(via.split(',')) } },
    });
  }
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** The key-policy statement that lets the execution role decrypt through the given services. */
export function planKeyPolicyStatement(args: {
  roleArn: string;
  viaServices: readonly string[];
}): FixStatement {
  return {
    Sid: 'AllowEcsExecutionRoleDecrypt',
    Effect: 'Allow',
    Principal: { AWS: args.roleArn },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': one(uniqSorted(args.viaServices)) } },
  };
}
