import { describe, expect, it } from 'vitest';
import {
  DEPLOYMENT_EVENT_NAMES,
  type EventsCluster,
  type EventsRuleState,
  MAX_EVENT_PATTERN_LENGTH,
  MAX_RULE_NAME_LENGTH,
  mergeTopicPolicy,
  planEventPattern,
  planEventsChanges,
  planEventsRuleDeletions,
  planEventsRuleName,
  planEventsTargetRemovals,
  planRuleArn,
  planTargetId,
  planTopicPolicyRevocations,
  SERVICE_ACTION_EVENT_NAMES,
  TOPIC_POLICY_SID,
} from '../../../src/core/alarm/events.js';
import {
  DOCS_CLUSTER_ARN,
  DOCS_REGION,
  deploymentFailedEvent,
  serviceActionEvent,
  steadyStateEvent,
  taskFailedToStartEvent,
  variant,
} from '../../fixtures/ecs-events.js';
import { matchesPattern } from '../../helpers/event-pattern.js';

const docsCluster: EventsCluster = {
  region: DOCS_REGION,
  clusterName: 'default',
  clusterArn: DOCS_CLUSTER_ARN,
};
const otherClusterArn = DOCS_CLUSTER_ARN.replace('/default', '/other');
// biome-ignore lint/suspicious/noExplicitAny: the matcher takes parsed JSON
const match = (pattern: unknown, event: unknown) => matchesPattern(pattern as any, event as any);

describe('the test matcher itself (EventBridge pattern semantics)', () => {
  it.each([
    [{ a: ['x'] }, { a: 'x' }, true],
    [{ a: ['x'] }, { a: 'y' }, false],
    [{ a: ['x'] }, { a: ['y', 'x'] }, true],
    [{ a: ['x'] }, {}, false],
    [{ a: [{ prefix: 'ab' }] }, { a: 'abc' }, true],
    [{ a: [{ prefix: 'ab' }] }, { a: 'xabc' }, false],
    [{ a: { b: ['x'] } }, { a: { b: 'x' } }, true],
    [{ a: { b: ['x'] } }, { a: 'x' }, false],
    [{ $or: [{ a: ['x'] }, { b: ['y'] }] }, { b: 'y' }, true],
    [{ $or: [{ a: ['x'] }, { b: ['y'] }] }, { b: 'x' }, false],
    [{ a: [{ exists: false }] }, {}, true],
    [{ a: [{ 'anything-but': ['x'] }] }, { a: 'y' }, true],
  ])('%j against %j is %s', (pattern, event, expected) => {
    expect(match(pattern, event)).toBe(expected);
  });
});

