import { describe, expect, it } from 'vitest';
import { type ConditionContext, evaluateCondition } from '../../../src/core/iam/condition.js';
import { actionMatches, arnMatches, globMatch } from '../../../src/core/iam/match.js';

const ctx: ConditionContext = {
  values: {
    'kms:ViaService': ['ssm.eu-west-1.amazonaws.com'],
    'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/exec'],
    'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
    'aws:ViaAWSService': ['true'],
    'test:Number': ['42'],
    'test:Date': ['2026-06-01T00:00:00Z'],
  },
  absent: ['aws:MissingKey', 'aws:TagKeys'],
  presentUnknown: ['kms:EncryptionContext:SecretVersionId'],
};

type Cond = Record<string, Record<string, string | string[]>>;
const norm = (c: Cond) =>
  Object.fromEntries(
    Object.entries(c).map(([op, b]) => [
      op,
      Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    ]),
  );

describe('evaluateCondition', () => {
  it.each<[string, Cond, boolean | 'unknown']>([
    ['StringEquals match', { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } }, true],
    [
      'StringEquals other value',
      { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
      false,
    ],
    [
      'StringEquals one of list',
      { StringEquals: { 'kms:ViaService': ['x', 'ssm.eu-west-1.amazonaws.com'] } },
      true,
    ],
    [
      'key names are case-insensitive',
      { StringEquals: { 'KMS:VIASERVICE': 'ssm.eu-west-1.amazonaws.com' } },
      true,
    ],
    [
      'StringEquals is case-sensitive',
      { StringEquals: { 'kms:ViaService': 'SSM.eu-west-1.amazonaws.com' } },
      false,
    ],
    [
      'StringEqualsIgnoreCase',
      { StringEqualsIgnoreCase: { 'kms:ViaService': 'SSM.EU-west-1.amazonaws.com' } },
      true,
    ],
    ['StringLike wildcard', { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } }, true],
    ['StringNotLike wildcard', { StringNotLike: { 'kms:ViaService': 'ssm.*' } }, false],
    [
      'StringNotEquals other',
      { StringNotEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      true,
    ],
    ['negated operator with absent key is true', { StringNotEquals: { 'aws:MissingKey': 'x' } }, true],
    ['positive operator with absent key is false', { StringEquals: { 'aws:MissingKey': 'x' } }, false],
    ['IfExists with absent key is true', { StringEqualsIfExists: { 'aws:MissingKey': 'x' } }, true],
    ['IfExists with present key compares', { StringEqualsIfExists: { 'kms:ViaService': 'x' } }, false],
    ['Null true on absent key', { Null: { 'aws:MissingKey': 'true' } }, true],
    ['Null false on present key', { Null: { 'kms:ViaService': 'false' } }, true],
    ['Null true on present key', { Null: { 'kms:ViaService': 'true' } }, false],
    ['Bool', { Bool: { 'aws:ViaAWSService': 'true' } }, true],
    ['Bool mismatch', { Bool: { 'aws:ViaAWSService': 'false' } }, false],
    ['NumericLessThan', { NumericLessThan: { 'test:Number': '50' } }, true],
    ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 'test:Number': '43' } }, false],
    ['DateGreaterThan', { DateGreaterThan: { 'test:Date': '2026-01-01T00:00:00Z' } }, true],
    ['DateLessThan epoch seconds', { DateLessThan: { 'test:Date': '1700000000' } }, false],
    ['ArnLike segment wildcard', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/exec' } }, true],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/other' } }, true],
    [
      'ForAnyValue on a list',
      { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['PARAMETER_ARN', 'x'] } },
      true,
    ],
    [
      'ForAllValues subset fails',
      { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['x'] } },
      false,
    ],
    ['ForAllValues with absent key is true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['x'] } }, true],
    ['ForAnyValue with absent key is false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['x'] } }, false],
    [
      'all operators must hold (AND)',
      {
        StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' },
        Bool: { 'aws:ViaAWSService': 'false' },
      },
      false,
    ],
    ['unknowable key is unknown', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, 'unknown'],
    ['key not modelled is unknown', { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }, 'unknown'],
    [
      'present key with unknown value',
      { StringEquals: { 'kms:EncryptionContext:SecretVersionId': 'v' } },
      'unknown',
    ],
    ['unsupported operator is unknown', { BinaryEquals: { 'kms:ViaService': 'QmluYXJ5' } }, 'unknown'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
    ['policy variable is unknown', { StringEquals: { 'aws:PrincipalArn': '${aws:username}' } }, 'unknown'],
    [
      'a false operator beats an unknown one',
      { StringEquals: { 'aws:SourceVpce': 'v', 'kms:ViaService': 'x' } },
      false,
    ],
  ])('%s', (_name, cond, expected) => {
    expect(evaluateCondition(norm(cond), ctx).result).toBe(expected);
  });
});

describe('wildcards', () => {
  it.each<[string, string, boolean]>([
    ['ssm:Get*', 'ssm:GetParameters', true],
    ['SSM:getparameters', 'ssm:GetParameters', true],
    ['ssm:GetParameter', 'ssm:GetParameters', false],
    ['ssm:GetParameter?', 'ssm:GetParameters', true],
    ['*', 'kms:Decrypt', true],
    ['kms:*', 'ssm:GetParameters', false],
  ])('action %s vs %s -> %s', (p, a, expected) => {
    expect(actionMatches(p, a)).toBe(expected);
  });

  it.each<[string, string, boolean]>([
    ['arn:aws:ssm:*:*:parameter/app/*', 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db/url', true],
    ['arn:aws:ssm:*:*:parameter/app/*', 'arn:aws:ssm:eu-west-1:123456789012:parameter/other', false],
    ['arn:aws:ssm:*:*:parameter/App/*', 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/x', false],
    [
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db?url',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/app/db_url',
      true,
    ],
    ['*', 'arn:aws:kms:eu-west-1:123456789012:key/abc', true],
    // `*` in the region field must not swallow the account field
    ['arn:aws:ssm:*:111111111111:parameter/*', 'arn:aws:ssm:eu-west-1:123456789012:parameter/x', false],
    [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbC123',
      true,
    ],
    [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-admin-AbC123',
      false,
    ],
  ])('resource %s vs %s -> %s', (p, r, expected) => {
    expect(arnMatches(p, r)).toBe(expected);
  });

  it('matches long patterns without blowing up', () => {
    expect(globMatch('*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
  });
});
