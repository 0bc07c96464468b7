/**
 * CloudWatch alarm and dashboard calls ecsops makes. API reference:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Operations.html
 *
 * PutMetricAlarm, DeleteAlarms (and, by ecsops's choice, TagResource) are limited to 3 TPS per
 * Region: callers pass a pacer, and the clients use the SDK's adaptive retry on top.
 */
import type { CloudWatchClient, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AlarmTag } from '../core/alarm/plan.js';
import type { ExistingMetricAlarm, MetricAlarmDefinition } from '../core/alarm/types.js';
import { chunk, mapConcurrent } from '../core/concurrency.js';
import type { Pacer } from '../core/pacer.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import {
  getMetricValues,
  hasContainerInsightsMetrics,
  type MetricQuery,
  type MetricSeries,
} from './cloudwatch.js';
import { sdk } from './sdk.js';

const {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  paginateDescribeAlarms,
  TagResourceCommand,
} = sdk('@aws-sdk/client-cloudwatch');

/** DeleteAlarms takes at most 100 names per call. */
export const DELETE_ALARMS_BATCH = 100;
/** DescribeAlarms pages hold at most 100 alarms. */
export const DESCRIBE_ALARMS_PAGE = 100;

function toExisting(alarm: MetricAlarm): ExistingMetricAlarm {
  // The SDK shape already uses CloudWatch's field names; keep only what ecsops compares or shows.
  return {
    AlarmName: alarm.AlarmName ?? '',
    AlarmArn: alarm.AlarmArn,
    AlarmDescription: alarm.AlarmDescription,
    ActionsEnabled: alarm.ActionsEnabled,
    AlarmActions: alarm.AlarmActions,
    OKActions: alarm.OKActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    Metrics: alarm.Metrics?.map((q) => ({
      Id: q.Id,
      Expression: q.Expression,
      Label: q.Label,
      ReturnData: q.ReturnData,
      Period: q.Period,
      AccountId: q.AccountId,
      MetricStat: q.MetricStat && {
        Metric: q.MetricStat.Metric && {
          Namespace: q.MetricStat.Metric.Namespace,
          MetricName: q.MetricStat.Metric.MetricName,
          Dimensions: q.MetricStat.Metric.Dimensions?.map((d) => ({ Name: d.Name, Value: d.Value })),
        },
        Period: q.MetricStat.Period,
        Stat: q.MetricStat.Stat,
        Unit: q.MetricStat.Unit,
      },
    })),
    ComparisonOperator: alarm.ComparisonOperator,
    Threshold: alarm.Threshold,
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm,
    TreatMissingData: alarm.TreatMissingData,
    MetricName: alarm.MetricName,
    Namespace: alarm.Namespace,
    Statistic: alarm.Statistic,
    ExtendedStatistic: alarm.ExtendedStatistic,
    Dimensions: alarm.Dimensions?.map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' })),
    Period: alarm.Period,
    Unit: alarm.Unit,
    EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile,
    ThresholdMetricId: alarm.ThresholdMetricId,
    StateValue: alarm.StateValue,
    StateReason: alarm.StateReason,
    StateUpdatedTimestamp: alarm.StateUpdatedTimestamp,
    StateTransitionedTimestamp: alarm.StateTransitionedTimestamp,
  };
}

/**
 * Every metric alarm whose name starts with `prefix` (DescribeAlarms, 100 a page). The pages stay
 * one after another: each page's request carries the previous page's NextToken, and a prefix
 * cannot be split into independent queries without knowing the names it matches.
 */