describe('planEventPattern against sample ECS events from the AWS docs', () => {
  const pattern = planEventPattern(docsCluster, { taskStops: false });
  const withStops = planEventPattern(docsCluster, { taskStops: true });

  it.each(SERVICE_ACTION_EVENT_NAMES)('ECS Service Action %s of the cluster matches', (eventName) => {
    const event = variant(serviceActionEvent, (e) => {
      e.detail.eventName = eventName;
    });
    expect(match(pattern, event)).toBe(true);
  });

  it.each(DEPLOYMENT_EVENT_NAMES)(
    'ECS Deployment State Change %s of the cluster matches (by the service ARN)',
    (name) => {
      const event = variant(deploymentFailedEvent, (e) => {
        e.detail.eventName = name;
      });
      expect(match(pattern, event)).toBe(true);
    },
  );

  it('the documented examples match as they are', () => {
    expect(match(pattern, serviceActionEvent)).toBe(true);
    expect(match(pattern, deploymentFailedEvent)).toBe(true);
  });

  it.each([
    ['SERVICE_STEADY_STATE (the docs example)', steadyStateEvent],
    [
      'SERVICE_DEPLOYMENT_COMPLETED',
      variant(deploymentFailedEvent, (e) => {
        e.detail.eventName = 'SERVICE_DEPLOYMENT_COMPLETED';
        e.detail.eventType = 'INFO';
      }),
    ],
    [
      'ECS_OPERATION_THROTTLED (scheduler throttled, not tasks missing)',
      variant(serviceActionEvent, (e) => {
        e.detail.eventName = 'ECS_OPERATION_THROTTLED';
      }),
    ],
    [
      'a service action of another cluster',
      variant(serviceActionEvent, (e) => {
        e.detail.clusterArn = otherClusterArn;
      }),
    ],
    [
      'a deployment failure of another cluster',
      variant(deploymentFailedEvent, (e) => {
        e.resources = [e.resources[0]?.replace('/default/', '/other/') ?? ''];
      }),
    ],
    [
      'a deployment failure of a cluster whose name starts the same',
      variant(deploymentFailedEvent, (e) => {
        e.resources = [e.resources[0]?.replace('/default/', '/default-2/') ?? ''];
      }),
    ],
    [
      'the same event from another source',
      variant(serviceActionEvent, (e) => {
        e.source = 'my.app';
      }),
    ],
    ['a task that failed to start, without --task-stops', taskFailedToStartEvent],
  ])('%s does not match', (_name, event) => {
    expect(match(pattern, event)).toBe(false);
  });

  it('--task-stops: a task STOPPED with TaskFailedToStart or a start error reason matches', () => {
    expect(match(withStops, taskFailedToStartEvent)).toBe(true);
    const pullError = variant(taskFailedToStartEvent, (e) => {
      e.detail.stopCode = 'EssentialContainerExited';
      e.detail.stoppedReason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s)';
    });
    expect(match(withStops, pullError)).toBe(true);
    expect(match(withStops, serviceActionEvent)).toBe(true);
  });

  it.each([
    [
      'a task stopped by the scheduler (a deployment, scale-in)',
      variant(taskFailedToStartEvent, (e) => {
        e.detail.stopCode = 'ServiceSchedulerInitiated';
        e.detail.stoppedReason = 'Scaling activity initiated by (deployment ecs-svc/123)';
      }),
    ],
    [
      'a task still running',
      variant(taskFailedToStartEvent, (e) => {
        e.detail.lastStatus = 'RUNNING';
      }),
    ],
    [
      'a failed task of another cluster',
      variant(taskFailedToStartEvent, (e) => {
        e.detail.clusterArn = otherClusterArn;
      }),
    ],
  ])('--task-stops: %s does not match', (_name, event) => {
    expect(match(withStops, event)).toBe(false);
  });

  it('stays within the 2048-character pattern quota even for a 255-character cluster name', () => {
    const long = 'c'.repeat(255);
    const cluster = {
      region: 'ap-southeast-2',
      clusterName: long,
      clusterArn: `arn:aws:ecs:ap-southeast-2:123456789012:cluster/${long}`,
    };
    expect(JSON.stringify(planEventPattern(cluster, { taskStops: true })).length).toBeLessThanOrEqual(
      MAX_EVENT_PATTERN_LENGTH,
    );
  });
});

describe('rule names and target ids', () => {
  it('is ecsops-events-<cluster>, within 64 characters, distinct and stable for long or odd names', () => {
    expect(planEventsRuleName('prod')).toBe('ecsops-events-prod');
    const a = planEventsRuleName(`${'x'.repeat(100)}a`);
    const b = planEventsRuleName(`${'x'.repeat(100)}b`);
    expect(a.length).toBeLessThanOrEqual(MAX_RULE_NAME_LENGTH);
    expect(a).not.toBe(b);
    expect(planEventsRuleName(`${'x'.repeat(100)}a`)).toBe(a);
    expect(planEventsRuleName('a:b')).toMatch(/^ecsops-events-a_b-[0-9a-f]{8}$/);
    expect(planEventsRuleName('a:b')).not.toBe(planEventsRuleName('a_b'));
  });

  it('rule ARN comes from the cluster ARN (partition, account) and region', () => {
    expect(planRuleArn(docsCluster, 'ecsops-events-default')).toBe(
      'arn:aws:events:us-west-2:111122223333:rule/ecsops-events-default',
    );
  });

  it('target id is ecsops-<topic name>', () => {
    expect(planTargetId('arn:aws:sns:us-east-1:123456789012:alerts')).toBe('ecsops-alerts');
    expect(planTargetId(`arn:aws:sns:us-east-1:123456789012:${'t'.repeat(200)}`).length).toBeLessThanOrEqual(
      64,
    );
  });
});

