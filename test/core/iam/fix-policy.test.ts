import { describe, expect, it } from 'vitest';
import { kmsDecryptRequest, ssmGetParametersRequest } from '../../../src/core/iam/ecs-request.js';
import { evaluateIdentityAccess, evaluateKmsDecrypt } from '../../../src/core/iam/evaluate.js';
import {
  planExecutionRolePolicy,
  planKeyPolicyStatement,
  secretArnForPolicy,
} from '../../../src/core/iam/fix-policy.js';

const ACCT = '123456789012';
const ROLE = `arn:aws:iam::${ACCT}:role/exec`;
const P1 = `arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/a`;
const P2 = `arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/b`;
const KEY = `arn:aws:kms:eu-west-1:${ACCT}:key/k1`;

describe('planExecutionRolePolicy', () => {
  it('returns undefined when nothing is needed', () => {
    expect(planExecutionRolePolicy({ ssmParameterArns: [], secretArns: [], kmsKeys: [] })).toBeUndefined();
  });

  it('lists exact ARNs, deduplicated, with kms:ViaService', () => {
    const doc = planExecutionRolePolicy({
      ssmParameterArns: [P2, P1, P2],
      secretArns: [`arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`],
      kmsKeys: [{ keyArn: KEY, viaServices: ['ssm.eu-west-1.amazonaws.com'] }],
    });
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadSsmParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [P1, P2] },
        {
          Sid: 'ReadSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`,
        },
        {
          Sid: 'DecryptSecrets',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY,
          Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
        },
      ],
    });
  });

  it('produces a policy the evaluator accepts for the exact request (round trip)', () => {
    const doc = planExecutionRolePolicy({
      ssmParameterArns: [P1],
      secretArns: [],
      kmsKeys: [{ keyArn: KEY, viaServices: ['ssm.eu-west-1.amazonaws.com'] }],
    });
    const role = {
      roleArn: ROLE,
      identityPolicies: [{ source: 'inline policy fix', document: doc as object }],
    };
    expect(evaluateIdentityAccess(role, ssmGetParametersRequest(ROLE, P1)).decision).toBe('allowed');
    expect(evaluateIdentityAccess(role, ssmGetParametersRequest(ROLE, P2)).decision).toBe('not-allowed');
    const keyPolicy = {
      source: 'key policy',
      document: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    };
    const req = kmsDecryptRequest({ roleArn: ROLE, keyArn: KEY, via: 'ssm', resourceArn: P1 });
    expect(
      evaluateKmsDecrypt(role, req, { keyArn: KEY, keyManager: 'CUSTOMER', keyPolicy, grants: [] }).decision,
    ).toBe('allowed');
  });

  it('key-policy statement makes a non-delegating key decryptable', () => {
    const st = planKeyPolicyStatement({ roleArn: ROLE, viaServices: ['ssm.eu-west-1.amazonaws.com'] });
    const keyPolicy = { source: 'key policy', document: { Statement: [st] } };
    const req = kmsDecryptRequest({ roleArn: ROLE, keyArn: KEY, via: 'ssm', resourceArn: P1 });
    const role = { roleArn: ROLE, identityPolicies: [] };
    expect(
      evaluateKmsDecrypt(role, req, { keyArn: KEY, keyManager: 'CUSTOMER', keyPolicy, grants: [] }).decision,
    ).toBe('allowed');
  });

  it.each<[string, boolean, string]>([
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`,
      true,
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`,
    ],
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db`,
      false,
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-??????`,
    ],
  ])('secretArnForPolicy(%s)', (arn, full, expected) => {
    expect(secretArnForPolicy(arn, full)).toBe(expected);
  });
});
