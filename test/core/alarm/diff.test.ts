import { describe, expect, it } from 'vitest';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../../src/core/alarm/definition.js';
import { diffAlarm, normaliseAlarm } from '../../../src/core/alarm/diff.js';
import type { ExistingMetricAlarm, MetricAlarmDefinition } from '../../../src/core/alarm/types.js';

const target = { clusterName: 'prod', serviceName: 'web' };
const topic = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const topic2 = 'arn:aws:sns:eu-west-1:123456789012:chatbot';
const desired = planTaskHealthAlarm(target, resolveAlarmOptions({ topics: [topic, topic2] }));

/** The desired alarm the way DescribeAlarms returns it: other key order, defaults filled in, state fields. */
function asDescribed(definition: MetricAlarmDefinition): ExistingMetricAlarm {
  return {
    StateValue: 'OK',
    StateReason: 'Threshold Crossed',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${definition.AlarmName}`,
    TreatMissingData: definition.TreatMissingData,
    DatapointsToAlarm: definition.DatapointsToAlarm,
    EvaluationPeriods: definition.EvaluationPeriods,
    Threshold: definition.Threshold,
    ComparisonOperator: definition.ComparisonOperator,
    Dimensions: [],
    // Reversed order: action lists and Metrics are compared as sets.
    Metrics: [...definition.Metrics].reverse().map((q) => ({
      ...(q.Label !== undefined ? { Label: q.Label } : {}),
      ReturnData: q.ReturnData,
      ...(q.Expression ? { Expression: q.Expression } : {}),
      ...(q.MetricStat
        ? {
            MetricStat: {
              Stat: q.MetricStat.Stat,
              Period: q.MetricStat.Period,
              Metric: { ...q.MetricStat.Metric, Dimensions: [...q.MetricStat.Metric.Dimensions].reverse() },
            },
          }
        : {}),
      Id: q.Id,
    })),
    InsufficientDataActions: [],
    AlarmActions: [...definition.AlarmActions].reverse(),
    OKActions: [...definition.OKActions].reverse(),
    ActionsEnabled: true,
    AlarmDescription: definition.AlarmDescription,
    AlarmName: definition.AlarmName,
  };
}

describe('diffAlarm', () => {
  it('finds nothing to change when DescribeAlarms returns the same alarm in its own shape', () => {
    expect(diffAlarm(asDescribed(desired), desired)).toEqual([]);
  });

  it.each<[string, Partial<ExistingMetricAlarm>]>([
    ['ActionsEnabled omitted (default true)', { ActionsEnabled: undefined }],
    ['InsufficientDataActions missing instead of []', { InsufficientDataActions: undefined }],
    ['an explicit empty Unit and ExtendedStatistic', { Unit: '', ExtendedStatistic: undefined }],
    ['Period 0 on a math alarm', { Period: 0 }],
    ['Dimensions omitted instead of []', { Dimensions: undefined }],
  ])('treats %s as no change', (_name, patch) => {
    expect(diffAlarm({ ...asDescribed(desired), ...patch }, desired)).toEqual([]);
  });

  it('ignores a ReturnData default and an expression Period echoed from the metrics', () => {
    const existing = asDescribed(desired);
    existing.Metrics = existing.Metrics?.map((q) =>
      q.Id === 'ratio' ? { ...q, ReturnData: undefined, Period: 60 } : q,
    );
    expect(diffAlarm(existing, desired)).toEqual([]);
  });

  it.each<[string, Partial<ExistingMetricAlarm>, Array<{ field: string; before: unknown; after: unknown }>]>([
    ['a different threshold', { Threshold: 0.5 }, [{ field: 'Threshold', before: 0.5, after: 1 }]],
    [
      'treat missing data left at its default',
      { TreatMissingData: undefined },
      [{ field: 'TreatMissingData', before: 'missing', after: 'ignore' }],
    ],
    [
      'DatapointsToAlarm unset (means N of N)',
      { DatapointsToAlarm: undefined },
      [{ field: 'DatapointsToAlarm', before: 3, after: 2 }],
    ],
    [
      'actions disabled by hand',
      { ActionsEnabled: false },
      [{ field: 'ActionsEnabled', before: false, after: true }],
    ],
    [
      'a missing OK action',
      { OKActions: [topic] },
      [{ field: 'OKActions', before: [topic], after: [topic, topic2].sort() }],
    ],
    [
      'a description edited in the console',
      { AlarmDescription: 'mine' },
      [{ field: 'AlarmDescription', before: 'mine', after: desired.AlarmDescription }],
    ],
    [
      'a single-metric alarm of the same name',
      {
        Metrics: undefined,
        MetricName: 'RunningTaskCount',
        Namespace: 'ECS/ContainerInsights',
        Statistic: 'Average',
        Period: 60,
      },
      [
        { field: 'MetricName', before: 'RunningTaskCount', after: undefined },
        { field: 'Namespace', before: 'ECS/ContainerInsights', after: undefined },
        { field: 'Statistic', before: 'Average', after: undefined },
        { field: 'Period', before: 60, after: undefined },
      ],
    ],
  ])('reports %s', (_name, patch, expected) => {
    const changes = diffAlarm({ ...asDescribed(desired), ...patch }, desired);
    expect(changes.filter((c) => !c.field.startsWith('Metrics'))).toEqual(expected);
  });

  it('reports a changed expression, stat and dimension by query id', () => {
    const existing = asDescribed(desired);
    existing.Metrics = existing.Metrics?.map((q) => {
      if (q.Id === 'ratio') return { ...q, Expression: 'running / desired' };
      if (q.Id === 'running' && q.MetricStat) {
        return {
          ...q,
          MetricStat: {
            ...q.MetricStat,
            Stat: 'Average',
            Metric: {
              ...q.MetricStat.Metric,
              Dimensions: [
                { Name: 'ClusterName', Value: 'prod' },
                { Name: 'ServiceName', Value: 'api' },
              ],
            },
          },
        };
      }
      return q;
    });
    expect(diffAlarm(existing, desired)).toEqual([
      {
        field: 'Metrics.ratio.Expression',
        before: 'running / desired',
        after: 'IF(desiredFilled > 0, runningFilled / desiredFilled, 1)',
      },
      {
        field: 'Metrics.running.MetricStat.Metric.Dimensions',
        before: [
          { Name: 'ClusterName', Value: 'prod' },
          { Name: 'ServiceName', Value: 'api' },
        ],
        after: [
          { Name: 'ClusterName', Value: 'prod' },
          { Name: 'ServiceName', Value: 'web' },
        ],
      },
      { field: 'Metrics.running.MetricStat.Stat', before: 'Average', after: 'Minimum' },
    ]);
  });

  it('reports queries added and removed when the ids differ (the classic m1/m2/e1 alarm)', () => {
    const existing: ExistingMetricAlarm = {
      ...asDescribed(desired),
      Metrics: [
        {
          Id: 'm1',
          MetricStat: {
            Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [] },
            Period: 60,
            Stat: 'Minimum',
          },
          ReturnData: false,
        },
        { Id: 'e1', Expression: 'm1 / m2', ReturnData: true },
      ],
    };
    const fields = diffAlarm(existing, desired).map((c) => c.field);
    expect(fields).toEqual([
      'Metrics.desired',
      'Metrics.desiredFilled',
      'Metrics.ratio',
      'Metrics.running',
      'Metrics.runningFilled',
      'Metrics.e1',
      'Metrics.m1',
    ]);
  });

  it('a period change shows on both metrics', () => {
    const longer = planTaskHealthAlarm(target, resolveAlarmOptions({ topics: [topic, topic2], period: 120 }));
    const fields = diffAlarm(asDescribed(desired), longer).map((c) => c.field);
    expect(fields).toContain('Metrics.running.MetricStat.Period');
    expect(fields).toContain('Metrics.desired.MetricStat.Period');
  });
});

describe('normaliseAlarm', () => {
  it('is insensitive to the order of actions, metrics and dimensions', () => {
    expect(normaliseAlarm(asDescribed(desired))).toEqual(normaliseAlarm(desired));
  });
});