describe('mergeTopicPolicy', () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
  const ruleA = 'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-a';
  const ruleB = 'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-b';
  const defaultStatement = {
    Sid: '__default_statement_ID',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['SNS:Publish', 'SNS:Subscribe'],
    Resource: topic,
    Condition: { StringEquals: { 'AWS:SourceOwner': '123456789012' } },
  };
  const cloudwatchStatement = {
    Sid: 'AllowCloudWatch',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: topic,
  };
  const policy = (statements: unknown[]) =>
    JSON.stringify({ Version: '2008-10-17', Id: '__default_policy_ID', Statement: statements });
  const parse = (text: string | undefined) => JSON.parse(text ?? 'null');

  it('appends our statement and keeps every existing statement and field as it was', () => {
    const merged = parse(mergeTopicPolicy(policy([defaultStatement, cloudwatchStatement]), topic, [ruleA]));
    expect(merged.Version).toBe('2008-10-17');
    expect(merged.Id).toBe('__default_policy_ID');
    expect(merged.Statement).toEqual([
      defaultStatement,
      cloudwatchStatement,
      {
        Sid: TOPIC_POLICY_SID,
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { ArnEquals: { 'aws:SourceArn': [ruleA] } },
      },
    ]);
  });

  it('updates our statement in place (same position), adding rule ARNs to those it allowed, no duplicate', () => {
    const first = mergeTopicPolicy(policy([defaultStatement, cloudwatchStatement]), topic, [ruleA]) as string;
    const reordered = policy([parse(first).Statement[2], defaultStatement, cloudwatchStatement]);
    const merged = parse(mergeTopicPolicy(reordered, topic, [ruleB]));
    expect(merged.Statement).toHaveLength(3);
    expect(merged.Statement[0].Sid).toBe(TOPIC_POLICY_SID);
    expect(merged.Statement[0].Condition.ArnEquals['aws:SourceArn']).toEqual([ruleA, ruleB]);
    expect(merged.Statement.slice(1)).toEqual([defaultStatement, cloudwatchStatement]);
  });

  it('is undefined (nothing to write) when the statement already allows every rule', () => {
    const once = mergeTopicPolicy(policy([defaultStatement]), topic, [ruleA, ruleB]) as string;
    expect(mergeTopicPolicy(once, topic, [ruleB])).toBeUndefined();
    expect(mergeTopicPolicy(once, topic, [ruleA, ruleB])).toBeUndefined();
  });

  it('repairs a statement of ours that was edited (wrong principal), keeping its rule ARNs', () => {
    const edited = policy([
      {
        Sid: TOPIC_POLICY_SID,
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleB } },
      },
    ]);
    const merged = parse(mergeTopicPolicy(edited, topic, [ruleA]));
    expect(merged.Statement).toHaveLength(1);
    expect(merged.Statement[0].Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(merged.Statement[0].Condition.ArnEquals['aws:SourceArn']).toEqual([ruleA, ruleB]);
  });

  it('a topic without a policy gets one holding our statement; a single Statement object is kept', () => {
    expect(parse(mergeTopicPolicy(undefined, topic, [ruleA])).Statement).toHaveLength(1);
    const single = JSON.stringify({ Version: '2012-10-17', Statement: cloudwatchStatement });
    expect(parse(mergeTopicPolicy(single, topic, [ruleA])).Statement[0]).toEqual(cloudwatchStatement);
  });
});

