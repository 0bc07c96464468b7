import { describe, expect, it } from 'vitest';
import type { AccessDecision, KmsGrant } from '../../../src/core/iam/evaluate.js';
import type { PolicySource } from '../../../src/core/iam/policy.js';
import {
  checkSecrets,
  type FindingCode,
  findWrapperUses,
  type KmsKeyState,
  kmsKeyLookupKey,
  type Lookup,
  parameterLookupKey,
  planKmsKeyReads,
  planSecretsCheckReads,
  planSimulatorFindings,
  type RoleState,
  type SecretMetadataState,
  type SecretsCheckInput,
  type SecretsCheckResult,
  type SimulatorComparison,
  type SimulatorSummary,
  secretLookupKey,
  simulatorAgrees,
  statusOf,
  summarizeSimulator,
  type TaskSecretReference,
} from '../../../src/core/secrets/check.js';
import type { ParameterMetadata } from '../../../src/core/ssm-types.js';
import { readTaskDefinitionDocument } from '../../../src/core/task-definition/parse.js';

const REGION = 'eu-west-1';
const ACCT = '123456789012';
const EXEC = `arn:aws:iam::${ACCT}:role/exec`;
const TASK = `arn:aws:iam::${ACCT}:role/app`;
const pArn = (name: string, region = REGION) =>
  `arn:aws:ssm:${region}:${ACCT}:parameter/${name.replace(/^\//, '')}`;
const CMK_ID = '1111-2222';
const CMK = `arn:aws:kms:${REGION}:${ACCT}:key/${CMK_ID}`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db-AbC123`;

type Stmt = Record<string, unknown>;
const doc = (source: string, ...Statement: Stmt[]): PolicySource => ({
  source,
  document: JSON.stringify({ Version: '2012-10-17', Statement }),
});
const allow = (Action: unknown, Resource: unknown, extra: Stmt = {}): Stmt => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const ECS_TRUST = JSON.stringify({
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const ROOT = {
  Sid: 'EnableIAM',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const ADMIN_ONLY = {
  Sid: 'Admins',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCT}:role/admin` },
  Action: 'kms:*',
  Resource: '*',
};

const found = <T>(value: T): Lookup<T> => ({ status: 'found', value });
const role = (arn: string, policies: PolicySource[], extra: Partial<RoleState> = {}): Lookup<RoleState> =>
  found({ roleArn: arn, trustPolicy: ECS_TRUST, identityPolicies: policies, ...extra });
const ssmRef = (
  valueFrom: string,
  name = 'DB_URL',
  extra: Partial<TaskSecretReference> = {},
): TaskSecretReference => ({
  containerName: 'web',
  name,
  valueFrom,
  source: 'secrets',
  path: 'containerDefinitions[0].secrets[0].valueFrom',
  ...extra,
});
const secureParam = (name: string, keyId?: string, region = REGION): [string, Lookup<ParameterMetadata>] => [
  parameterLookupKey(pArn(name, region)),
  found({ name, type: 'SecureString', keyId }),
];
const cmk = (
  statements: Stmt[],
  grants: KmsGrant[] = [],
  extra: Partial<KmsKeyState> = {},
): [string, Lookup<KmsKeyState>] => [
  kmsKeyLookupKey(REGION, CMK_ID),
  found({
    keyArn: CMK,
    keyId: CMK_ID,
    keyManager: 'CUSTOMER',
    keyState: 'Enabled',
    aliases: ['alias/parameter_store_key'],
    keyPolicy: doc('key policy', ...statements),
    grants,
    ...extra,
  }),
];
const readApp = doc(
  'inline policy read',
  allow('ssm:GetParameters', `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/*`, { Sid: 'Read' }),
);
const decryptCmk = doc('inline policy kms', allow('kms:Decrypt', CMK));

/** A healthy baseline: /app/db under aws/ssm, execution role reads /app/*. */
function input(over: Partial<SecretsCheckInput> = {}): SecretsCheckInput {
  return {
    region: REGION,
    account: ACCT,
    references: [ssmRef('/app/db')],
    executionRoleArn: EXEC,
    roles: { [EXEC]: role(EXEC, [readApp]) },
    parameters: Object.fromEntries([secureParam('/app/db')]),
    secrets: {},
    keys: {},
    ...over,
  };
}
const withCmkParam = (
  execPolicies: PolicySource[],
  key: [string, Lookup<KmsKeyState>],
  over: Partial<SecretsCheckInput> = {},
) =>
  input({
    roles: { [EXEC]: role(EXEC, execPolicies) },
    parameters: Object.fromEntries([secureParam('/app/db', `alias/parameter_store_key`)]),
    keys: { [kmsKeyLookupKey(REGION, 'alias/parameter_store_key')]: key[1] },
    ...over,
  });
