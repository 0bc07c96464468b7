import { describe, expect, it } from 'vitest';
import { checkLogsAccess, planLogsNeeds } from '../../../src/core/logs/check.js';
import type { Lookup, RoleState } from '../../../src/core/secrets/check.js';

const EXEC = 'arn:aws:iam::123456789012:role/exec';
const TASK = 'arn:aws:iam::123456789012:role/task';

function role(arn: string, statements: unknown[], boundary?: unknown[]): Lookup<RoleState> {
  return {
    status: 'found',
    value: {
      roleArn: arn,
      trustPolicy: {},
      identityPolicies: [
        { source: 'inline policy p', document: { Version: '2012-10-17', Statement: statements } },
      ],
      ...(boundary
        ? {
            permissionsBoundary: {
              source: 'boundary b',
              document: { Version: '2012-10-17', Statement: boundary },
            },
          }
        : {}),
    },
  };
}

const allowLogs = { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' };

const migrated = {
  family: 'web',
  executionRoleArn: EXEC,
  taskRoleArn: TASK,
  containerDefinitions: [
    {
      name: 'web',
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: {
          Name: 'cloudwatch_logs',
          region: 'us-east-1',
          log_group_name: '/ecs/web',
          log_stream_prefix: 'ecs/',
        },
      },
    },
    {
      name: 'log_router',
      firelensConfiguration: { type: 'fluentbit' },
      environment: [{ name: 'aws_fluent_bit_init_s3_1', value: 'arn:aws:s3:::cfg/web.conf' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'firelens',
        },
      },
    },
  ],
};

const base = { taskDefinition: migrated, region: 'us-east-1', account: '123456789012', partition: 'aws' };

describe('logs role check', () => {
  it('puts FireLens outputs and the config object on the task role, the router awslogs on the execution role', () => {
    const needs = planLogsNeeds(base);
    expect(needs.map((n) => [n.container, n.role, n.action])).toEqual([
      ['web', 'task', 'logs:CreateLogStream'],
      ['web', 'task', 'logs:PutLogEvents'],
      ['log_router', 'execution', 'logs:CreateLogStream'],
      ['log_router', 'execution', 'logs:PutLogEvents'],
      ['log_router', 'task', 's3:GetObject'],
      ['log_router', 'task', 's3:GetBucketLocation'],
    ]);
    expect(needs[1]?.resource).toBe(
      'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:ecs/*',
    );
  });

  it.each([
    [
      'task role lacks logs:PutLogEvents (only the execution role has it)',
      {
        [EXEC]: role(EXEC, [allowLogs]),
        [TASK]: role(TASK, [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }]),
      },
      'findings',
      ['web task logs:CreateLogStream', 'web task logs:PutLogEvents'],
    ],
    [
      'both roles allowed',
      {
        [EXEC]: role(EXEC, [allowLogs]),
        [TASK]: role(TASK, [
          allowLogs,
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetBucketLocation'], Resource: '*' },
        ]),
      },
      'ok',
      [],
    ],
    [
      'an explicit deny on the task role wins',
      {
        [EXEC]: role(EXEC, [allowLogs]),
        [TASK]: role(TASK, [
          allowLogs,
          { Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' },
        ]),
      },
      'findings',
      ['web task logs:PutLogEvents'],
    ],
    [
      'a permissions boundary without logs',
      {
        [EXEC]: role(EXEC, [allowLogs]),
        [TASK]: role(
          TASK,
          [allowLogs, { Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
        ),
      },
      'findings',
      ['web task logs:CreateLogStream', 'web task logs:PutLogEvents'],
    ],
  ])('%s', (_name, roles, status, gaps) => {
    const result = checkLogsAccess({ ...base, roles }, 'ecsops-logs-web');
    expect(result.status).toBe(status);
    expect(result.findings.map((f) => `${f.container} ${f.role} ${f.action}`)).toEqual(gaps);
    // An explicit deny is not closed by adding an allow: --apply-fix is not offered for it.
    expect(result.fixable).toBe(status === 'findings' && !_name.includes('deny'));
    if (gaps.length > 0) {
      expect(result.findings[0]?.message).toContain(TASK);
      expect(result.findings[0]?.message).toContain('awslogs used the execution role');
    }
  });

  it('prints a least-privilege policy naming exactly the missing actions and resources', () => {
    const result = checkLogsAccess(
      { ...base, roles: { [EXEC]: role(EXEC, [allowLogs]), [TASK]: role(TASK, []) } },
      'ecsops-logs-web',
    );
    expect(result.fixes).toEqual([
      {
        roleArn: TASK,
        role: 'task',
        policyName: 'ecsops-logs-web',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EcsopsLogs1',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: ['arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*'],
            },
            {
              Sid: 'EcsopsLogs2',
              Effect: 'Allow',
              Action: ['s3:GetObject'],
              Resource: ['arn:aws:s3:::cfg/web.conf'],
            },
            {
              Sid: 'EcsopsLogs3',
              Effect: 'Allow',
              Action: ['s3:GetBucketLocation'],
              Resource: ['arn:aws:s3:::cfg'],
            },
          ],
        },
      },
    ]);
    // The fix policy itself passes the check.
    const fixed = checkLogsAccess(
      {
        ...base,
        roles: {
          [EXEC]: role(EXEC, [allowLogs]),
          [TASK]: role(TASK, result.fixes[0]?.policy.Statement ?? []),
        },
      },
      'ecsops-logs-web',
    );
    expect(fixed.status).toBe('ok');
  });

  it('a task with no task role cannot use FireLens outputs at all', () => {
    const { taskRoleArn: _, ...noTaskRole } = migrated;
    const result = checkLogsAccess(
      { ...base, taskDefinition: noTaskRole, roles: { [EXEC]: role(EXEC, [allowLogs]) } },
      'p',
    );
    expect(result.status).toBe('findings');
    expect(result.findings[0]?.message).toContain('no taskRoleArn');
  });
});

