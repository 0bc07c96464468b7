import { describe, expect, it } from 'vitest';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../../src/core/alarm/definition.js';
import { planDistinctAlarmName } from '../../../src/core/alarm/name.js';
import {
  type AlarmRecord,
  type AlarmTag,
  dimensionTargetOf,
  type ExistingAlarmState,
  findActionWarnings,
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
    expect(plan.changes.map((c) => `${c.kind} ${c.definition.AlarmName}`)).toEqual([
      'create-alarm ecsops-task-health-a-y',
      'create-alarm ecsops-task-health-b-x',
    ]);
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

  it('in one run, cluster a-b/service c and cluster a/service b-c get two alarms: the second a distinct name', () => {
    const plan = planAlarmChanges({ services: [svc('a-b', 'c'), svc('a', 'b-c')], existing: [], options });
    expect(plan.changes.map((c) => `${c.clusterName}/${c.serviceName}=${c.definition.AlarmName}`)).toEqual([
      'a/b-c=ecsops-task-health-a-b-c',
      `a-b/c=${planDistinctAlarmName('ecsops-task-health', { clusterName: 'a-b', serviceName: 'c' })}`,
    ]);
    expect(plan.renamed).toEqual([expect.objectContaining({ clusterName: 'a-b', takenBy: 'a/b-c' })]);
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

const options = resolveAlarmOptions({});
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
/** The alarm ecsops made for a service, as DescribeAlarms returns it, with its tags (if read). */
function existingFor(
  clusterName: string,
  serviceName: string,
  tags: AlarmTag[] | undefined,
  over: Partial<ExistingAlarmState['alarm']> = {},
  name?: string,
): ExistingAlarmState {
  const definition = planTaskHealthAlarm({ clusterName, serviceName }, options);
  const alarmName = name ?? definition.AlarmName;
  return {
    region: 'us-east-1',
    alarm: {
      ...definition,
      AlarmName: alarmName,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`,
      ...over,
    },
    tags,
  };
}
const managed = (clusterName: string, serviceName: string) => planAlarmTags({ clusterName, serviceName });
const usual = 'ecsops-task-health-a-b-c';
const distinct = planDistinctAlarmName('ecsops-task-health', { clusterName: 'a', serviceName: 'b-c' });

describe('planAlarmChanges: whose is an existing alarm of the same name', () => {
  it.each([
    [
      'identical to what a/b-c would get: unchanged, no tags needed',
      existingFor('a', 'b-c', undefined),
      'unchanged',
      usual,
    ],
    [
      'changed, tags not read yet: ask for them first',
      existingFor('a', 'b-c', undefined, { Threshold: 0.5 }),
      'tags-needed',
      usual,
    ],
    [
      'changed, managed, tagged a/b-c: update it',
      existingFor('a', 'b-c', managed('a', 'b-c'), { Threshold: 0.5 }),
      'update-alarm',
      usual,
    ],
    [
      'managed but missing cluster/service tags, dimensions a/b-c: update it',
      existingFor('a', 'b-c', managed('a', 'b-c').slice(0, 1), { Threshold: 0.5 }),
      'update-alarm',
      usual,
    ],
    [
      'tagged a-b/c (the other service): a distinct name',
      existingFor('a-b', 'c', managed('a-b', 'c'), {}, usual),
      'create-alarm',
      distinct,
    ],
    [
      'tagged a/b-c but its metrics watch a-b/c: a distinct name',
      existingFor('a-b', 'c', managed('a', 'b-c'), {}, usual),
      'create-alarm',
      distinct,
    ],
    [
      'without the managed tag: left alone',
      existingFor('a', 'b-c', [], { Threshold: 0.5 }),
      'skipped',
      usual,
    ],
  ])('%s', (_name, existing, outcome, alarmName) => {
    const plan = planAlarmChanges({ services: [svc('a', 'b-c')], existing: [existing], options });
    const got =
      plan.tagsNeeded.length > 0
        ? { outcome: 'tags-needed', alarmName: plan.tagsNeeded[0]?.alarmName }
        : plan.unchanged[0]
          ? { outcome: 'unchanged', alarmName: plan.unchanged[0].alarmName }
          : plan.skipped[0]
            ? { outcome: 'skipped', alarmName: usual }
            : { outcome: plan.changes[0]?.kind, alarmName: plan.changes[0]?.definition.AlarmName };
    expect(got).toEqual({ outcome, alarmName });
    if (alarmName === distinct) {
      expect(plan.renamed).toEqual([
        {
          region: 'us-east-1',
          clusterName: 'a',
          serviceName: 'b-c',
          alarmName: distinct,
          takenName: usual,
          takenBy: 'a-b/c',
        },
      ]);
    }
  });

  it('the distinct-name alarm of an earlier run is found again: unchanged, still noted as renamed', () => {
    const plan = planAlarmChanges({
      services: [svc('a', 'b-c')],
      existing: [
        existingFor('a-b', 'c', managed('a-b', 'c'), {}, usual),
        existingFor('a', 'b-c', undefined, {}, distinct),
      ],
      options,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged.map((u) => u.alarmName)).toEqual([distinct]);
    expect(plan.renamed.map((r) => r.alarmName)).toEqual([distinct]);
  });

  it('asks for the tags of the usual and the distinct name at once, so one read settles the plan', () => {
    const existing = [
      existingFor('a-b', 'c', undefined, {}, usual),
      existingFor('a', 'b-c', undefined, { Threshold: 0.5 }, distinct),
    ];
    const first = planAlarmChanges({ services: [svc('a', 'b-c')], existing, options });
    expect(first.tagsNeeded.map((t) => t.alarmName)).toEqual([usual, distinct]);
    const [a, b] = existing as [ExistingAlarmState, ExistingAlarmState];
    a.tags = managed('a-b', 'c');
    b.tags = managed('a', 'b-c');
    const second = planAlarmChanges({ services: [svc('a', 'b-c')], existing, options });
    expect(second.tagsNeeded).toEqual([]);
    expect(second.changes.map((c) => `${c.kind} ${c.definition.AlarmName}`)).toEqual([
      `update-alarm ${distinct}`,
    ]);
  });

  it('both names taken: skipped with both owners named', () => {
    const plan = planAlarmChanges({
      services: [svc('a', 'b-c')],
      existing: [
        existingFor('a-b', 'c', managed('a-b', 'c'), {}, usual),
        existingFor('x', 'y', managed('x', 'y'), {}, distinct),
      ],
      options,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped[0]?.reason).toMatch(/both taken/);
  });

  it('dimensionTargetOf reads the metric dimensions', () => {
    expect(dimensionTargetOf(existingFor('a', 'b-c', undefined).alarm)).toEqual({
      clusterName: 'a',
      serviceName: 'b-c',
    });
    expect(dimensionTargetOf({ AlarmName: 'x', MetricName: 'CPUUtilization' })).toBeUndefined();
  });
});

describe('planAlarmChanges: actions', () => {
  const withTopic = existingFor('a', 'web', managed('a', 'web'), {
    AlarmActions: [TOPIC],
    OKActions: [TOPIC],
  });

  it.each([
    ['keepActions: the existing actions stay, nothing to do', true, 'unchanged'],
    ['actions set from the options (no topic): removing them is a planned change', false, 'update-alarm'],
  ])('%s', (_name, keepActions, outcome) => {
    const plan = planAlarmChanges({
      services: [svc('a', 'web')],
      existing: [withTopic],
      options,
      keepActions,
    });
    expect(plan.changes[0]?.kind ?? (plan.unchanged.length ? 'unchanged' : undefined)).toBe(outcome);
    if (outcome === 'update-alarm') {
      expect(plan.changes[0]?.kind === 'update-alarm' && plan.changes[0].changes.map((c) => c.field)).toEqual(
        ['AlarmActions', 'OKActions'],
      );
    }
  });

  it('keepActions with a changed threshold: the update carries the existing actions', () => {
    const changed = { ...withTopic, alarm: { ...withTopic.alarm, Threshold: 0.5 } };
    const plan = planAlarmChanges({
      services: [svc('a', 'web')],
      existing: [changed],
      options,
      keepActions: true,
    });
    expect(plan.changes[0]?.definition).toMatchObject({
      Threshold: 1,
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
    });
  });

  it('findActionWarnings: new alarms without actions are named in one warning', () => {
    const plan = planAlarmChanges({ services: [svc('a', 'x'), svc('a', 'y')], existing: [], options });
    expect(findActionWarnings(plan.changes)).toEqual([
      expect.stringMatching(/^2 new alarm\(s\) have no actions/),
    ]);
    const withTopics = resolveAlarmOptions({ topics: [TOPIC] });
    expect(
      findActionWarnings(
        planAlarmChanges({ services: [svc('a', 'x')], existing: [], options: withTopics }).changes,
      ),
    ).toEqual([]);
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
    [{ kind: 'services' as const, clusters: ['prod'], services: [] }, ['p-prod-web', 'p-prod-api']],
    [{ kind: 'services' as const, clusters: ['prod'], services: ['web'] }, ['p-prod-web']],
    [{ kind: 'names' as const, names: ['p-dev-web'] }, ['p-dev-web']],
  ])('selects %j', (selection, expected) => {
    const plan = planAlarmDeletions(alarms, selection);
    expect(plan.deletions.map((d) => d.alarmName)).toEqual(expected);
    expect(plan.refused).toEqual([]);
  });

  it('refuses a named alarm without the managed tag and reports unknown names', () => {
    const plan = planAlarmDeletions(alarms, { kind: 'names', names: ['p-hand', 'nope'] });
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
