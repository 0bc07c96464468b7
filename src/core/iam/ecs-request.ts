/**
 * The requests ECS makes with the task execution role at task start, as the evaluator sees them:
 * `ssm:GetParameters` / `secretsmanager:GetSecretValue` by the ECS agent, and the `kms:Decrypt`
 * that SSM or Secrets Manager then makes on the role's behalf.
 */
import type { ConditionContext } from './condition.js';
import type { AccessRequest } from './evaluate.js';

/** The account id inside an IAM role ARN (`arn:aws:iam::123456789012:role/x`). */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function principalKeys(roleArn: string, region: string): Record<string, readonly string[]> {
  return {
    'aws:PrincipalArn': [roleArn],
    'aws:PrincipalAccount': [accountOfArn(roleArn)],
    'aws:RequestedRegion': [region],
    'aws:PrincipalType': ['AssumedRole'],
  };
}

/** `ssm:GetParameters` on one parameter ARN, as the ECS agent calls it (directly, not via a service). */
export function ssmGetParametersRequest(roleArn: string, parameterArn: string): AccessRequest {
  const region = parameterArn.split(':')[3] ?? '';
  return {
    action: 'ssm:GetParameters',
    resource: parameterArn,
    principalArn: roleArn,
    principalAccount: accountOfArn(roleArn),
    context: { values: { ...principalKeys(roleArn, region), 'aws:ViaAWSService': ['false'] } },
  };
}

/** `secretsmanager:GetSecretValue` on the secret's full ARN, with the stage/id ECS passes if any. */
export function secretsManagerGetSecretValueRequest(
  roleArn: string,
  secretArn: string,
  selectors: { versionStage?: string | undefined; versionId?: string | undefined } = {},
): AccessRequest {
  const region = secretArn.split(':')[3] ?? '';
  const values: Record<string, readonly string[]> = {
    ...principalKeys(roleArn, region),
    'aws:ViaAWSService': ['false'],
  };
  if (selectors.versionStage) values['secretsmanager:VersionStage'] = [selectors.versionStage];
  if (selectors.versionId) values['secretsmanager:VersionId'] = [selectors.versionId];
  return {
    action: 'secretsmanager:GetSecretValue',
    resource: secretArn,
    principalArn: roleArn,
    principalAccount: accountOfArn(roleArn),
    // SecretId is whatever string ECS passes (name, partial or full ARN): not knowable here.
    context: { values, presentUnknown: ['secretsmanager:SecretId'] },
  };
}

/**
 * `kms:Decrypt` on the key, made by SSM or Secrets Manager for the role: `kms:ViaService` is the
 * regional service endpoint, and the encryption context is the parameter ARN (SSM) or the secret
 * ARN plus a version id we cannot know (Secrets Manager).
 */
export function kmsDecryptRequest(args: {
  roleArn: string;
  keyArn: string;
  via: 'ssm' | 'secretsmanager';
  /** The parameter ARN (SSM) or the secret's full ARN (Secrets Manager). */
  resourceArn: string;
  /** Defaults to the key ARN's region; pass it when `keyArn` is an alias name. */
  region?: string | undefined;
}): AccessRequest {
  const region = args.region ?? args.keyArn.split(':')[3] ?? '';
  const account = accountOfArn(args.roleArn);
  const ecKey = args.via === 'ssm' ? 'PARAMETER_ARN' : 'SecretARN';
  const encryptionContext: Record<string, string | null> =
    args.via === 'ssm'
      ? { PARAMETER_ARN: args.resourceArn }
      : { SecretARN: args.resourceArn, SecretVersionId: null };
  const values: Record<string, readonly string[]> = {
    ...principalKeys(args.roleArn, region),
    'aws:ViaAWSService': ['true'],
    'kms:ViaService': [`${args.via}.${region}.amazonaws.com`],
    'kms:CallerAccount': [account],
    'kms:EncryptionAlgorithm': ['SYMMETRIC_DEFAULT'],
    [`kms:EncryptionContext:${ecKey}`]: [args.resourceArn],
    'kms:EncryptionContextKeys': Object.keys(encryptionContext),
  };
  const context: ConditionContext = {
    values,
    presentUnknown: args.via === 'secretsmanager' ? ['kms:EncryptionContext:SecretVersionId'] : [],
  };
  return {
    action: 'kms:Decrypt',
    resource: args.keyArn,
    principalArn: args.roleArn,
    principalAccount: account,
    context,
    encryptionContext,
  };
}

/** The context ECS presents when assuming a role for a task: only the caller account is known. */
export function ecsAssumeRoleContext(account: string | undefined): ConditionContext {
  return { values: account ? { 'aws:SourceAccount': [account] } : {} };
}

/**
 * A call a role's session makes itself (not through another service): e.g. the FireLens router's
 * `logs:PutLogEvents` with the task role, or the ECS agent's with the execution role (docs/firelens.md).
 */
export function roleRequest(
  roleArn: string,
  action: string,
  resource: string,
  region: string,
): AccessRequest {
  return {
    action,
    resource,
    principalArn: roleArn,
    principalAccount: accountOfArn(roleArn),
    context: { values: { ...principalKeys(roleArn, region), 'aws:ViaAWSService': ['false'] } },
  };
}
