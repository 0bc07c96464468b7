import { describe, expect, it } from 'vitest';
import type { AlarmRecord } from '../../../src/core/alarm/plan.js';
import {
  type AuditFinding,
  type FixCommand,
  findAlarmFindings,
  findAlarmHealthFindings,
  findDriftFindings,
  findEventsRuleFindings,
  findInsightsFindings,
  findSecretsFindings,
  shellWord,
} from '../../../src/core/audit/findings.js';
import { AUDIT_KIND_NAMES, AUDIT_KINDS } from '../../../src/core/audit/kinds.js';
import { auditExitCode, sortFindings, summarizeFindings } from '../../../src/core/audit/summary.js';
import type { ClusterState, InsightsLevel, ServiceState } from '../../../src/core/ecs-types.js';
import { FINDING_CODES, type SecretsCheckFinding } from '../../../src/core/secrets/check.js';

const ACCOUNT = '111111111111';
const fix: FixCommand = (region, args) => ['ecsops', ...args, '--region', region].join(' ');

const cluster = (name: string, containerInsights: InsightsLevel, status = 'ACTIVE'): ClusterState => ({
  region: 'eu-west-1',
  clusterName: name,
  clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${name}`,
  status,
  containerInsights,
  registeredContainerInstancesCount: 0,
  activeServicesCount: 0,
});

const service = (
  clusterName: string,
  serviceName: string,
  desiredCount: number,
  status = 'ACTIVE',
): ServiceState => ({
  region: 'eu-west-1',
  clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${clusterName}`,
  clusterName,
  serviceName,
  serviceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${clusterName}/${serviceName}`,
  status,
  desiredCount,
  runningCount: 0,
  taskDefinition: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${serviceName}:1`,
});

const alarm = (
  clusterName: string,
  serviceName: string,
  managed = 'true',
  region = 'eu-west-1',
): AlarmRecord => ({
  region,
  alarmName: `ecsops-task-health-${clusterName}-${serviceName}`,
  alarmArn: `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:x`,
  tags: [
    { Key: 'ecsops:managed', Value: managed },
    { Key: 'ecsops:cluster', Value: clusterName },
    { Key: 'ecsops:service', Value: serviceName },
  ],
  stateValue: 'OK',
  stateReason: undefined,
});

describe('findInsightsFindings', () => {
  it('reports ACTIVE clusters with Insights off and regions whose default is off', () => {
    const found = findInsightsFindings({
      account: ACCOUNT,
      clusters: [
        cluster('off', 'disabled'),
        cluster('on', 'enabled'),
        cluster('rich', 'enhanced'),
        cluster('gone', 'disabled', 'INACTIVE'),
      ],
      accountDefaults: [
        { region: 'eu-west-1', value: 'disabled' },
        { region: 'us-east-1', value: 'enhanced' },
      ],
      fix,
    });
    expect(found.map((f) => [f.kind, f.resource.name, f.fix])).toEqual([
      ['insights-default-off', 'eu-west-1', 'ecsops insights enable --account-default --region eu-west-1'],
      ['insights-off', 'off', 'ecsops insights enable --cluster off --region eu-west-1'],
    ]);
    expect(found.every((f) => f.account === ACCOUNT)).toBe(true);
  });
});

describe('findAlarmFindings', () => {
  const read = new Set(['eu-west-1']);
  it.each<[string, ServiceState, AlarmRecord[], boolean]>([
    ['no alarm, desired 1', service('c', 'web', 1), [], true],
    ['managed alarm', service('c', 'web', 1), [alarm('c', 'web')], false],
    ['alarm without the managed tag', service('c', 'web', 1), [alarm('c', 'web', 'false')], true],
    ["another service's alarm", service('c', 'web', 1), [alarm('c', 'api')], true],
    ['same names in another region', service('c', 'web', 1), [alarm('c', 'web', 'true', 'us-east-1')], true],
    ['desired 0', service('c', 'web', 0), [], false],
    ['DRAINING service', service('c', 'web', 1, 'DRAINING'), [], false],
  ])('%s -> finding: %s', (_name, svc, alarms, expected) => {
    const found = findAlarmFindings({
      account: ACCOUNT,
      services: [svc],
      alarms,
      alarmRegionsRead: read,
      fix,
    });
    expect(found.length > 0).toBe(expected);
  });

  it('says nothing about services in a region whose alarms could not be read', () => {
    const found = findAlarmFindings({
      account: ACCOUNT,
      services: [service('c', 'web', 1)],
      alarms: [],
      alarmRegionsRead: new Set(),
      fix,
    });
    expect(found).toEqual([]);
  });

  it('names the service and a command that creates its alarm', () => {
    const [f] = findAlarmFindings({
      account: ACCOUNT,
      services: [service('prod', "it's", 2)],
      alarms: [],
      alarmRegionsRead: read,
      fix,
    });
    expect(f).toMatchObject({
      kind: 'service-without-alarm',
      severity: 'high',
      resource: { name: "prod/it's" },
    });
    expect(f?.fix).toBe(
      `ecsops alarm create --cluster prod --service 'it'\\''s' --sns-topic <topic-arn> --region eu-west-1`,
    );
  });
});