describe('logs role check: other outputs and routed destinations', () => {
  it('Firehose and S3 outputs, and routed destinations, are task-role cells', () => {
    const td = {
      family: 'multi',
      executionRoleArn: EXEC,
      taskRoleArn: TASK,
      containerDefinitions: [
        {
          name: 'a',
          logConfiguration: {
            logDriver: 'awsfirelens',
            options: { Name: 'kinesis_firehose', region: 'eu-west-1', delivery_stream: 'stream-a' },
          },
        },
        {
          name: 'b',
          logConfiguration: { logDriver: 'awsfirelens', options: { Name: 's3', bucket: 'logs-b' } },
        },
        { name: 'c', logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog' } } },
        { name: 'd', logConfiguration: { logDriver: 'splunk', options: {} } },
      ],
    };
    const needs = planLogsNeeds({
      ...base,
      taskDefinition: td,
      routed: [
        { container: 'a', destination: { kind: 'logGroup', logGroup: '/r', region: 'us-east-1' } },
        { container: 'a', destination: { kind: 's3', bucket: 'arch', prefix: 'x/', region: 'us-east-1' } },
      ],
    });
    expect(needs.map((n) => `${n.container} ${n.role} ${n.action} ${n.resource}`)).toEqual([
      'a task firehose:PutRecordBatch arn:aws:firehose:eu-west-1:123456789012:deliverystream/stream-a',
      'b task s3:PutObject arn:aws:s3:::logs-b/*',
      'c task ? datadog',
      'a task logs:CreateLogStream arn:aws:logs:us-east-1:123456789012:log-group:/r:log-stream:routed/*',
      'a task logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/r:log-stream:routed/*',
      'a task s3:PutObject arn:aws:s3:::arch/x/*',
    ]);
    const result = checkLogsAccess(
      { ...base, taskDefinition: td, roles: { [EXEC]: role(EXEC, []), [TASK]: role(TASK, [allowLogs]) } },
      'p',
    );
    // The datadog output is reported, not guessed at.
    expect(result.cells.find((c) => c.container === 'c')?.decision.decision).toBe('not-checked');
    expect(result.findings.map((f) => f.action)).toEqual(['firehose:PutRecordBatch', 's3:PutObject']);
  });

  it('a role of another account is not read: undecided, exit 3', () => {
    const other = 'arn:aws:iam::999999999999:role/task';
    const result = checkLogsAccess(
      {
        ...base,
        taskDefinition: { ...migrated, taskRoleArn: other },
        roles: { [EXEC]: role(EXEC, [allowLogs]) },
      },
      'p',
    );
    expect(result.status).toBe('incomplete');
  });
});