describe('planEventsChanges', () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
  const prod: EventsCluster = {
    region: 'us-east-1',
    clusterName: 'prod',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
  };
  const input = (rules: EventsRuleState[], policy?: string) => ({
    clusters: [prod],
    rules,
    topics: [{ topicArn: topic, region: 'us-east-1', policy, readable: true }],
    taskStops: false,
  });

  it('a new cluster: rule, target and topic policy', () => {
    const plan = planEventsChanges(input([]));
    expect(plan.changes.map((c) => c.kind)).toEqual(['create-rule', 'put-targets', 'put-topic-policy']);
  });

  it('applied state plans nothing (second run)', () => {
    const first = planEventsChanges(input([]));
    const rule = first.changes.find((c) => c.kind === 'create-rule');
    const policy = first.changes.find((c) => c.kind === 'put-topic-policy');
    if (rule?.kind !== 'create-rule' || policy?.kind !== 'put-topic-policy') throw new Error('plan');
    const state: EventsRuleState = {
      region: 'us-east-1',
      name: rule.ruleName,
      arn: rule.ruleArn,
      // EventBridge may hand the pattern back re-serialised: compared as JSON, not as text.
      eventPattern: JSON.stringify(JSON.parse(rule.eventPattern), null, 1),
      state: 'ENABLED',
      description: rule.description,
      tags: rule.tags,
      targets: [
        { Id: 'ecsops-alerts', Arn: topic },
        { Id: 'someone-elses', Arn: 'arn:aws:sqs:us-east-1:1:q' },
      ],
    };
    const second = planEventsChanges(input([state], policy.policy));
    expect(second.changes).toEqual([]);
    expect(second.unchanged).toEqual([
      { region: 'us-east-1', clusterName: 'prod', ruleName: 'ecsops-events-prod' },
    ]);
  });

  it("a topic in another region is not a target (EventBridge targets are in the rule's region)", () => {
    const far = 'arn:aws:sns:eu-west-1:123456789012:alerts';
    const plan = planEventsChanges({
      clusters: [prod],
      rules: [],
      topics: [{ topicArn: far, region: 'eu-west-1', policy: undefined, readable: true }],
      taskStops: false,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped[0]?.reason).toContain('no --sns-topic in us-east-1');
  });

  it('a rule of that name without the ecsops tags is never touched', () => {
    const foreign: EventsRuleState = {
      region: 'us-east-1',
      name: 'ecsops-events-prod',
      arn: 'arn',
      eventPattern: '{}',
      state: 'ENABLED',
      description: 'mine',
      tags: [],
      targets: [],
    };
    const plan = planEventsChanges(input([foreign]));
    expect(plan.changes).toEqual([]);
    expect(plan.skipped[0]?.reason).toContain('without the ecsops:managed=true');
  });

  it('a changed topic: the new target put, the old ecsops target removed, other targets kept', () => {
    const rule = planEventsChanges(input([])).changes[0];
    if (rule?.kind !== 'create-rule') throw new Error('plan');
    const state: EventsRuleState = {
      region: 'us-east-1',
      name: rule.ruleName,
      arn: rule.ruleArn,
      eventPattern: rule.eventPattern,
      state: 'ENABLED',
      description: rule.description,
      tags: rule.tags,
      targets: [
        { Id: 'ecsops-old', Arn: 'arn:aws:sns:us-east-1:123456789012:old' },
        { Id: 'theirs', Arn: 'x' },
      ],
    };
    const plan = planEventsChanges(input([state]));
    expect(plan.changes.filter((c) => c.kind !== 'put-topic-policy')).toEqual([
      {
        kind: 'put-targets',
        region: 'us-east-1',
        clusterName: 'prod',
        ruleName: rule.ruleName,
        ruleArn: rule.ruleArn,
        targets: [{ Id: 'ecsops-alerts', Arn: topic }],
      },
      {
        kind: 'remove-targets',
        region: 'us-east-1',
        clusterName: 'prod',
        ruleName: rule.ruleName,
        ids: ['ecsops-old'],
      },
    ]);
  });

  it('a disabled rule or an edited pattern is updated', () => {
    const rule = planEventsChanges(input([])).changes[0];
    if (rule?.kind !== 'create-rule') throw new Error('plan');
    const base: EventsRuleState = {
      region: 'us-east-1',
      name: rule.ruleName,
      arn: rule.ruleArn,
      eventPattern: rule.eventPattern,
      state: 'DISABLED',
      description: rule.description,
      tags: rule.tags,
      targets: [{ Id: 'ecsops-alerts', Arn: topic }],
    };
    expect(planEventsChanges(input([base])).changes[0]?.kind).toBe('update-rule');
    expect(
      planEventsChanges(input([{ ...base, state: 'ENABLED', eventPattern: '{"source":["aws.ecs"]}' }]))
        .changes[0]?.kind,
    ).toBe('update-rule');
  });

  it('--no-actions removes only ecsops targets of managed rules', () => {
    const rules: EventsRuleState[] = [
      {
        region: 'us-east-1',
        name: 'ecsops-events-prod',
        arn: 'a',
        eventPattern: '{}',
        state: 'ENABLED',
        description: '',
        tags: [
          { Key: 'ecsops:managed', Value: 'true' },
          { Key: 'ecsops:cluster', Value: 'prod' },
        ],
        targets: [
          { Id: 'ecsops-alerts', Arn: topic },
          { Id: 'theirs', Arn: 'x' },
        ],
      },
    ];
    expect(planEventsTargetRemovals([prod], rules)).toEqual([
      {
        kind: 'remove-targets',
        region: 'us-east-1',
        clusterName: 'prod',
        ruleName: 'ecsops-events-prod',
        ids: ['ecsops-alerts'],
      },
    ]);
  });

  it('delete/prune: the rule goes only with the last alarm of its cluster', () => {
    const rule = (cluster: string): EventsRuleState => ({
      region: 'us-east-1',
      name: `ecsops-events-${cluster}`,
      arn: 'a',
      eventPattern: '{}',
      state: 'ENABLED',
      description: '',
      tags: [
        { Key: 'ecsops:managed', Value: 'true' },
        { Key: 'ecsops:cluster', Value: cluster },
      ],
      targets: [{ Id: 'ecsops-alerts', Arn: topic }],
    });
    const unmanaged = { ...rule('c'), tags: [] };
    const affected = new Set(['us-east-1\u0000a', 'us-east-1\u0000b', 'us-east-1\u0000c']);
    const remaining = new Map([['us-east-1\u0000b', 1]]);
    expect(
      planEventsRuleDeletions([rule('a'), rule('b'), unmanaged, rule('d')], affected, remaining),
    ).toEqual([
      {
        kind: 'delete-rule',
        region: 'us-east-1',
        clusterName: 'a',
        ruleName: 'ecsops-events-a',
        ruleArn: 'a',
        targetIds: ['ecsops-alerts'],
        topicArns: [topic],
      },
    ]);
  });

  it('after rule deletions the topic policy loses their ARNs; the statement goes once empty; others kept', () => {
    const ruleA = 'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-a';
    const ruleB = 'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-b';
    const other = {
      Sid: 'theirs',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sns:Publish',
      Resource: topic,
    };
    const both = mergeTopicPolicy(JSON.stringify({ Version: '2008-10-17', Statement: [other] }), topic, [
      ruleA,
      ruleB,
    ]);
    const deletion = (ruleArn: string) => ({
      kind: 'delete-rule' as const,
      region: 'us-east-1',
      clusterName: 'x',
      ruleName: 'n',
      ruleArn,
      targetIds: ['ecsops-alerts'],
      topicArns: [topic],
    });
    const [one] = planTopicPolicyRevocations([deletion(ruleA)], new Map([[topic, both]]));
    expect(JSON.parse(one?.policy ?? '{}').Statement).toEqual([
      other,
      expect.objectContaining({
        Sid: TOPIC_POLICY_SID,
        Condition: { ArnEquals: { 'aws:SourceArn': [ruleB] } },
      }),
    ]);
    expect(one?.revokedRuleArns).toEqual([ruleA]);
    const [all] = planTopicPolicyRevocations([deletion(ruleA), deletion(ruleB)], new Map([[topic, both]]));
    expect(JSON.parse(all?.policy ?? '{}').Statement).toEqual([other]);
    // Nothing to take out, or no readable policy: nothing planned.
    expect(
      planTopicPolicyRevocations([deletion('arn:aws:events:us-east-1:1:rule/zzz')], new Map([[topic, both]])),
    ).toEqual([]);
    expect(planTopicPolicyRevocations([deletion(ruleA)], new Map())).toEqual([]);
  });
});
