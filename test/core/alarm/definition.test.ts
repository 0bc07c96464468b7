import { describe, expect, it } from 'vitest';
import {
  ALARM_LIMITS,
  assertWithinAlarmLimits,
  planAlarmMetrics,
  planTaskHealthAlarm,
  resolveAlarmOptions,
} from '../../../src/core/alarm/definition.js';
import type { AlarmOptions } from '../../../src/core/alarm/types.js';
import { UsageError } from '../../../src/errors.js';

const target = { clusterName: 'prod', serviceName: 'web' };
const topic = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const topic2 = 'arn:aws:sns:eu-west-1:123456789012:chatbot';

const metricQuery = (id: string, metricName: string, period: number) => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: 'ECS/ContainerInsights',
      MetricName: metricName,
      Dimensions: [
        { Name: 'ClusterName', Value: 'prod' },
        { Name: 'ServiceName', Value: 'web' },
      ],
    },
    Period: period,
    Stat: 'Minimum',
  },
  ReturnData: false,
});

describe('planTaskHealthAlarm', () => {
  it('builds the designed definition with the defaults', () => {
    expect(planTaskHealthAlarm(target, resolveAlarmOptions({}))).toEqual({
      AlarmName: 'ecsops-task-health-prod-web',
      AlarmDescription:
        'ECS service web in cluster prod: running/desired tasks below 1 for 2 of 3 60-second periods ' +
        '(no Container Insights data counts as 0 running). Managed by ecsops.',
      ActionsEnabled: true,
      AlarmActions: [],
      OKActions: [],
      InsufficientDataActions: [],
      Metrics: [
        metricQuery('running', 'RunningTaskCount', 60),
        metricQuery('desired', 'DesiredTaskCount', 60),
        { Id: 'desiredFilled', Expression: 'FILL(desired, REPEAT)', ReturnData: false },
        { Id: 'runningFilled', Expression: 'FILL(running, 0)', ReturnData: false },
        {
          Id: 'ratio',
          Expression: 'IF(desiredFilled > 0, runningFilled / desiredFilled, 1)',
          Label: 'running/desired',
          ReturnData: true,
        },
      ],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'ignore',
    });
  });

  it.each<[string, AlarmOptions, Record<string, unknown>]>([
    ['a topic: alarm and OK actions', { topics: [topic] }, { AlarmActions: [topic], OKActions: [topic] }],
    [
      'two topics, duplicates dropped',
      { topics: [topic, topic2, topic] },
      { AlarmActions: [topic, topic2], OKActions: [topic, topic2] },
    ],
    ['--no-ok-actions', { topics: [topic], okActions: false }, { AlarmActions: [topic], OKActions: [] }],
    ['--threshold 0.5', { threshold: 0.5 }, { Threshold: 0.5 }],
    [
      '--evaluation-periods 5 --datapoints-to-alarm 3',
      { evaluationPeriods: 5, datapointsToAlarm: 3 },
      { EvaluationPeriods: 5, DatapointsToAlarm: 3 },
    ],
    [
      '--evaluation-periods 1 (datapoints default follows)',
      { evaluationPeriods: 1 },
      { EvaluationPeriods: 1, DatapointsToAlarm: 1 },
    ],
    ['--missing-data breaching', { missingData: 'breaching' }, { TreatMissingData: 'breaching' }],
    ['--name-prefix', { namePrefix: 'team-a' }, { AlarmName: 'team-a-prod-web' }],
    ['--description', { description: 'Page the web team' }, { AlarmDescription: 'Page the web team' }],
  ])('%s', (_name, options, expected) => {
    expect(planTaskHealthAlarm(target, resolveAlarmOptions(options))).toMatchObject(expected);
  });

  it('puts --period on both metrics and nowhere else', () => {
    const alarm = planTaskHealthAlarm(target, resolveAlarmOptions({ period: 300 }));
    expect(alarm.Metrics.map((q) => q.MetricStat?.Period)).toEqual([
      300,
      300,
      undefined,
      undefined,
      undefined,
    ]);
    expect(alarm).not.toHaveProperty('Period');
    expect(alarm.AlarmDescription).toContain('2 of 3 300-second periods');
  });

  it('stays within the math-alarm limits: 2 metrics, one returned series, same period', () => {
    const metrics = planAlarmMetrics(target, 60);
    expect(metrics.filter((q) => q.MetricStat).length).toBeLessThanOrEqual(
      ALARM_LIMITS.maxMetricsInMathAlarm,
    );
    expect(metrics.filter((q) => q.ReturnData).map((q) => q.Id)).toEqual(['ratio']);
    // Every expression only refers to ids defined in the array.
    const ids = new Set(metrics.map((q) => q.Id));
    for (const q of metrics) {
      for (const ref of q.Expression?.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []) expect(ids).toContain(ref);
    }
  });

  it('assertWithinAlarmLimits rejects more than 10 metrics and two returned series', () => {
    const alarm = planTaskHealthAlarm(target, resolveAlarmOptions({}));
    const many = {
      ...alarm,
      Metrics: Array.from({ length: 11 }, (_, i) => ({ ...metricQuery(`m${i}`, 'RunningTaskCount', 60) })),
    };
    expect(() => assertWithinAlarmLimits(many)).toThrow(/11 metrics/);
    const two = { ...alarm, Metrics: alarm.Metrics.map((q) => ({ ...q, ReturnData: true })) };
    expect(() => assertWithinAlarmLimits(two)).toThrow(/exactly one/);
  });
});