describe('findSecretsFindings', () => {
  const check = (
    code: SecretsCheckFinding['code'],
    severity: SecretsCheckFinding['severity'],
  ): SecretsCheckFinding => ({
    code,
    severity,
    containerName: 'app',
    name: 'DB',
    valueFrom: '/app/db',
    message: `${code} message`,
    remediation: 'r',
    ...(code === 'unknown' ? { lackingPermission: 'iam:GetRole' } : {}),
  });
  const run = (findings: SecretsCheckFinding[]) =>
    findSecretsFindings({
      account: ACCOUNT,
      region: 'eu-west-1',
      taskDefinition: { label: 'app:3' },
      services: ['prod/app'],
      checkFindings: findings,
      fix,
    });

  it.each<[SecretsCheckFinding['code'], string]>([
    ['parameter-missing', 'secret-missing'],
    ['secret-missing', 'secret-missing'],
    ['execution-role-cannot-read', 'secret-unreadable'],
    ['execution-role-cannot-decrypt', 'secret-unreadable'],
    ['task-role-can-but-execution-role-cannot', 'secret-unreadable'],
    ['kms-key-missing', 'secret-unreadable'],
    ['no-execution-role', 'execution-role-invalid'],
    ['execution-role-bad-trust', 'execution-role-invalid'],
    ['ssm-version-selector', 'secret-reference-invalid'],
    ['wrapper-not-migrated', 'wrapper-in-use'],
  ])('check code %s -> audit kind %s', (code, kind) => {
    const { findings, undecided } = run([check(code, 'error')]);
    expect(findings.map((f) => f.kind)).toEqual([kind]);
    expect(findings[0]).toMatchObject({ checkCode: code, services: ['prod/app'], secretName: 'DB' });
    expect(undecided).toEqual([]);
  });

  it('a check that could not decide is undecided (an unreadable part), a note is left out', () => {
    const { findings, undecided } = run([
      check('unknown', 'warning'),
      check('cross-region-reference', 'info'),
    ]);
    expect(findings).toEqual([]);
    expect(undecided).toEqual([{ message: 'unknown message', lackingPermission: 'iam:GetRole' }]);
  });

  it('fix commands: migrate for a wrapper, check --fix for access', () => {
    const { findings } = run([
      check('wrapper-not-migrated', 'error'),
      check('execution-role-cannot-read', 'error'),
    ]);
    expect(findings.map((f) => f.fix)).toEqual([
      'ecsops secrets migrate --task-def app:3 --region eu-west-1',
      'ecsops secrets check --task-def app:3 --fix --region eu-west-1',
    ]);
  });

  it('every check code has a place (the mapping is exhaustive at run time too)', () => {
    for (const code of FINDING_CODES) {
      const out = run([check(code, 'error')]);
      expect(out.findings.length + out.undecided.length, code).toBeLessThanOrEqual(1);
    }
  });
});