const codes = (r: SecretsCheckResult): FindingCode[] => r.findings.map((f) => f.code);

describe('checkSecrets matrix', () => {
  it.each<[string, SecretsCheckInput, SecretsCheckResult['status'], FindingCode[]]>([
    ['AWS-managed key, no kms permission at all', input(), 'ok', []],
    [
      'String parameter needs no key',
      input({ parameters: { [pArn('/app/db')]: found({ name: '/app/db', type: 'String' }) } }),
      'ok',
      [],
    ],
    ['CMK with root delegation + IAM allow', withCmkParam([readApp, decryptCmk], cmk([ROOT])), 'ok', []],
    [
      'CMK without root delegation + IAM allow',
      withCmkParam([readApp, decryptCmk], cmk([ADMIN_ONLY])),
      'findings',
      ['execution-role-cannot-decrypt'],
    ],
    [
      'CMK grant to the execution role',
      withCmkParam(
        [readApp],
        cmk([ADMIN_ONLY], [{ name: 'ecs', granteePrincipal: EXEC, operations: ['Decrypt'] }]),
      ),
      'ok',
      [],
    ],
    [
      'CMK with root delegation, no IAM kms allow',
      withCmkParam([readApp], cmk([ROOT])),
      'findings',
      ['execution-role-cannot-decrypt'],
    ],
    [
      'explicit deny on the parameter',
      input({
        roles: {
          [EXEC]: role(EXEC, [
            readApp,
            doc('managed policy guard', { Effect: 'Deny', Action: 'ssm:*', Resource: '*' }),
          ]),
        },
      }),
      'findings',
      ['execution-role-cannot-read'],
    ],
    [
      'permissions boundary that blocks ssm',
      input({
        roles: {
          [EXEC]: role(EXEC, [readApp], {
            permissionsBoundary: doc('permissions boundary pb', allow(['logs:*', 'kms:Decrypt'], '*')),
          }),
        },
      }),
      'findings',
      ['execution-role-cannot-read'],
    ],
    [
      'kms:ViaService condition matching',
      withCmkParam(
        [
          readApp,
          doc(
            'p',
            allow('kms:Decrypt', CMK, {
              Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
            }),
          ),
        ],
        cmk([ROOT]),
      ),
      'ok',
      [],
    ],
    [
      'kms:ViaService condition not matching',
      withCmkParam(
        [
          readApp,
          doc(
            'p',
            allow('kms:Decrypt', CMK, {
              Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
            }),
          ),
        ],
        cmk([ROOT]),
      ),
      'findings',
      ['execution-role-cannot-decrypt'],
    ],
    [
      'wildcard resources across regions and accounts',
      input({
        roles: {
          [EXEC]: role(EXEC, [doc('p', allow('ssm:GetParameters', 'arn:aws:ssm:*:*:parameter/app/*'))]),
        },
      }),
      'ok',
      [],
    ],
    [
      'NotAction + NotResource allow',
      input({
        roles: {
          [EXEC]: role(EXEC, [
            doc('p', {
              Effect: 'Allow',
              NotAction: 'iam:*',
              NotResource: 'arn:aws:ssm:*:*:parameter/secret/*',
            }),
          ]),
        },
      }),
      'ok',
      [],
    ],
    [
      'NotResource excluding the parameter',
      input({
        roles: {
          [EXEC]: role(EXEC, [
            doc('p', { Effect: 'Allow', Action: 'ssm:*', NotResource: 'arn:aws:ssm:*:*:parameter/app/*' }),
          ]),
        },
      }),
      'findings',
      ['execution-role-cannot-read'],
    ],
    [
      'missing parameter',
      input({ parameters: { [pArn('/app/db')]: { status: 'missing' } } }),
      'findings',
      ['parameter-missing'],
    ],
    [
      'cross-region ARN (noted, works)',
      input({
        references: [ssmRef(pArn('/app/db', 'us-east-1'))],
        parameters: Object.fromEntries([secureParam('/app/db', undefined, 'us-east-1')]),
        roles: {
          [EXEC]: role(EXEC, [doc('p', allow('ssm:GetParameters', 'arn:aws:ssm:*:*:parameter/app/*'))]),
        },
      }),
      'ok',
      ['cross-region-reference'],
    ],
    [
      'Secrets Manager json-key ARN',
      input({
        references: [ssmRef(`${SECRET}:password::`, 'DB_PASSWORD')],
        secrets: { [secretLookupKey(SECRET)]: found<SecretMetadataState>({ arn: SECRET, name: 'prod/db' }) },
        roles: {
          [EXEC]: role(EXEC, [
            doc(
              'p',
              allow(
                'secretsmanager:GetSecretValue',
                `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db-??????`,
              ),
            ),
          ]),
        },
      }),
      'ok',
      [],
    ],
    [
      'partial Secrets Manager ARN resolved through DescribeSecret',
      input({
        references: [ssmRef(`arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db`)],
        secrets: {
          [`arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db`]: found<SecretMetadataState>({
            arn: SECRET,
            name: 'prod/db',
          }),
        },
        roles: { [EXEC]: role(EXEC, [doc('p', allow('secretsmanager:GetSecretValue', SECRET))]) },
      }),
      'ok',
      [],
    ],
    ['no execution role', input({ executionRoleArn: undefined }), 'findings', ['no-execution-role']],
    [
      'execution role does not exist',
      input({ roles: { [EXEC]: { status: 'missing' } } }),
      'findings',
      ['execution-role-missing'],
    ],
    [
      'trust policy for the wrong service',
      input({
        roles: {
          [EXEC]: role(EXEC, [readApp], {
            trustPolicy: {
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
          }),
        },
      }),
      'findings',
      ['execution-role-bad-trust'],
    ],
    [
      'trust policy with Principal.Service as an array',
      input({
        roles: {
          [EXEC]: role(EXEC, [readApp], {
            trustPolicy: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
          }),
        },
      }),
      'ok',
      [],
    ],
    [
      'task role can, execution role cannot (the classic mix-up)',
      input({
        taskRoleArn: TASK,
        roles: { [EXEC]: role(EXEC, []), [TASK]: role(TASK, [readApp]) },
      }),
      'findings',
      ['task-role-can-but-execution-role-cannot'],
    ],
    [
      'unsupported condition -> unknown',
      input({
        roles: {
          [EXEC]: role(EXEC, [
            doc(
              'p',
              allow('ssm:GetParameters', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
            ),
          ]),
        },
      }),
      'incomplete',
      ['unknown'],
    ],
    [
      'SSM version selector',
      input({ references: [ssmRef('/app/db:3')] }),
      'findings',
      ['ssm-version-selector'],
    ],
    [
      'cross-account SSM ARN',
      input({ references: [ssmRef('arn:aws:ssm:eu-west-1:999999999999:parameter/app/db')] }),
      'findings',
      ['cross-account-ssm'],
    ],
    [
      'unparseable reference',
      input({ references: [ssmRef('arn:aws:s3:::bucket')] }),
      'findings',
      ['reference-unparseable'],
    ],
    [
      'unreadable parameter metadata',
      input({
        parameters: {
          [pArn('/app/db')]: {
            status: 'unreadable',
            lackingPermission: 'ssm:DescribeParameters',
            reason: 'AccessDenied',
          },
        },
      }),
      'incomplete',
      ['unknown'],
    ],
    [
      'KMS key that does not exist',
      withCmkParam([readApp, decryptCmk], ['', { status: 'missing' }]),
      'findings',
      ['kms-key-missing'],
    ],
    [
      'disabled KMS key',
      withCmkParam([readApp, decryptCmk], cmk([ROOT], [], { keyState: 'Disabled' })),
      'findings',
      ['kms-key-disabled'],
    ],
    [
      'missing secret',
      input({ references: [ssmRef(SECRET)], secrets: { [SECRET]: { status: 'missing' } } }),
      'findings',
      ['secret-missing'],
    ],
  ])('%s -> %s %j', (_n, inp, status, expected) => {
    const r = checkSecrets(inp);
    expect(codes(r)).toEqual(expected);
    expect(r.status).toBe(status);
  });
});

describe('checkSecrets details', () => {
  it('fills the row: exists, key label, both roles', () => {
    const r = checkSecrets(
      withCmkParam([readApp, decryptCmk], cmk([ROOT]), {
        taskRoleArn: TASK,
        roles: { [EXEC]: role(EXEC, [readApp, decryptCmk]), [TASK]: role(TASK, []) },
      }),
    );
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      containerName: 'web',
      name: 'DB_URL',
      exists: 'yes',
      key: 'alias/parameter_store_key',
      execution: {
        read: { decision: 'allowed', allowedBy: ['inline policy read, Sid "Read"'] },
        decrypt: { decision: 'allowed' },
      },
      task: { read: { decision: 'not-allowed' }, decrypt: { decision: 'not-allowed' } },
    });
  });

  it('labels AWS-managed keys', () => {
    expect(checkSecrets(input()).rows[0]?.key).toBe('AWS-managed');
  });

  it('mix-up finding says it plainly and the fix grants the exact ARN', () => {
    const r = checkSecrets(
      input({ taskRoleArn: TASK, roles: { [EXEC]: role(EXEC, []), [TASK]: role(TASK, [readApp]) } }),
    );
    expect(r.findings[0]?.remediation).toBe(
      `Grant the execution role ssm:GetParameters on ${pArn('/app/db')} (see --fix); the task role no longer needs it.`,
    );
    expect(r.fix?.policy?.Statement).toEqual([
      { Sid: 'ReadSsmParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: pArn('/app/db') },
    ]);
    expect(r.fix?.keyPolicyStatements).toEqual([]);
  });

  it('a non-delegating key policy gets a key-policy statement, not an IAM grant', () => {
    const r = checkSecrets(withCmkParam([readApp, decryptCmk], cmk([ADMIN_ONLY])));
    expect(r.fix?.policy).toBeUndefined();
    expect(r.fix?.keyPolicyStatements).toEqual([
      {
        keyArn: CMK,
        statement: expect.objectContaining({
          Principal: { AWS: EXEC },
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
        }),
      },
    ]);
    expect(r.findings[0]?.message).toContain('neither names the role nor delegates to IAM');
  });

  it('a delegating key policy gets kms:Decrypt with kms:ViaService in the inline policy', () => {
    const r = checkSecrets(withCmkParam([readApp], cmk([ROOT])));
    expect(r.fix?.policy?.Statement).toEqual([
      {
        Sid: 'DecryptSecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: CMK,
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
      },
    ]);
  });

  it('an explicit deny is not "fixed" by an allow', () => {
    const r = checkSecrets(
      input({
        roles: {
          [EXEC]: role(EXEC, [
            readApp,
            doc('managed policy guard', { Sid: 'NoSsm', Effect: 'Deny', Action: 'ssm:*', Resource: '*' }),
          ]),
        },
      }),
    );
    expect(r.findings[0]?.remediation).toContain('managed policy guard, Sid "NoSsm"');
    expect(r.fix?.policy).toBeUndefined();
  });

  it('unknown findings name the permission ecsops lacked', () => {
    const r = checkSecrets(
      input({
        roles: { [EXEC]: { status: 'unreadable', lackingPermission: 'iam:GetRole', reason: 'AccessDenied' } },
      }),
    );
    expect(r.status).toBe('incomplete');
    expect(r.findings[0]).toMatchObject({ code: 'unknown', lackingPermission: 'iam:GetRole' });
  });

  it('repositoryCredentials by name is a Secrets Manager secret', () => {
    const r = checkSecrets(
      input({
        references: [ssmRef('dockerhub', 'credentialsParameter', { source: 'repositoryCredentials' })],
        secrets: {
          dockerhub: found<SecretMetadataState>({
            arn: `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:dockerhub-Xy12Zq`,
            name: 'dockerhub',
          }),
        },
        roles: { [EXEC]: role(EXEC, [doc('p', allow('secretsmanager:GetSecretValue', '*'))]) },
      }),
    );
    expect(r.status).toBe('ok');
    expect(r.rows[0]).toMatchObject({ kind: 'secretsmanager-name', key: 'AWS-managed' });
  });

  it('/aws/reference/secretsmanager needs both ssm:GetParameters and secretsmanager:GetSecretValue', () => {
    const base = {
      references: [ssmRef('/aws/reference/secretsmanager/prod/db')],
      secrets: { 'prod/db': found<SecretMetadataState>({ arn: SECRET, name: 'prod/db' }) },
    };
    const onlySm = checkSecrets(
      input({
        ...base,
        roles: { [EXEC]: role(EXEC, [doc('p', allow('secretsmanager:GetSecretValue', SECRET))]) },
      }),
    );
    expect(codes(onlySm)).toEqual(['execution-role-cannot-read']);
    expect(onlySm.fix?.policy?.Statement[0]?.Resource).toBe(pArn('/aws/reference/secretsmanager/prod/db'));
    const both = checkSecrets(
      input({
        ...base,
        roles: {
          [EXEC]: role(EXEC, [doc('p', allow(['secretsmanager:GetSecretValue', 'ssm:GetParameters'], '*'))]),
        },
      }),
    );
    expect(both.status).toBe('ok');
  });

  it('plans reads: parameters and secrets, then only non-AWS-managed keys', () => {
    const refs = [
      ssmRef('/app/db'),
      ssmRef('/app/db'),
      ssmRef(`${SECRET}:k::`),
      ssmRef('/x:1'),
      ssmRef('/app/cmk'),
    ];
    const reads = planSecretsCheckReads(refs, { region: REGION, account: ACCT });
    expect(reads.parameters.map((p) => p.name)).toEqual(['/app/db', '/app/cmk']);
    expect(reads.secrets).toEqual([{ region: REGION, secretId: SECRET }]);
    const keys = planKmsKeyReads({
      references: refs,
      region: REGION,
      account: ACCT,
      parameters: Object.fromEntries([
        secureParam('/app/db'),
        secureParam('/app/cmk', 'alias/parameter_store_key'),
      ]),
      secrets: { [SECRET]: found<SecretMetadataState>({ arn: SECRET, name: 'prod/db', kmsKeyId: CMK }) },
    });
    expect(keys).toEqual([
      { region: REGION, keyId: CMK },
      { region: REGION, keyId: 'alias/parameter_store_key' },
    ]);
  });
});

describe('checkSecrets remediation wording', () => {
  it('a non-delegating key says to edit the key policy, not IAM', () => {
    const r = checkSecrets(withCmkParam([readApp, decryptCmk], cmk([ADMIN_ONLY])));
    expect(r.findings[0]?.remediation).toContain(
      'Add a statement naming the execution role to the key policy',
    );
  });
});

describe('roles of another account', () => {
  const OTHER = 'arn:aws:iam::999999999999:role/web-exec';
  it.each<[string, Partial<SecretsCheckInput>, SecretsCheckResult['status'], FindingCode[]]>([
    // The role was never read (no entry in `roles`): the check cannot decide, and says so.
    [
      'execution role in another account',
      { executionRoleArn: OTHER, roles: {} },
      'incomplete',
      ['role-in-other-account'],
    ],
    [
      'task role in another account is a note',
      { taskRoleArn: 'arn:aws:iam::999999999999:role/app', roles: { [EXEC]: role(EXEC, [readApp]) } },
      'ok',
      ['role-in-other-account'],
    ],
    ['same account: no such finding', {}, 'ok', []],
  ])('%s', (_n, over, status, expected) => {
    const r = checkSecrets(input(over));
    expect(r.status).toBe(status);
    expect(codes(r)).toEqual(expected);
  });

  it('names the account, says which credentials are needed, and proposes no fix for it', () => {
    const r = checkSecrets(input({ executionRoleArn: OTHER, roles: {} }));
    const f = r.findings[0];
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain('account 999999999999');
    expect(f?.message).toContain(`caller's account ${ACCT}`);
    expect(f?.remediation).toContain('credentials of account 999999999999');
    expect(f?.remediation).toContain('--accounts/--assume-role');
    expect(r.fix).toBeUndefined();
    expect(r.rows[0]?.execution.read?.decision).toBe('unknown');
    // A same-named role of the caller's account, if it were in the map, is not used.
    const local = checkSecrets(
      input({
        executionRoleArn: OTHER,
        roles: { [OTHER]: role(`arn:aws:iam::${ACCT}:role/web-exec`, [readApp]) },
      }),
    );
    expect(local.status).toBe('incomplete');
    expect(local.fix).toBeUndefined();
  });
});

describe('env-loading wrappers', () => {
  const parsed = (containers: object[]) =>
    readTaskDefinitionDocument(
      { family: 'web', executionRoleArn: EXEC, containerDefinitions: containers },
      'web:3',
    );

  it.each<[string, object[], { containerName: string; tool?: string }[]]>([
    [
      'chamber in the entry point',
      [{ name: 'app', image: 'x', entryPoint: ['chamber', 'exec', 'app-prod', '--', 'node', 'app.js'] }],
      [{ containerName: 'app', tool: 'chamber' }],
    ],
    [
      'ssm-env in the command',
      [{ name: 'app', image: 'x', command: ['ssm-env', '-with-decryption', 'node', 'app.js'] }],
      [{ containerName: 'app', tool: 'ssm-env' }],
    ],
    [
      'wrapper configuration, image unknown: still a wrapper',
      [{ name: 'app', image: 'x', environment: [{ name: 'AWS_ENV_PATH', value: '/app/prod/' }] }],
      [{ containerName: 'app' }],
    ],
    ['no wrapper', [{ name: 'app', image: 'x', command: ['node', 'app.js'] }], []],
    [
      'only the second container',
      [
        { name: 'proxy', image: 'nginx' },
        { name: 'app', image: 'x', entryPoint: ['chamber', 'exec', 'svc', '--', 'node'] },
      ],
      [{ containerName: 'app', tool: 'chamber' }],
    ],
  ])('findWrapperUses: %s', (_n, containers, expected) => {
    const uses = findWrapperUses(parsed(containers), REGION);
    expect(uses).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(uses[i]).toMatchObject(e);
  });

  it('a wrapper is a finding pointing at secrets migrate, not "ok"', () => {
    const r = checkSecrets(
      input({
        references: [],
        wrappers: [{ containerName: 'app', tool: 'chamber' }],
        migrateCommand: 'ecsops secrets migrate --task-def web:3',
      }),
    );
    expect(r.status).toBe('findings');
    expect(r.findings).toEqual([
      expect.objectContaining({
        code: 'wrapper-not-migrated',
        severity: 'error',
        containerName: 'app',
        remediation: expect.stringContaining('`ecsops secrets migrate --task-def web:3`'),
      }),
    ]);
    expect(r.findings[0]?.message).toContain('chamber');
  });
});

describe('IAM policy simulator comparison', () => {
  const q = (
    simulator: SimulatorComparison['simulator'],
    agrees: boolean | null,
    extra: Partial<SimulatorComparison> = {},
  ): SimulatorComparison => ({
    containerName: 'web',
    name: 'DB',
    action: 'ssm:GetParameters',
    resource: pArn('/app/db'),
    ecsops: 'allowed',
    simulator,
    agrees,
    ...(simulator === 'error' ? { error: 'iam:SimulatePrincipalPolicy failed: InternalFailure' } : {}),
    ...extra,
  });
  it.each<[string, SimulatorComparison[], SimulatorSummary['verdict'], number, number]>([
    ['all agree', [q('allowed', true), q('allowed', true)], 'agrees', 0, 0],
    ['one disagrees', [q('allowed', true), q('implicitDeny', false)], 'disagrees', 1, 1],
    // Every call failed: nothing was compared. "0 disagreements" would be a lie.
    ['every call failed', [q('error', null), q('error', null)], 'not-compared', 0, 1],
    ['some calls failed', [q('allowed', true), q('error', null)], 'partly-compared', 0, 1],
  ])('%s', (_n, comparisons, verdict, disagreements, findingCount) => {
    const s = summarizeSimulator(comparisons);
    expect(s.verdict).toBe(verdict);
    expect(s.disagreements).toBe(disagreements);
    expect(planSimulatorFindings(comparisons)).toHaveLength(findingCount);
  });

  it('failed calls are an "unknown" finding saying the comparison could not be made', () => {
    const [f] = planSimulatorFindings([q('error', null, { accessDenied: true }), q('error', null)]);
    expect(f).toMatchObject({
      code: 'unknown',
      severity: 'warning',
      lackingPermission: 'iam:SimulatePrincipalPolicy',
    });
    expect(f?.message).toContain('could not be made');
    expect(f?.message).toContain('every simulator call (2) failed');
    expect(statusOf(f ? [f] : [])).toBe('incomplete');
  });

  it.each<[AccessDecision['decision'], 'allowed' | 'explicitDeny' | 'implicitDeny', boolean]>([
    ['allowed', 'allowed', true],
    ['not-allowed', 'implicitDeny', true],
    ['denied', 'explicitDeny', true],
    ['allowed', 'implicitDeny', false],
    ['unknown', 'allowed', true],
  ])('simulatorAgrees(%s, %s) = %s', (ours, sim, agrees) => {
    expect(simulatorAgrees(ours, sim)).toBe(agrees);
  });
});