export async function describeAlarmsByPrefix(
  cloudwatch: CloudWatchClient,
  prefix: string,
): Promise<ExistingMetricAlarm[]> {
  return awsCall(
    {
      operation: 'cloudwatch:DescribeAlarms',
      iamAction: 'cloudwatch:DescribeAlarms',
      resource: `${prefix}*`,
    },
    async () => {
      const alarms: ExistingMetricAlarm[] = [];
      for await (const page of paginateDescribeAlarms(
        { client: cloudwatch, pageSize: DESCRIBE_ALARMS_PAGE },
        { AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'] },
      )) {
        alarms.push(...(page.MetricAlarms ?? []).map(toExisting));
      }
      return alarms;
    },
  );
}

/**
 * By-name DescribeAlarms batches in flight at once. DescribeAlarms is limited to 9 TPS per Region
 * (docs/aws-facts.md §4.3), so 3, not --concurrency: a 1000-alarm run's 10 batches take about four
 * round trips instead of ten, and the adaptive retry absorbs a burst over the quota.
 */
export const DESCRIBE_ALARMS_CONCURRENCY = 3;

/**
 * Metric alarms by exact name (DescribeAlarms, 100 names a call, up to 3 calls side by side); names
 * not found are simply absent. Results keep the batch order; the first failing batch's error is thrown.
 */
export async function describeAlarmsByName(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
): Promise<ExistingMetricAlarm[]> {
  const settled = await mapConcurrent(
    chunk(names, DESCRIBE_ALARMS_PAGE),
    DESCRIBE_ALARMS_CONCURRENCY,
    (batch) =>
      awsCall(
        {
          operation: 'cloudwatch:DescribeAlarms',
          iamAction: 'cloudwatch:DescribeAlarms',
          resource: batch.join(', '),
        },
        () =>
          cloudwatch.send(
            new DescribeAlarmsCommand({
              AlarmNames: batch,
              AlarmTypes: ['MetricAlarm'],
              MaxRecords: DESCRIBE_ALARMS_PAGE,
            }),
          ),
      ),
  );
  return settled.flatMap((s) => {
    if (s.status === 'rejected') throw s.reason;
    if (s.status === 'not-started') throw new Error('BUG: a DescribeAlarms batch did not start');
    return (s.value.MetricAlarms ?? []).map(toExisting);
  });
}

/**
 * Creates or overwrites an alarm (PutMetricAlarm). `tags` only take effect when the alarm is new:
 * CloudWatch ignores Tags on an update, which is why updates are followed by TagResource.
 */
export async function putMetricAlarm(
  cloudwatch: CloudWatchClient,
  pacer: Pacer,
  definition: MetricAlarmDefinition,
  tags: readonly AlarmTag[] = [],
): Promise<void> {
  await awsCall(
    {
      operation: 'cloudwatch:PutMetricAlarm',
      iamAction: 'cloudwatch:PutMetricAlarm',
      resource: definition.AlarmName,
    },
    () =>
      pacer.run(() =>
        cloudwatch.send(
          new PutMetricAlarmCommand({
            ...definition,
            Metrics: definition.Metrics.map((q) => ({
              ...q,
              // ecsops never sets a Unit: the SDK types it as a closed union, the domain type as a string.
              MetricStat: q.MetricStat && {
                Metric: q.MetricStat.Metric,
                Period: q.MetricStat.Period,
                Stat: q.MetricStat.Stat,
              },
            })),
            ...(tags.length ? { Tags: [...tags] } : {}),
          }),
        ),
      ),
  );
}

/** Adds or overwrites tags on an alarm (TagResource); IAM: cloudwatch:TagResource. */
export async function tagAlarm(
  cloudwatch: CloudWatchClient,
  pacer: Pacer,
  alarmArn: string,
  tags: readonly AlarmTag[],
): Promise<void> {
  await awsCall(
    { operation: 'cloudwatch:TagResource', iamAction: 'cloudwatch:TagResource', resource: alarmArn },
    () =>
      pacer.run(() => cloudwatch.send(new TagResourceCommand({ ResourceARN: alarmArn, Tags: [...tags] }))),
  );
}

/** An alarm's tags (ListTagsForResource). */
export async function listAlarmTags(cloudwatch: CloudWatchClient, alarmArn: string): Promise<AlarmTag[]> {
  const out = await awsCall(
    {
      operation: 'cloudwatch:ListTagsForResource',
      iamAction: 'cloudwatch:ListTagsForResource',
      resource: alarmArn,
    },
    () => cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn })),
  );
  return (out.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** Deletes alarms, 100 names per DeleteAlarms call, each call paced. */
export async function deleteAlarms(
  cloudwatch: CloudWatchClient,
  pacer: Pacer,
  names: readonly string[],
): Promise<void> {
  for (const batch of chunk(names, DELETE_ALARMS_BATCH)) {
    await awsCall(
      {
        operation: 'cloudwatch:DeleteAlarms',
        iamAction: 'cloudwatch:DeleteAlarms',
        resource: batch.join(', '),
      },
      () => pacer.run(() => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: batch }))),
    );
  }
}