describe('summary and exit code', () => {
  const f = (kind: AuditFinding['kind'], account: string): AuditFinding => ({
    kind,
    severity: AUDIT_KINDS[kind].severity,
    account,
    region: 'eu-west-1',
    resource: { type: 'cluster', name: 'c' },
    message: 'm',
    fix: 'f',
  });

  it('counts findings per kind and account, most severe first', () => {
    const findings = [
      f('insights-off', 'b'),
      f('insights-default-off', 'a'),
      f('insights-off', 'a'),
      f('secret-missing', 'b'),
      f('insights-off', 'b'),
    ];
    expect(summarizeFindings(findings)).toEqual([
      { kind: 'secret-missing', severity: 'high', account: 'b', count: 1 },
      { kind: 'insights-off', severity: 'medium', account: 'a', count: 1 },
      { kind: 'insights-off', severity: 'medium', account: 'b', count: 2 },
      { kind: 'insights-default-off', severity: 'low', account: 'a', count: 1 },
    ]);
    expect(sortFindings(findings).map((x) => `${x.kind} ${x.account}`)).toEqual([
      'secret-missing b',
      'insights-off a',
      'insights-off b',
      'insights-off b',
      'insights-default-off a',
    ]);
  });

  it.each([
    [[], 0, 0],
    [[f('insights-off', 'a')], 0, 1],
    [[f('insights-off', 'a')], 1, 3],
    [[], 2, 3],
  ] as const)('findings %j, unreadable %d -> exit %d', (findings, unreadable, code) => {
    expect(auditExitCode(findings, unreadable)).toBe(code);
  });

  it('kinds are listed most severe first (the README table order)', () => {
    const ranks = AUDIT_KIND_NAMES.map((k) =>
      ['high', 'medium', 'low', 'info'].indexOf(AUDIT_KINDS[k].severity),
    );
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('shellWord quotes only what needs it', () => {
    expect(shellWord('prod-1/a:b')).toBe('prod-1/a:b');
    expect(shellWord('a b')).toBe(`'a b'`);
  });
});

describe('findAlarmHealthFindings', () => {
  const problem = (kind: string) => ({
    kind,
    region: 'eu-west-1',
    alarmName: 'ecsops-task-health-prod-web',
    clusterName: 'prod',
    serviceName: 'web',
    message: `${kind} message`,
  });
  it.each([
    [
      'insufficient-data',
      'alarm-insufficient-data',
      'ecsops alarm create --cluster prod --service web --sns-topic <topic-arn> --region eu-west-1',
    ],
    [
      'no-actions',
      'alarm-without-actions',
      'ecsops alarm create --cluster prod --service web --sns-topic <topic-arn> --region eu-west-1',
    ],
    ['service-missing', 'alarm-orphaned', 'ecsops alarm prune --cluster prod --region eu-west-1'],
    ['service-idle', 'alarm-orphaned', 'ecsops alarm prune --cluster prod --region eu-west-1'],
    ['cluster-missing', 'alarm-orphaned', 'ecsops alarm prune --cluster prod --region eu-west-1'],
  ])('%s -> %s', (kind, auditKind, fixLine) => {
    const [f, ...rest] = findAlarmHealthFindings({ account: ACCOUNT, problems: [problem(kind)], fix });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: auditKind, alarmName: 'ecsops-task-health-prod-web', fix: fixLine });
  });
  it("leaves out insights-off: the cluster's own finding says it", () => {
    expect(findAlarmHealthFindings({ account: ACCOUNT, problems: [problem('insights-off')], fix })).toEqual(
      [],
    );
  });
});

describe('findDriftFindings', () => {
  const item = (kind: 'added' | 'deleted' | 'changed', over: Record<string, unknown> = {}) => ({
    kind,
    container: 'app',
    name: 'API_KEY',
    parameter: '/billing/api-key',
    source: 'chamber:/billing/',
    valueFrom: 'arn:aws:ssm:eu-west-1:111122223333:parameter/billing/api-key',
    ...over,
  });
  const run = (items: ReturnType<typeof item>[], services = ['prod/billing']) =>
    findDriftFindings({
      account: ACCOUNT,
      region: 'eu-west-1',
      taskDefinition: { label: 'billing:2' },
      services,
      items,
      fix,
    });

  it('one finding per env var, by kind, with the sync command pointing the one service at it', () => {
    const found = run([item('deleted'), item('added', { name: 'NEW' }), item('changed', { name: 'URL' })]);
    expect(found.map((f) => [f.kind, f.severity, f.secretName])).toEqual([
      ['secrets-drift-deleted', 'high', 'API_KEY'],
      ['secrets-drift-added', 'medium', 'NEW'],
      ['secrets-drift-changed', 'medium', 'URL'],
    ]);
    expect(found[0]?.fix).toBe(
      'ecsops secrets sync --task-def billing:2 --register --update-service --cluster prod --service billing --region eu-west-1',
    );
    expect(found[0]?.message).toContain('the next task start fails');
  });

  it('with several services the fix registers only; an added name a hand-added secret holds is left out', () => {
    const found = run([item('added', { conflict: 'secret' }), item('deleted')], ['prod/a', 'prod/b']);
    expect(found.map((f) => [f.kind, f.fix])).toEqual([
      ['secrets-drift-deleted', 'ecsops secrets sync --task-def billing:2 --register --region eu-west-1'],
    ]);
  });
});

describe('findEventsRuleFindings', () => {
  const rule = (present: boolean, enabled: boolean) => ({
    region: 'eu-west-1',
    clusterName: 'prod',
    ruleName: 'ecsops-task-events-prod',
    present,
    enabled,
  });
  it.each([
    [true, true, 0],
    [true, false, 1],
    [false, false, 1],
  ])('present %s, enabled %s -> %d finding(s)', (present, enabled, n) => {
    const found = findEventsRuleFindings({ account: ACCOUNT, rules: [rule(present, enabled)], fix });
    expect(found).toHaveLength(n);
    if (n) expect(found[0]?.kind).toBe('cluster-without-events-rule');
  });
});
