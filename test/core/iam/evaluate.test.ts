import { describe, expect, it } from 'vitest';
import {
  kmsDecryptRequest,
  secretsManagerGetSecretValueRequest,
  ssmGetParametersRequest,
} from '../../../src/core/iam/ecs-request.js';
import {
  type AccessDecision,
  analyzeKeyPolicy,
  evaluateIdentityAccess,
  evaluateKmsDecrypt,
  evaluateSecretsManagerAccess,
  evaluateTrustPolicy,
  type KmsGrant,
  type KmsKeyAccessState,
  type RolePolicies,
} from '../../../src/core/iam/evaluate.js';
import type { PolicySource } from '../../../src/core/iam/policy.js';

const ACCT = '123456789012';
const ROLE = `arn:aws:iam::${ACCT}:role/exec`;
const PARAM = `arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/db/url`;
const KEY = `arn:aws:kms:eu-west-1:${ACCT}:key/1111-2222`;
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`;

type Stmt = Record<string, unknown>;
const policy = (source: string, ...Statement: Stmt[]): PolicySource => ({
  source,
  document: JSON.stringify({ Version: '2012-10-17', Statement }),
});
const allow = (Action: unknown, Resource: unknown, extra: Stmt = {}): Stmt => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (Action: unknown, Resource: unknown, extra: Stmt = {}): Stmt => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});
const role = (policies: PolicySource[], boundary?: PolicySource): RolePolicies => ({
  roleArn: ROLE,
  identityPolicies: policies,
  permissionsBoundary: boundary,
});

const ssmReq = ssmGetParametersRequest(ROLE, PARAM);

describe('evaluateIdentityAccess (ssm:GetParameters on the exact parameter ARN)', () => {
  it.each<[string, RolePolicies, AccessDecision['decision'], string?]>([
    [
      'exact allow',
      role([policy('inline policy a', allow('ssm:GetParameters', PARAM, { Sid: 'Read' }))]),
      'allowed',
      'inline policy a, Sid "Read"',
    ],
    [
      'wildcard resource',
      role([policy('p', allow('ssm:GetParameter*', 'arn:aws:ssm:*:*:parameter/app/*'))]),
      'allowed',
    ],
    [
      'action array, resource array',
      role([policy('p', allow(['kms:Decrypt', 'ssm:GetParameters'], ['x', PARAM]))]),
      'allowed',
    ],
    [
      'wrong path',
      role([policy('p', allow('ssm:GetParameters', 'arn:aws:ssm:*:*:parameter/other/*'))]),
      'not-allowed',
      'no identity policy',
    ],
    [
      'GetParameter (singular) is not GetParameters',
      role([policy('p', allow('ssm:GetParameter', PARAM))]),
      'not-allowed',
    ],
    ['no policies', role([]), 'not-allowed'],
    [
      'explicit deny wins over allow',
      role([policy('p', allow('*', '*')), policy('managed policy d', deny('ssm:*', PARAM, { Sid: 'No' }))]),
      'denied',
      'managed policy d, Sid "No"',
    ],
    [
      'NotAction allow covers ssm',
      role([policy('p', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })]),
      'allowed',
    ],
    [
      'NotAction allow excluding ssm',
      role([policy('p', { Effect: 'Allow', NotAction: 'ssm:*', Resource: '*' })]),
      'not-allowed',
    ],
    [
      'NotResource allow excluding the param',
      role([policy('p', { Effect: 'Allow', Action: 'ssm:*', NotResource: PARAM })]),
      'not-allowed',
    ],
    [
      'NotResource deny on other resources does not apply',
      role([
        policy('p', allow('*', '*'), {
          Effect: 'Deny',
          Action: 'ssm:*',
          NotResource: 'arn:aws:ssm:*:*:parameter/app/*',
        }),
      ]),
      'allowed',
    ],
    [
      'boundary that allows',
      role(
        [policy('p', allow('ssm:GetParameters', PARAM))],
        policy('permissions boundary b', allow('ssm:*', '*')),
      ),
      'allowed',
    ],
    [
      'boundary that blocks',
      role(
        [policy('p', allow('ssm:GetParameters', PARAM))],
        policy('permissions boundary b', allow('s3:*', '*')),
      ),
      'not-allowed',
      'permissions boundary b does not allow',
    ],
    [
      'boundary deny',
      role(
        [policy('p', allow('*', '*'))],
        policy('permissions boundary b', allow('*', '*'), deny('ssm:*', '*')),
      ),
      'denied',
      'permissions boundary b',
    ],
    [
      'boundary alone grants nothing',
      role([], policy('permissions boundary b', allow('*', '*'))),
      'not-allowed',
      'no identity policy',
    ],
    [
      'allow with unsupported condition',
      role([
        policy(
          'p',
          allow('ssm:GetParameters', PARAM, { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
        ),
      ]),
      'unknown',
      'aws:SourceIp',
    ],
    [
      'unconditional allow beats a conditional one',
      role([
        policy(
          'p',
          allow('ssm:GetParameters', PARAM, { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
          allow('ssm:GetParameters', PARAM),
        ),
      ]),
      'allowed',
    ],
    [
      'deny with unknowable condition',
      role([
        policy(
          'p',
          allow('*', '*'),
          deny('*', '*', { Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }),
        ),
      ]),
      'unknown',
      'a Deny might apply',
    ],
    [
      'deny with a false condition',
      role([
        policy(
          'p',
          allow('*', '*'),
          deny('*', '*', { Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }),
        ),
      ]),
      'allowed',
    ],
    [
      'unreadable inline policy',
      role([
        {
          source: 'inline policy x',
          document: { unreadable: true, lackingPermission: 'iam:GetRolePolicy', reason: 'AccessDenied' },
        },
      ]),
      'unknown',
    ],
    [
      'unparseable document',
      role([{ source: 'inline policy x', document: '{nope' }]),
      'unknown',
      'could not parse',
    ],
    [
      'URL-encoded document',
      role([
        {
          source: 'p',
          document: encodeURIComponent(JSON.stringify({ Statement: [allow('ssm:GetParameters', PARAM)] })),
        },
      ]),
      'allowed',
    ],
    [
      'resource with policy variable',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
      role([policy('p', allow('ssm:GetParameters', 'arn:aws:ssm:*:*:parameter/${aws:username}/*'))]),
      'unknown',
      'policy variable',
    ],
  ])('%s -> %s', (_n, r, expected, detail) => {
    const d = evaluateIdentityAccess(r, ssmReq);
    expect(d.decision).toBe(expected);
    if (detail) expect(Object.values(d).flat().join(' ')).toContain(detail);
  });

  it('names the denied IAM action for unreadable documents', () => {
    const d = evaluateIdentityAccess(
      role([
        {
          source: 'inline policy x',
          document: { unreadable: true, lackingPermission: 'iam:GetRolePolicy', reason: 'AccessDenied' },
        },
      ]),
      ssmReq,
    );
    expect(d).toMatchObject({ decision: 'unknown', lackingPermission: 'iam:GetRolePolicy' });
  });
});

describe('evaluateSecretsManagerAccess (identity + secret resource policy)', () => {
  const req = secretsManagerGetSecretValueRequest(ROLE, SECRET);
  const rp = (...s: Stmt[]) => policy('resource policy of db', ...s);
  it.each<[string, RolePolicies, PolicySource | undefined, AccessDecision['decision']]>([
    [
      'identity allow, no resource policy',
      role([policy('p', allow('secretsmanager:GetSecretValue', SECRET))]),
      undefined,
      'allowed',
    ],
    [
      'identity allow with ??????',
      role([
        policy(
          'p',
          allow('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-??????`),
        ),
      ]),
      undefined,
      'allowed',
    ],
    [
      'resource policy names the role',
      role([]),
      rp(allow('secretsmanager:GetSecretValue', '*', { Principal: { AWS: ROLE } })),
      'allowed',
    ],
    [
      'resource policy names the account only',
      role([]),
      rp(allow('secretsmanager:GetSecretValue', '*', { Principal: { AWS: `arn:aws:iam::${ACCT}:root` } })),
      'not-allowed',
    ],
    [
      'resource policy names another role',
      role([]),
      rp(
        allow('secretsmanager:GetSecretValue', '*', {
          Principal: { AWS: `arn:aws:iam::${ACCT}:role/other` },
        }),
      ),
      'not-allowed',
    ],
    [
      'resource policy deny for everyone',
      role([policy('p', allow('*', '*'))]),
      rp(deny('secretsmanager:*', '*', { Principal: '*' })),
      'denied',
    ],
    [
      'resource policy deny for the account',
      role([policy('p', allow('*', '*'))]),
      rp(deny('secretsmanager:*', '*', { Principal: { AWS: ACCT } })),
      'denied',
    ],
    [
      'NotPrincipal deny not naming the role',
      role([policy('p', allow('*', '*'))]),
      rp(deny('secretsmanager:*', '*', { NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/admin` } })),
      'denied',
    ],
    [
      'NotPrincipal deny naming the role is undecidable',
      role([policy('p', allow('*', '*'))]),
      rp(deny('secretsmanager:*', '*', { NotPrincipal: { AWS: ROLE } })),
      'unknown',
    ],
    [
      'NotPrincipal deny always applies with a boundary',
      role([policy('p', allow('*', '*'))], policy('b', allow('*', '*'))),
      rp(deny('secretsmanager:*', '*', { NotPrincipal: { AWS: ROLE } })),
      'denied',
    ],
    [
      'resource grant to role ARN is limited by the boundary',
      role([], policy('b', allow('s3:*', '*'))),
      rp(allow('secretsmanager:GetSecretValue', '*', { Principal: { AWS: ROLE } })),
      'not-allowed',
    ],
    [
      'unreadable resource policy',
      role([policy('p', allow('*', '*'))]),
      {
        source: 'resource policy',
        document: {
          unreadable: true,
          lackingPermission: 'secretsmanager:GetResourcePolicy',
          reason: 'AccessDenied',
        },
      },
      'unknown',
    ],
  ])('%s -> %s', (_n, r, resourcePolicy, expected) => {
    expect(evaluateSecretsManagerAccess(r, req, resourcePolicy).decision).toBe(expected);
  });
});

describe('evaluateKmsDecrypt', () => {
  const req = kmsDecryptRequest({ roleArn: ROLE, keyArn: KEY, via: 'ssm', resourceArn: PARAM });
  const smReq = kmsDecryptRequest({ roleArn: ROLE, keyArn: KEY, via: 'secretsmanager', resourceArn: SECRET });
  const rootDelegation = {
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
  const adminOnly = {
    Sid: 'Admins',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCT}:role/admin` },
    Action: 'kms:*',
    Resource: '*',
  };
  const key = (statements: Stmt[], grants: KmsGrant[] = []): KmsKeyAccessState => ({
    keyArn: KEY,
    keyManager: 'CUSTOMER',
    keyPolicy: policy('key policy', ...statements),
    grants,
  });
  const iamDecrypt = policy('inline policy kms', allow('kms:Decrypt', KEY));
  const grant = (extra: Partial<KmsGrant> = {}): KmsGrant => ({
    name: 'g1',
    granteePrincipal: ROLE,
    operations: ['Decrypt'],
    ...extra,
  });

  it.each<[string, RolePolicies, KmsKeyAccessState, AccessDecision['decision'], string?]>([
    [
      'AWS-managed key, no kms permission anywhere',
      role([]),
      { keyArn: KEY, keyManager: 'AWS' },
      'allowed',
      'AWS-managed',
    ],
    [
      'AWS-managed key, boundary without kms is undocumented',
      role([], policy('b', allow('ssm:*', '*'))),
      { keyArn: KEY, keyManager: 'AWS' },
      'unknown',
      'does not document',
    ],
    [
      'AWS-managed key, identity deny on kms',
      role([policy('p', deny('kms:*', '*'))]),
      { keyArn: KEY, keyManager: 'AWS' },
      'denied',
    ],
    [
      'CMK, root delegation + IAM allow',
      role([iamDecrypt]),
      key([rootDelegation]),
      'allowed',
      'inline policy kms',
    ],
    [
      'CMK, root delegation (bare account id) + IAM allow',
      role([iamDecrypt]),
      key([{ ...rootDelegation, Principal: { AWS: ACCT } }]),
      'allowed',
    ],
    [
      'CMK, root delegation but no IAM allow',
      role([]),
      key([rootDelegation]),
      'not-allowed',
      'delegates to IAM',
    ],
    [
      'CMK without root delegation + IAM allow',
      role([iamDecrypt]),
      key([adminOnly]),
      'not-allowed',
      'neither names the role nor delegates to IAM',
    ],
    [
      'CMK key policy names the role, no IAM allow',
      role([]),
      key([adminOnly, { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*' }]),
      'allowed',
    ],
    [
      'CMK key policy names the role, boundary blocks',
      role([], policy('permissions boundary b', allow('ssm:*', '*'))),
      key([{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*' }]),
      'not-allowed',
      'boundary',
    ],
    ['grant to the role', role([]), key([adminOnly], [grant()]), 'allowed', 'KMS grant g1'],
    [
      'grant for Encrypt only',
      role([]),
      key([adminOnly], [grant({ operations: ['Encrypt'] })]),
      'not-allowed',
    ],
    [
      'grant to another role',
      role([]),
      key([adminOnly], [grant({ granteePrincipal: `arn:aws:iam::${ACCT}:role/x` })]),
      'not-allowed',
    ],
    [
      'grant with matching EncryptionContextSubset',
      role([]),
      key([adminOnly], [grant({ constraints: { encryptionContextSubset: { PARAMETER_ARN: PARAM } } })]),
      'allowed',
    ],
    [
      'grant with other EncryptionContextEquals',
      role([]),
      key([adminOnly], [grant({ constraints: { encryptionContextEquals: { PARAMETER_ARN: 'x' } } })]),
      'not-allowed',
    ],
    [
      'grant plus explicit deny in key policy',
      role([]),
      key([adminOnly, { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }], [grant()]),
      'denied',
    ],
    [
      'grant, boundary without kms',
      role([], policy('b', allow('ssm:*', '*'))),
      key([adminOnly], [grant()]),
      'unknown',
      'does not document',
    ],
    [
      'IAM deny beats root delegation',
      role([iamDecrypt, policy('p', deny('kms:Decrypt', '*'))]),
      key([rootDelegation]),
      'denied',
    ],
    [
      'kms:ViaService matches (IAM side)',
      role([
        policy(
          'p',
          allow('kms:Decrypt', KEY, {
            Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
          }),
        ),
      ]),
      key([rootDelegation]),
      'allowed',
    ],
    [
      'kms:ViaService does not match (IAM side)',
      role([
        policy(
          'p',
          allow('kms:Decrypt', KEY, {
            Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
          }),
        ),
      ]),
      key([rootDelegation]),
      'not-allowed',
    ],
    [
      'kms:ViaService in the key policy',
      role([]),
      key([
        {
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } },
        },
      ]),
      'allowed',
    ],
    [
      'encryption context condition on the parameter path',
      role([
        policy(
          'p',
          allow('kms:Decrypt', KEY, {
            Condition: {
              StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:*:*:parameter/app/*' },
            },
          }),
        ),
      ]),
      key([rootDelegation]),
      'allowed',
    ],
    [
      'unreadable key policy',
      role([iamDecrypt]),
      { keyArn: KEY, keyManager: 'CUSTOMER', grants: [] },
      'unknown',
    ],
    [
      'unreadable grants, nothing else allows',
      role([]),
      {
        ...key([adminOnly]),
        grants: { unreadable: true, lackingPermission: 'kms:ListGrants', reason: 'AccessDenied' },
      },
      'unknown',
    ],
  ])('%s -> %s', (_n, r, k, expected, detail) => {
    const d = evaluateKmsDecrypt(r, req, k);
    expect(d.decision).toBe(expected);
    if (detail) expect(Object.values(d).flat().join(' ')).toContain(detail);
  });

  it('reports the permission it lacked for an unreadable key policy', () => {
    const d = evaluateKmsDecrypt(role([iamDecrypt]), req, {
      keyArn: KEY,
      keyManager: 'CUSTOMER',
      grants: [],
    });
    expect(d).toMatchObject({ decision: 'unknown', lackingPermission: 'kms:GetKeyPolicy' });
  });

  it.each<[string, Record<string, string>, AccessDecision['decision']]>([
    ['SecretARN subset matches', { SecretARN: SECRET }, 'allowed'],
    ['SecretVersionId is unknowable', { SecretARN: SECRET, SecretVersionId: 'v1' }, 'unknown'],
  ])('Secrets Manager grant constraint: %s', (_n, subset, expected) => {
    const d = evaluateKmsDecrypt(
      role([]),
      smReq,
      key([adminOnly], [grant({ constraints: { encryptionContextSubset: subset } })]),
    );
    expect(d.decision).toBe(expected);
  });

  it('analyzeKeyPolicy tells delegation from naming the role', () => {
    expect(analyzeKeyPolicy(req, policy('k', rootDelegation))).toEqual({
      namesRole: 'no',
      delegatesToIam: 'yes',
    });
    expect(analyzeKeyPolicy(req, policy('k', adminOnly))).toEqual({ namesRole: 'no', delegatesToIam: 'no' });
  });
});

describe('evaluateTrustPolicy', () => {
  const trust = (Principal: unknown, extra: Stmt = {}) =>
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...extra }] });
  it.each<[string, string, AccessDecision['decision']]>([
    ['Service string', trust({ Service: 'ecs-tasks.amazonaws.com' }), 'allowed'],
    ['Service array', trust({ Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] }), 'allowed'],
    ['wrong service', trust({ Service: 'ecs.amazonaws.com' }), 'not-allowed'],
    ['AWS principal only', trust({ AWS: `arn:aws:iam::${ACCT}:root` }), 'not-allowed'],
    [
      'wrong action',
      trust({ Service: 'ecs-tasks.amazonaws.com' }, { Action: 'sts:AssumeRoleWithWebIdentity' }),
      'not-allowed',
    ],
    [
      'confused-deputy guard with the right account',
      trust(
        { Service: 'ecs-tasks.amazonaws.com' },
        { Condition: { StringEquals: { 'aws:SourceAccount': ACCT } } },
      ),
      'allowed',
    ],
    [
      'confused-deputy guard with another account',
      trust(
        { Service: 'ecs-tasks.amazonaws.com' },
        { Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } },
      ),
      'not-allowed',
    ],
    [
      'SourceArn guard is unknowable',
      trust(
        { Service: 'ecs-tasks.amazonaws.com' },
        { Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:ecs:eu-west-1:${ACCT}:*` } } },
      ),
      'unknown',
    ],
  ])('%s -> %s', (_n, doc, expected) => {
    expect(
      evaluateTrustPolicy(doc, 'ecs-tasks.amazonaws.com', { values: { 'aws:SourceAccount': [ACCT] } })
        .decision,
    ).toBe(expected);
  });
});
