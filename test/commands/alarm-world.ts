/**
 * A mocked ECS + CloudWatch + SNS "world" for the alarm and dashboard command tests: clusters,
 * services and alarms live in plain objects, and the mocked clients answer from them the way the
 * real APIs do (pages, batches, tags, ResourceNotFound).
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  UpdateClusterCommand,
} from '@aws-sdk/client-ecs';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand as TagRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';

export const ecs = mockClient(ECSClient);
export const cloudwatch = mockClient(CloudWatchClient);
export const sns = mockClient(SNSClient);
export const events = mockClient(EventBridgeClient);

/** An EventBridge rule of the world. */
export interface WorldRule {
  EventPattern?: string;
  State?: string;
  Description?: string;
  tags: { Key: string; Value: string }[];
  targets: { Id: string; Arn: string }[];
}
export const ruleArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:rule/${name}`;

export const ACCOUNT = '123456789012';
export const clusterArn = (name: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${name}`;
export const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`;

export interface World {
  clusters: Record<string, { insights?: string; services: Record<string, number> }>;
  alarms: Map<string, MetricAlarm>;
  tags: Map<string, { Key: string; Value: string }[]>;
  dashboards: Map<string, string>;
  topics: Record<string, { KmsMasterKeyId?: string; Policy?: string }>;
  rules: Map<string, WorldRule>;
  /** Running tasks per `cluster/service` (DescribeServices runningCount); default 0. */
  running: Record<string, number>;
  /** Writes in the order they arrived, as `Operation name`. */
  log: string[];
}

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });

/** Resets the mocks and installs a world; returns it so tests can inspect and change it. */
export function installWorld(init: Partial<World> = {}): World {
  ecs.reset();
  cloudwatch.reset();
  sns.reset();
  events.reset();
  const world: World = {
    rules: init.rules ?? new Map(),
    log: [],
    running: init.running ?? {},
    clusters: init.clusters ?? {},
    alarms: init.alarms ?? new Map(),
    tags: init.tags ?? new Map(),
    dashboards: init.dashboards ?? new Map(),
    topics: init.topics ?? { [TOPIC]: {} },
  };
  const nameOf = (c: string) => c.split('/').pop() ?? c;

  ecs.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: input.clusters
      .filter((c) => world.clusters[nameOf(c)])
      .map((c) => {
        const name = nameOf(c);
        const insights = world.clusters[name]?.insights;
        return {
          clusterArn: clusterArn(name),
          clusterName: name,
          status: 'ACTIVE',
          settings: insights ? [{ name: 'containerInsights', value: insights }] : [],
        };
      }),
    failures: input.clusters
      .filter((c) => !world.clusters[nameOf(c)])
      .map((c) => ({ arn: c, reason: 'MISSING' })),
  }));
  ecs
    .on(ListServicesCommand)
    .callsFake((input: { cluster: string; nextToken?: string; maxResults?: number }) => {
      const cluster = world.clusters[nameOf(input.cluster)];
      if (!cluster) throw awsError('ClusterNotFoundException');
      const all = Object.keys(cluster.services).map(
        (s) => `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${nameOf(input.cluster)}/${s}`,
      );
      const start = Number(input.nextToken ?? 0);
      const size = input.maxResults ?? 10;
      const next = start + size < all.length ? String(start + size) : undefined;
      return { serviceArns: all.slice(start, start + size), nextToken: next };
    });
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string; services: string[] }) => {
    if (input.services.length > 10) throw awsError('InvalidParameterException', 'at most 10 services');
    const name = nameOf(input.cluster);
    const cluster = world.clusters[name];
    if (!cluster) throw awsError('ClusterNotFoundException');
    return {
      services: input.services
        .filter((s) => cluster.services[nameOf(s)] !== undefined)
        .map((s) => ({
          serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${name}/${nameOf(s)}`,
          serviceName: nameOf(s),
          clusterArn: clusterArn(name),
          status: 'ACTIVE',
          desiredCount: cluster.services[nameOf(s)],
          runningCount: world.running[`${name}/${nameOf(s)}`] ?? 0,
        })),
      failures: input.services
        .filter((s) => cluster.services[nameOf(s)] === undefined)
        .map((s) => ({ arn: s, reason: 'MISSING' })),
    };
  });
  ecs
    .on(UpdateClusterCommand)
    .callsFake((input: { cluster: string; settings: { name: string; value: string }[] }) => {
      const cluster = world.clusters[nameOf(input.cluster)];
      if (cluster) cluster.insights = input.settings[0]?.value;
      return {};
    });

  cloudwatch
    .on(DescribeAlarmsCommand)
    .callsFake(
      (input: {
        AlarmNamePrefix?: string;
        AlarmNames?: string[];
        NextToken?: string;
        MaxRecords?: number;
      }) => {
        const all = [...world.alarms.values()]
          .filter((a) =>
            input.AlarmNames
              ? input.AlarmNames.includes(a.AlarmName ?? '')
              : (a.AlarmName ?? '').startsWith(input.AlarmNamePrefix ?? ''),
          )
          .sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
        const start = Number(input.NextToken ?? 0);
        const size = input.MaxRecords ?? 50;
        return {
          MetricAlarms: all.slice(start, start + size),
          NextToken: start + size < all.length ? String(start + size) : undefined,
        };
      },
    );
  cloudwatch
    .on(PutMetricAlarmCommand)
    .callsFake((input: MetricAlarm & { Tags?: { Key: string; Value: string }[] }) => {
      const name = input.AlarmName ?? '';
      world.log.push(`PutMetricAlarm ${name}`);
      const isNew = !world.alarms.has(name);
      const { Tags, ...definition } = input;
      world.alarms.set(name, {
        ...definition,
        AlarmArn: alarmArn(name),
        StateValue: world.alarms.get(name)?.StateValue ?? 'INSUFFICIENT_DATA',
      });
      // As documented: Tags only apply when the alarm is created.
      if (isNew) world.tags.set(alarmArn(name), Tags ?? []);
      return {};
    });
  cloudwatch
    .on(ListTagsForResourceCommand)
    .callsFake((input: { ResourceARN: string }) => ({ Tags: world.tags.get(input.ResourceARN) ?? [] }));
  cloudwatch
    .on(TagResourceCommand)
    .callsFake((input: { ResourceARN: string; Tags: { Key: string; Value: string }[] }) => {
      const current = (world.tags.get(input.ResourceARN) ?? []).filter(
        (t) => !input.Tags.some((n) => n.Key === t.Key),
      );
      world.tags.set(input.ResourceARN, [...current, ...input.Tags]);
      return {};
    });
  cloudwatch.on(DeleteAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => {
    if (input.AlarmNames.length > 100) throw awsError('InvalidParameterValue', 'at most 100 names');
    world.log.push(`DeleteAlarms ${input.AlarmNames.join(',')}`);
    for (const n of input.AlarmNames) {
      world.alarms.delete(n);
      world.tags.delete(alarmArn(n));
    }
    return {};
  });
  cloudwatch.on(GetDashboardCommand).callsFake((input: { DashboardName: string }) => {
    const body = world.dashboards.get(input.DashboardName);
    if (body === undefined) throw awsError('ResourceNotFound', 'Dashboard does not exist');
    return { DashboardName: input.DashboardName, DashboardBody: body };
  });
  cloudwatch.on(PutDashboardCommand).callsFake((input: { DashboardName: string; DashboardBody: string }) => {
    world.dashboards.set(input.DashboardName, input.DashboardBody);
    return { DashboardValidationMessages: [] };
  });

  sns.on(GetTopicAttributesCommand).callsFake((input: { TopicArn: string }) => {
    const topic = world.topics[input.TopicArn];
    if (!topic) throw awsError('NotFoundException', 'Topic does not exist');
    return {
      Attributes: {
        TopicArn: input.TopicArn,
        ...(topic.KmsMasterKeyId ? { KmsMasterKeyId: topic.KmsMasterKeyId } : {}),
        ...(topic.Policy ? { Policy: topic.Policy } : {}),
      },
    };
  });
  sns
    .on(SetTopicAttributesCommand)
    .callsFake((input: { TopicArn: string; AttributeName: string; AttributeValue: string }) => {
      const topic = world.topics[input.TopicArn];
      if (!topic) throw awsError('NotFoundException', 'Topic does not exist');
      world.log.push(`SetTopicAttributes ${input.TopicArn}`);
      if (input.AttributeName === 'Policy') topic.Policy = input.AttributeValue;
      return {};
    });

  const ruleNameOf = (arn: string) => arn.split('/').pop() ?? arn;
  events
    .on(ListRulesCommand)
    .callsFake((input: { NamePrefix?: string; NextToken?: string; Limit?: number }) => {
      const all = [...world.rules.entries()]
        .filter(([name]) => name.startsWith(input.NamePrefix ?? ''))
        .sort(([a], [b]) => a.localeCompare(b));
      const start = Number(input.NextToken ?? 0);
      const size = input.Limit ?? 100;
      return {
        Rules: all.slice(start, start + size).map(([Name, r]) => ({
          Name,
          Arn: ruleArn(Name),
          EventPattern: r.EventPattern,
          State: r.State,
          Description: r.Description,
        })),
        NextToken: start + size < all.length ? String(start + size) : undefined,
      };
    });
  events.on(ListRuleTagsCommand).callsFake((input: { ResourceARN: string }) => {
    const rule = world.rules.get(ruleNameOf(input.ResourceARN));
    if (!rule) throw awsError('ResourceNotFoundException');
    return { Tags: rule.tags };
  });
  events.on(ListTargetsByRuleCommand).callsFake((input: { Rule: string }) => {
    const rule = world.rules.get(input.Rule);
    if (!rule) throw awsError('ResourceNotFoundException');
    return { Targets: rule.targets };
  });
  events
    .on(PutRuleCommand)
    .callsFake(
      (input: {
        Name: string;
        EventPattern: string;
        State: string;
        Description: string;
        Tags?: { Key: string; Value: string }[];
      }) => {
        const current = world.rules.get(input.Name);
        world.log.push(`PutRule ${input.Name}`);
        world.rules.set(input.Name, {
          EventPattern: input.EventPattern,
          State: input.State,
          Description: input.Description,
          // Tags apply when the rule is created.
          tags: current?.tags ?? input.Tags ?? [],
          targets: current?.targets ?? [],
        });
        return { RuleArn: ruleArn(input.Name) };
      },
    );
  events
    .on(TagRuleCommand)
    .callsFake((input: { ResourceARN: string; Tags: { Key: string; Value: string }[] }) => {
      const rule = world.rules.get(ruleNameOf(input.ResourceARN));
      if (!rule) throw awsError('ResourceNotFoundException');
      rule.tags = [...rule.tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key)), ...input.Tags];
      return {};
    });
  events
    .on(PutTargetsCommand)
    .callsFake((input: { Rule: string; Targets: { Id: string; Arn: string }[] }) => {
      const rule = world.rules.get(input.Rule);
      if (!rule) throw awsError('ResourceNotFoundException');
      if (input.Targets.length > 10) throw awsError('ValidationException', 'at most 10 targets');
      world.log.push(`PutTargets ${input.Rule}`);
      rule.targets = [
        ...rule.targets.filter((t) => !input.Targets.some((n) => n.Id === t.Id)),
        ...input.Targets,
      ];
      return { FailedEntryCount: 0, FailedEntries: [] };
    });
  events.on(RemoveTargetsCommand).callsFake((input: { Rule: string; Ids: string[] }) => {
    const rule = world.rules.get(input.Rule);
    if (!rule) throw awsError('ResourceNotFoundException');
    world.log.push(`RemoveTargets ${input.Rule}`);
    rule.targets = rule.targets.filter((t) => !input.Ids.includes(t.Id));
    return { FailedEntryCount: 0, FailedEntries: [] };
  });
  events.on(DeleteRuleCommand).callsFake((input: { Name: string }) => {
    const rule = world.rules.get(input.Name);
    if (rule?.targets.length)
      throw awsError('ValidationException', "Rule can't be deleted since it has targets.");
    world.log.push(`DeleteRule ${input.Name}`);
    world.rules.delete(input.Name);
    return {};
  });
  return world;
}

/** Every EventBridge and SNS write the alarm commands can make, counted. */
export function eventsWriteCount(): number {
  return (
    events.commandCalls(PutRuleCommand).length +
    events.commandCalls(TagRuleCommand).length +
    events.commandCalls(PutTargetsCommand).length +
    events.commandCalls(RemoveTargetsCommand).length +
    events.commandCalls(DeleteRuleCommand).length +
    sns.commandCalls(SetTopicAttributesCommand).length
  );
}

/** Every write the alarm commands can make, counted. */
export function writeCount(): number {
  return (
    cloudwatch.commandCalls(PutMetricAlarmCommand).length +
    cloudwatch.commandCalls(TagResourceCommand).length +
    cloudwatch.commandCalls(DeleteAlarmsCommand).length +
    cloudwatch.commandCalls(PutDashboardCommand).length +
    ecs.commandCalls(UpdateClusterCommand).length +
    eventsWriteCount()
  );
}

/** Tags ecsops puts on a managed alarm. */
export const managedTags = (cluster: string, service: string) => [
  { Key: 'ecsops:managed', Value: 'true' },
  { Key: 'ecsops:cluster', Value: cluster },
  { Key: 'ecsops:service', Value: service },
];
