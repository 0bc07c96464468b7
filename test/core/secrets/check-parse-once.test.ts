/**
 * Policy documents are parsed once, when read (`withParsedPolicy`, `trustPolicyParsed`), not again
 * by every evaluation of every reference; the answers are the same either way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type PolicySource, parsePolicyDocument, withParsedPolicy } from '../../../src/core/iam/policy.js';
import {
  checkSecrets,
  kmsKeyLookupKey,
  parameterLookupKey,
  type SecretsCheckInput,
  type TaskSecretReference,
} from '../../../src/core/secrets/check.js';

const REGION = 'eu-west-1';
const ACCT = '123456789012';
const EXEC = `arn:aws:iam::${ACCT}:role/exec`;
const TASK = `arn:aws:iam::${ACCT}:role/app`;
const CMK_ID = '1111-2222';
const CMK = `arn:aws:kms:${REGION}:${ACCT}:key/${CMK_ID}`;
const pArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCT}:parameter/${name.replace(/^\//, '')}`;
const doc = (source: string, Statement: object[]): PolicySource => ({
  source,
  document: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement })),
});
const TRUST = encodeURIComponent(
  JSON.stringify({
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  }),
);
const ref = (name: string, i: number): TaskSecretReference => ({
  containerName: 'web',
  name: `S${i}`,
  valueFrom: name,
  source: 'secrets',
  path: `containerDefinitions[0].secrets[${i}].valueFrom`,
});

/** Ten CMK-encrypted parameters; the execution role reads half, the task role all and decrypts. */
function input(parse: (p: PolicySource) => PolicySource): SecretsCheckInput {
  const names = Array.from({ length: 10 }, (_, i) => `/app/p${i}`);
  const exec = [
    doc('inline policy read', [
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: names.slice(0, 5).map(pArn) },
    ]),
    doc(`managed policy arn:aws:iam::${ACCT}:policy/deny`, [
      { Effect: 'Deny', Action: 'ssm:GetParameters', Resource: pArn('/app/p4') },
    ]),
  ].map(parse);
  const task = [
    doc('inline policy all', [
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/*`,
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: CMK },
    ]),
  ].map(parse);
  const keyPolicy = parse(
    doc('key policy', [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' },
    ]),
  );
  const trustPolicyParsed = parse === withParsedPolicy ? parsePolicyDocument(TRUST) : undefined;
  return {
    region: REGION,
    account: ACCT,
    references: names.map(ref),
    executionRoleArn: EXEC,
    taskRoleArn: TASK,
    roles: {
      [EXEC]: {
        status: 'found',
        value: { roleArn: EXEC, trustPolicy: TRUST, trustPolicyParsed, identityPolicies: exec },
      },
      [TASK]: {
        status: 'found',
        value: { roleArn: TASK, trustPolicy: TRUST, trustPolicyParsed, identityPolicies: task },
      },
    },
    parameters: Object.fromEntries(
      names.map((n) => [
        parameterLookupKey(pArn(n)),
        { status: 'found', value: { name: n, type: 'SecureString', keyId: CMK_ID } },
      ]),
    ),
    secrets: {},
    keys: {
      [kmsKeyLookupKey(REGION, CMK_ID)]: {
        status: 'found',
        value: { keyArn: CMK, keyId: CMK_ID, keyManager: 'CUSTOMER', aliases: [], keyPolicy, grants: [] },
      },
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('checkSecrets with documents parsed when read', () => {
  it('parses nothing again, however many references and roles it evaluates', () => {
    const parsedInput = input(withParsedPolicy);
    const parse = vi.spyOn(JSON, 'parse');
    const result = checkSecrets(parsedInput);
    expect(parse).not.toHaveBeenCalled();
    expect(result.rows).toHaveLength(10);
  });

  it('without the parsed forms, documents are parsed on every evaluation (what reading once saves)', () => {
    const raw = input((p) => p);
    const parse = vi.spyOn(JSON, 'parse');
    checkSecrets(raw);
    // 10 references x 2 roles x (read + decrypt) evaluations, each parsing the role's documents.
    expect(parse.mock.calls.length).toBeGreaterThan(40);
  });

  it('gives the same result either way', () => {
    const parsed = checkSecrets(input(withParsedPolicy));
    const raw = checkSecrets(input((p) => p));
    expect(parsed).toEqual(raw);
    expect(parsed.status).toBe('findings');
    expect(parsed.findings.map((f) => f.code)).toContain('task-role-can-but-execution-role-cannot');
  });

  it('a document that does not parse is reported the same when parsed at read', () => {
    const bad: PolicySource = { source: 'inline policy broken', document: '{not json' };
    const base = input((p) => p);
    const withBad = (p: PolicySource): SecretsCheckInput => ({
      ...base,
      roles: {
        ...base.roles,
        [EXEC]: { status: 'found', value: { roleArn: EXEC, trustPolicy: TRUST, identityPolicies: [p] } },
      },
    });
    expect(checkSecrets(withBad(withParsedPolicy(bad)))).toEqual(checkSecrets(withBad(bad)));
    expect(JSON.stringify(checkSecrets(withBad(withParsedPolicy(bad))).findings)).toContain(
      'could not parse',
    );
  });
});