describe('resolveAlarmOptions rejects what CloudWatch would reject', () => {
  it.each<[string, AlarmOptions, RegExp]>([
    ['threshold 0', { threshold: 0 }, /--threshold/],
    ['threshold above 1', { threshold: 1.5 }, /--threshold/],
    ['threshold NaN', { threshold: Number.NaN }, /--threshold/],
    ['period 30 (high resolution)', { period: 30 }, /--period/],
    ['period 90', { period: 90 }, /--period/],
    ['period over a day', { period: 86_460 }, /--period/],
    [
      'period × evaluation periods over a day',
      { period: 3600, evaluationPeriods: 25, datapointsToAlarm: 2 },
      /one day/,
    ],
    ['evaluation periods 0', { evaluationPeriods: 0 }, /--evaluation-periods/],
    ['fractional evaluation periods', { evaluationPeriods: 2.5 }, /--evaluation-periods/],
    [
      'datapoints above evaluation periods',
      { evaluationPeriods: 3, datapointsToAlarm: 4 },
      /--datapoints-to-alarm/,
    ],
    ['datapoints 0', { datapointsToAlarm: 0 }, /--datapoints-to-alarm/],
    ['unknown missing-data', { missingData: 'zero' }, /--missing-data/],
    ['a topic that is not an SNS ARN', { topics: ['alerts'] }, /not an SNS topic ARN/],
    [
      'a Lambda ARN',
      { topics: ['arn:aws:lambda:eu-west-1:123456789012:function:f'] },
      /not an SNS topic ARN/,
    ],
    ['six topics', { topics: Array.from({ length: 6 }, (_, i) => `${topic}${i}`) }, /At most 5/],
    ['a description over 1024 characters', { description: 'x'.repeat(1025) }, /1024/],
    ['an empty prefix', { namePrefix: '' }, /empty/],
  ])('%s', (_name, options, message) => {
    expect(() => resolveAlarmOptions(options)).toThrow(UsageError);
    expect(() => resolveAlarmOptions(options)).toThrow(message);
  });

  it('accepts one day exactly and GovCloud / China topic ARNs', () => {
    expect(() => resolveAlarmOptions({ period: 3600, evaluationPeriods: 24 })).not.toThrow();
    expect(() =>
      resolveAlarmOptions({ topics: ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:t'] }),
    ).not.toThrow();
    expect(() =>
      resolveAlarmOptions({ topics: ['arn:aws-cn:sns:cn-north-1:123456789012:t.fifo'] }),
    ).not.toThrow();
  });
});
