import { describe, expect, it } from 'vitest';
import { resolveAlarmOptions } from '../../../src/core/alarm/definition.js';
import {
  type AlarmRecord,
  findMissingTags,
  findTopicWarnings,
  managedTargetOf,
  parseTagOption,
  planAlarmChanges,
  planAlarmDeletions,
  planAlarmPrune,
  planAlarmTags,
  validateExtraTags,
} from '../../../src/core/alarm/plan.js';
import { UsageError } from '../../../src/errors.js';

const svc = (clusterName: string, serviceName: string, desiredCount = 1) => ({
  region: 'us-east-1',
  clusterName,
  serviceName,
  desiredCount,
});
const record = (alarmName: string, target?: [string, string], managed = true): AlarmRecord => ({
  region: 'us-east-1',
  alarmName,
  alarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`,
  tags: target
    ? [
        ...(managed ? [{ Key: 'ecsops:managed', Value: 'true' }] : []),
        { Key: 'ecsops:cluster', Value: target[0] },
        { Key: 'ecsops:service', Value: target[1] },
      ]
    : [],
  stateValue: 'OK',
  stateReason: undefined,
});

describe('planAlarmChanges', () => {
  const options = resolveAlarmOptions({});

  it('creates, skips desired 0, and sorts by region, cluster, service', () => {
    const plan = planAlarmChanges({
      services: [svc('b', 'x'), svc('a', 'y'), svc('a', 'idle', 0)],
      existing: [],
      options,
    });
    expect(
      plan.changes.map((c) => (c.kind === 'enable-insights' ? '' : `${c.kind} ${c.definition.AlarmName}`)),
    ).toEqual(['create-alarm ecsops-task-health-a-y', 'create-alarm ecsops-task-health-b-x']);
    expect(plan.skipped).toEqual([
      {
        region: 'us-east-1',
        clusterName: 'a',
        serviceName: 'idle',
        reason: expect.stringContaining('desired count is 0'),
      },
    ]);
  });

  it('--include-zero-desired keeps idle services', () => {
    const plan = planAlarmChanges({
      services: [svc('a', 'idle', 0)],
      existing: [],
      options,
      includeZeroDesired: true,
    });
    expect(plan.changes).toHaveLength(1);
  });

  it('reports a name collision between cluster a-b/service c and cluster a/service b-c instead of sharing one alarm', () => {
    const plan = planAlarmChanges({ services: [svc('a-b', 'c'), svc('a', 'b-c')], existing: [], options });
    expect(plan.changes).toHaveLength(1);
    expect(plan.skipped[0]?.reason).toContain('already planned for a/b-c');
  });

  it('the same name in two regions is two alarms', () => {
    const plan = planAlarmChanges({
      services: [svc('a', 'x'), { ...svc('a', 'x'), region: 'eu-west-1' }],
      existing: [],
      options,
    });
    expect(plan.changes).toHaveLength(2);
  });
});

describe('tags', () => {
  it('planAlarmTags puts ecsops tags first, then extras', () => {
    expect(planAlarmTags({ clusterName: 'c', serviceName: 's' }, [{ Key: 'team', Value: 'x' }])).toEqual([
      { Key: 'ecsops:managed', Value: 'true' },
      { Key: 'ecsops:cluster', Value: 'c' },
      { Key: 'ecsops:service', Value: 's' },
      { Key: 'team', Value: 'x' },
    ]);
  });

  it.each([
    ['k=v', { Key: 'k', Value: 'v' }],
    ['k=', { Key: 'k', Value: '' }],
    ['k=a=b', { Key: 'k', Value: 'a=b' }],
  ])('parseTagOption(%j)', (text, expected) => {
    expect(parseTagOption(text)).toEqual(expected);
  });

  it.each(['=v', 'novalue'])('parseTagOption rejects %j', (text) => {
    expect(() => parseTagOption(text)).toThrow(UsageError);
  });

  it.each([
    [[{ Key: 'ecsops:managed', Value: 'false' }], /reserved/],
    [[{ Key: 'aws:x', Value: 'v' }], /reserved by AWS/],
    [[{ Key: 'k'.repeat(129), Value: 'v' }], /128/],
    [[{ Key: 'k', Value: 'v'.repeat(257) }], /256/],
    [
      [
        { Key: 'k', Value: '1' },
        { Key: 'k', Value: '2' },
      ],
      /twice/,
    ],
    [Array.from({ length: 48 }, (_, i) => ({ Key: `k${i}`, Value: '' })), /At most 47/],
  ])('validateExtraTags rejects %#', (tags, message) => {
    expect(() => validateExtraTags(tags)).toThrow(message);
  });

  it('findMissingTags and managedTargetOf', () => {
    const wanted = planAlarmTags({ clusterName: 'c', serviceName: 's' });
    expect(findMissingTags(wanted, wanted)).toEqual([]);
    expect(findMissingTags([{ Key: 'ecsops:cluster', Value: 'other' }], wanted).map((t) => t.Key)).toEqual([
      'ecsops:managed',
      'ecsops:cluster',
      'ecsops:service',
    ]);
    expect(managedTargetOf(wanted)).toEqual({ clusterName: 'c', serviceName: 's' });
    expect(managedTargetOf(wanted.slice(1))).toBeUndefined();
  });
});

describe('planAlarmDeletions', () => {
  const alarms = [
    record('p-prod-web', ['prod', 'web']),
    record('p-prod-api', ['prod', 'api']),
    record('p-dev-web', ['dev', 'web']),
    record('p-hand', ['prod', 'web'], false),
  ];

  it.each([
    [{ clusters: ['prod'], services: [], names: [] }, ['p-prod-web', 'p-prod-api']],
    [{ clusters: ['prod'], services: ['web'], names: [] }, ['p-prod-web']],
    [{ clusters: [], services: [], names: ['p-dev-web'] }, ['p-dev-web']],
  ])('selects %j', (selection, expected) => {
    const plan = planAlarmDeletions(alarms, selection);
    expect(plan.deletions.map((d) => d.alarmName)).toEqual(expected);
    expect(plan.refused).toEqual([]);
  });

  it('refuses a named alarm without the managed tag and reports unknown names', () => {
    const plan = planAlarmDeletions(alarms, { clusters: [], services: [], names: ['p-hand', 'nope'] });
    expect(plan.refused.map((r) => r.alarmName)).toEqual(['p-hand']);
    expect(plan.notFound).toEqual(['nope']);
    expect(plan.deletions).toEqual([]);
  });
});

describe('planAlarmPrune', () => {
  it('deletes alarms of missing services and of services at desired 0; ignores unmanaged', () => {
    const alarms = [
      record('a', ['prod', 'web']),
      record('b', ['prod', 'gone']),
      record('c', ['prod', 'idle']),
      record('d', ['prod', 'web'], false),
    ];
    const deletions = planAlarmPrune(alarms, [svc('prod', 'web'), svc('prod', 'idle', 0)]);
    expect(deletions.map((d) => `${d.alarmName}: ${d.reason}`)).toEqual([
      'b: service no longer exists',
      'c: service desired count is 0',
    ]);
  });
});

describe('findTopicWarnings', () => {
  const arn = 'arn:aws:sns:us-east-1:123456789012:t';
  it.each([
    [{ topicArn: arn, exists: true as const, kmsMasterKeyId: undefined }, []],
    [{ topicArn: arn, exists: false as const }, [/does not exist/]],
    [{ topicArn: arn, exists: 'unknown' as const, reason: 'AccessDenied' }, [/Could not check/]],
    [{ topicArn: arn, exists: true as const, kmsMasterKeyId: 'alias/aws/sns' }, [/AWS managed key/]],
    [
      {
        topicArn: arn,
        exists: true as const,
        kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sns',
      },
      [/AWS managed key/],
    ],
    [
      { topicArn: arn, exists: true as const, kmsMasterKeyId: 'alias/my-key' },
      [/kms:Decrypt and kms:GenerateDataKey\*/],
    ],
  ])('%j', (state, expected) => {
    const warnings = findTopicWarnings([state]);
    expect(warnings).toHaveLength(expected.length);
    for (const [i, re] of expected.entries()) expect(warnings[i]).toMatch(re);
  });
});
