import { describe, expect, it } from 'vitest';
import {
  findReferenceProblems,
  parseSecretReference,
  partitionForRegion,
  referenceHome,
  type SecretReference,
  ssmNameFromArnResource,
  ssmParameterArn,
} from '../../../src/core/secrets/reference.js';

const ACCT = '123456789012';
const TASK = { region: 'eu-west-1', account: ACCT };

describe('parseSecretReference', () => {
  it.each<[string, Partial<SecretReference> & { kind: SecretReference['kind'] }]>([
    ['/app/prod/DB_URL', { kind: 'ssm-name', name: '/app/prod/DB_URL' }],
    ['legacy.name', { kind: 'ssm-name', name: 'legacy.name' }],
    ['/app/db:3', { kind: 'ssm-name', name: '/app/db', selector: '3' }],
    ['/app/db:prod-label', { kind: 'ssm-name', name: '/app/db', selector: 'prod-label' }],
    [
      `arn:aws:ssm:eu-west-1:${ACCT}:parameter/app/db`,
      { kind: 'ssm-arn', name: '/app/db', region: 'eu-west-1', account: ACCT, partition: 'aws' },
    ],
    [`arn:aws:ssm:eu-west-1:${ACCT}:parameter/flat`, { kind: 'ssm-arn', name: 'flat' }],
    [
      `arn:aws-cn:ssm:cn-north-1:${ACCT}:parameter/a/b:2`,
      { kind: 'ssm-arn', name: '/a/b', selector: '2', partition: 'aws-cn' },
    ],
    ['/aws/reference/secretsmanager/prod/db', { kind: 'ssm-secretsmanager-reference', secretId: 'prod/db' }],
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-AbC123`,
      {
        kind: 'secretsmanager-arn',
        secretName: 'prod/db',
        hasRandomSuffix: true,
        secretArn: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:prod/db-AbC123`,
      },
    ],
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:demo/testing/mysql`,
      { kind: 'secretsmanager-arn', secretName: 'demo/testing/mysql', hasRandomSuffix: false },
    ],
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123:password::`,
      {
        kind: 'secretsmanager-arn',
        jsonKey: 'password',
        secretArn: `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123`,
      },
    ],
    [
      `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123:password:AWSPREVIOUS:`,
      { kind: 'secretsmanager-arn', jsonKey: 'password', versionStage: 'AWSPREVIOUS' },
    ],
    [`arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db-AbC123:password`, { kind: 'unparseable' }],
    [`arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:db:k:AWSCURRENT:v1`, { kind: 'unparseable' }],
    [`arn:aws:s3:::bucket/key`, { kind: 'unparseable' }],
    [`arn:aws:ssm:eu-west-1:${ACCT}:document/x`, { kind: 'unparseable' }],
    ['has spaces', { kind: 'unparseable' }],
    ['', { kind: 'unparseable' }],
  ])('%s', (valueFrom, expected) => {
    expect(parseSecretReference(valueFrom)).toMatchObject(expected);
  });
});

describe('ARN helpers', () => {
  it.each<[string, string]>([
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('partitionForRegion(%s) = %s', (region, partition) => {
    expect(partitionForRegion(region)).toBe(partition);
  });

  it.each<[string, string]>([
    ['/a/b', `arn:aws:ssm:eu-west-1:${ACCT}:parameter/a/b`],
    ['flat', `arn:aws:ssm:eu-west-1:${ACCT}:parameter/flat`],
  ])('ssmParameterArn(%s) round-trips', (name, arn) => {
    expect(ssmParameterArn('aws', 'eu-west-1', ACCT, name)).toBe(arn);
    expect(ssmNameFromArnResource(arn.split(':').slice(5).join(':'))).toBe(name);
  });
});

describe('findReferenceProblems', () => {
  it.each<[string, string[]]>([
    ['/app/db', []],
    ['/app/db:3', ['ssm-version-selector']],
    [`arn:aws:ssm:eu-west-1:999999999999:parameter/app/db`, ['cross-account-ssm']],
    [`arn:aws:ssm:us-east-1:${ACCT}:parameter/app/db`, ['cross-region-reference']],
    [
      `arn:aws:ssm:us-east-1:999999999999:parameter/app/db:1`,
      ['ssm-version-selector', 'cross-account-ssm', 'cross-region-reference'],
    ],
    // Secrets Manager ARNs may be cross-account
    [`arn:aws:secretsmanager:eu-west-1:999999999999:secret:db-AbC123`, []],
    [`arn:aws:secretsmanager:us-east-1:${ACCT}:secret:db-AbC123:k::`, ['cross-region-reference']],
    ['bad value', ['reference-unparseable']],
  ])('%s -> %j', (valueFrom, codes) => {
    expect(findReferenceProblems(parseSecretReference(valueFrom), TASK).map((p) => p.code)).toEqual(codes);
  });

  it('treats cross-region as a note, the rejected forms as errors', () => {
    const sev = (v: string) => findReferenceProblems(parseSecretReference(v), TASK).map((p) => p.severity);
    expect(sev(`arn:aws:ssm:us-east-1:${ACCT}:parameter/x`)).toEqual(['info']);
    expect(sev('/x:1')).toEqual(['error']);
  });

  it('names resolve in the task region and account; ARNs in their own', () => {
    expect(referenceHome(parseSecretReference('/x'), TASK)).toEqual(TASK);
    expect(referenceHome(parseSecretReference(`arn:aws:ssm:us-east-1:${ACCT}:parameter/x`), TASK)).toEqual({
      region: 'us-east-1',
      account: ACCT,
    });
  });
});