/** A dashboard's body, or undefined when it does not exist (GetDashboard). */
export async function getDashboardBody(
  cloudwatch: CloudWatchClient,
  name: string,
): Promise<string | undefined> {
  try {
    const out = await awsCall(
      { operation: 'cloudwatch:GetDashboard', iamAction: 'cloudwatch:GetDashboard', resource: name },
      () => cloudwatch.send(new GetDashboardCommand({ DashboardName: name })),
    );
    return out.DashboardBody;
  } catch (error) {
    if (
      error instanceof AwsError &&
      (error.code === 'ResourceNotFound' || error.code === 'ResourceNotFoundException')
    ) {
      return undefined;
    }
    throw error;
  }
}

/** Creates or replaces a dashboard (PutDashboard); returns CloudWatch's validation messages, if any. */
export async function putDashboard(
  cloudwatch: CloudWatchClient,
  name: string,
  body: string,
): Promise<string[]> {
  const out = await awsCall(
    { operation: 'cloudwatch:PutDashboard', iamAction: 'cloudwatch:PutDashboard', resource: name },
    () => cloudwatch.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: body })),
  );
  return (out.DashboardValidationMessages ?? []).map((m) => `${m.DataPath ?? ''} ${m.Message ?? ''}`.trim());
}

/** The CloudWatch operations ecsops makes (alarms, dashboards, metrics), bound to one region. */
export interface CloudWatchApi {
  readonly region: string;
  describeAlarmsByPrefix(prefix: string): Promise<ExistingMetricAlarm[]>;
  describeAlarmsByName(names: readonly string[]): Promise<ExistingMetricAlarm[]>;
  putMetricAlarm(pacer: Pacer, definition: MetricAlarmDefinition, tags?: readonly AlarmTag[]): Promise<void>;
  tagAlarm(pacer: Pacer, alarmArn: string, tags: readonly AlarmTag[]): Promise<void>;
  listAlarmTags(alarmArn: string): Promise<AlarmTag[]>;
  deleteAlarms(pacer: Pacer, names: readonly string[]): Promise<void>;
  getDashboardBody(name: string): Promise<string | undefined>;
  putDashboard(name: string, body: string): Promise<string[]>;
  hasContainerInsightsMetrics(clusterName: string): Promise<boolean>;
  getMetricValues(
    queries: readonly MetricQuery[],
    window: { start: Date; end: Date; periodSeconds: number },
  ): Promise<Map<string, MetricSeries>>;
}

/** Binds the CloudWatch operations to one region's client. */
export function createCloudWatchApi(cloudwatch: CloudWatchClient, region: string): CloudWatchApi {
  return {
    region,
    describeAlarmsByPrefix: (prefix) => describeAlarmsByPrefix(cloudwatch, prefix),
    describeAlarmsByName: (names) => describeAlarmsByName(cloudwatch, names),
    putMetricAlarm: (pacer, definition, tags) => putMetricAlarm(cloudwatch, pacer, definition, tags),
    tagAlarm: (pacer, alarmArn, tags) => tagAlarm(cloudwatch, pacer, alarmArn, tags),
    listAlarmTags: (alarmArn) => listAlarmTags(cloudwatch, alarmArn),
    deleteAlarms: (pacer, names) => deleteAlarms(cloudwatch, pacer, names),
    getDashboardBody: (name) => getDashboardBody(cloudwatch, name),
    putDashboard: (name, body) => putDashboard(cloudwatch, name, body),
    hasContainerInsightsMetrics: (clusterName) => hasContainerInsightsMetrics(cloudwatch, clusterName),
    getMetricValues: (queries, window) => getMetricValues(cloudwatch, queries, window),
  };
}
