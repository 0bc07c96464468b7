import type {
  Dimension,
  ExistingMetricAlarm,
  ExistingMetricDataQuery,
  MetricAlarmDefinition,
  MetricDataQuery,
} from './types.js';

/** One field that differs between the alarm in CloudWatch and the one ecsops wants. */
export interface AlarmFieldChange {
  /** Top-level field name, or `Metrics.<id>.<field>` for a query inside `Metrics`. */
  field: string;
  before: unknown;
  after: unknown;
}

interface NormalisedQuery {
  Id: string;
  Expression: string | undefined;
  Label: string | undefined;
  ReturnData: boolean;
  Period: number | undefined;
  Namespace: string | undefined;
  MetricName: string | undefined;
  Dimensions: Dimension[] | undefined;
  MetricPeriod: number | undefined;
  Stat: string | undefined;
  Unit: string | undefined;
}

/** An alarm reduced to a canonical form: defaults filled in, order-insensitive lists sorted. */
export interface NormalisedAlarm {
  AlarmDescription: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  ComparisonOperator: string | undefined;
  Threshold: number | undefined;
  EvaluationPeriods: number | undefined;
  DatapointsToAlarm: number | undefined;
  TreatMissingData: string;
  ThresholdMetricId: string | undefined;
  MetricName: string | undefined;
  Namespace: string | undefined;
  Statistic: string | undefined;
  ExtendedStatistic: string | undefined;
  Dimensions: Dimension[] | undefined;
  Period: number | undefined;
  Unit: string | undefined;
  EvaluateLowSampleCountPercentile: string | undefined;
  Metrics: NormalisedQuery[];
}

const sortedStrings = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

function sortedDimensions(dimensions: readonly Partial<Dimension>[] | undefined): Dimension[] | undefined {
  if (!dimensions || dimensions.length === 0) return undefined;
  return dimensions
    .map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' }))
    .sort((a, b) =>
      a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : a.Value < b.Value ? -1 : a.Value > b.Value ? 1 : 0,
    );
}

const emptyToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

function normaliseQuery(query: ExistingMetricDataQuery | MetricDataQuery): NormalisedQuery {
  const stat = query.MetricStat;
  const metricPeriod = stat?.Period;
  const expression = emptyToUndefined(query.Expression);
  return {
    Id: query.Id ?? '',
    Expression: expression,
    Label: emptyToUndefined(query.Label),
    // The API's documented default for ReturnData is true.
    ReturnData: query.ReturnData ?? true,
    // A query-level Period only matters on expressions without a metric; CloudWatch may echo the
    // metric's period there, which changes nothing.
    Period: stat ? undefined : query.Period,
    Namespace: stat?.Metric?.Namespace,
    MetricName: stat?.Metric?.MetricName,
    Dimensions: sortedDimensions(stat?.Metric?.Dimensions),
    MetricPeriod: metricPeriod,
    Stat: stat?.Stat,
    Unit: emptyToUndefined(stat?.Unit),
  };
}

/** Puts an alarm (as DescribeAlarms returns it, or as ecsops defines it) into canonical form. */
export function normaliseAlarm(alarm: ExistingMetricAlarm | MetricAlarmDefinition): NormalisedAlarm {
  const existing = alarm as ExistingMetricAlarm;
  const metrics = (alarm.Metrics ?? [])
    .map(normaliseQuery)
    .sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  // An expression query may carry the alarm's period explicitly or not at all: the same thing.
  const metricPeriods = new Set(metrics.map((q) => q.MetricPeriod).filter((p) => p !== undefined));
  for (const query of metrics) {
    if (query.Period !== undefined && metricPeriods.size === 1 && metricPeriods.has(query.Period))
      query.Period = undefined;
  }
  return {
    AlarmDescription: alarm.AlarmDescription ?? '',
    // The API's default for ActionsEnabled is true; DescribeAlarms always fills it in.
    ActionsEnabled: alarm.ActionsEnabled ?? true,
    AlarmActions: sortedStrings(alarm.AlarmActions),
    OKActions: sortedStrings(alarm.OKActions),
    InsufficientDataActions: sortedStrings(alarm.InsufficientDataActions),
    ComparisonOperator: alarm.ComparisonOperator,
    Threshold: alarm.Threshold,
    EvaluationPeriods: alarm.EvaluationPeriods,
    // Unset DatapointsToAlarm means "all of EvaluationPeriods".
    DatapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
    TreatMissingData: alarm.TreatMissingData ?? 'missing',
    ThresholdMetricId: emptyToUndefined(existing.ThresholdMetricId),
    MetricName: emptyToUndefined(existing.MetricName),
    Namespace: emptyToUndefined(existing.Namespace),
    Statistic: emptyToUndefined(existing.Statistic),
    ExtendedStatistic: emptyToUndefined(existing.ExtendedStatistic),
    Dimensions: sortedDimensions(existing.Dimensions),
    // A metric-math alarm has no top-level Period; some responses echo 0 or omit it.
    Period: existing.Period === 0 ? undefined : existing.Period,
    Unit: emptyToUndefined(existing.Unit),
    EvaluateLowSampleCountPercentile: emptyToUndefined(existing.EvaluateLowSampleCountPercentile),
    Metrics: metrics,
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const TOP_LEVEL_FIELDS = [
  'AlarmDescription',
  'ActionsEnabled',
  'AlarmActions',
  'OKActions',
  'InsufficientDataActions',
  'ComparisonOperator',
  'Threshold',
  'EvaluationPeriods',
  'DatapointsToAlarm',
  'TreatMissingData',
  'ThresholdMetricId',
  'MetricName',
  'Namespace',
  'Statistic',
  'ExtendedStatistic',
  'Dimensions',
  'Period',
  'Unit',
  'EvaluateLowSampleCountPercentile',
] as const satisfies readonly (keyof NormalisedAlarm)[];

// Friendlier names for the flattened MetricStat fields in a change list.
const QUERY_FIELDS = [
  ['Expression', 'Expression'],
  ['Label', 'Label'],
  ['ReturnData', 'ReturnData'],
  ['Period', 'Period'],
  ['Namespace', 'MetricStat.Metric.Namespace'],
  ['MetricName', 'MetricStat.Metric.MetricName'],
  ['Dimensions', 'MetricStat.Metric.Dimensions'],
  ['MetricPeriod', 'MetricStat.Period'],
  ['Stat', 'MetricStat.Stat'],
  ['Unit', 'MetricStat.Unit'],
] as const satisfies readonly (readonly [keyof NormalisedQuery, string])[];

/**
 * The fields that differ between an existing alarm and the desired definition, after
 * normalisation; an empty list means PutMetricAlarm would change nothing.
 */
export function diffAlarm(existing: ExistingMetricAlarm, desired: MetricAlarmDefinition): AlarmFieldChange[] {
  const before = normaliseAlarm(existing);
  const after = normaliseAlarm(desired);
  const changes: AlarmFieldChange[] = [];
  for (const field of TOP_LEVEL_FIELDS) {
    if (!same(before[field], after[field]))
      changes.push({ field, before: before[field], after: after[field] });
  }
  const beforeById = new Map(before.Metrics.map((q) => [q.Id, q]));
  const afterById = new Map(after.Metrics.map((q) => [q.Id, q]));
  for (const [id, query] of afterById) {
    const old = beforeById.get(id);
    if (!old) {
      changes.push({
        field: `Metrics.${id}`,
        before: undefined,
        after: query.Expression ?? query.MetricName,
      });
      continue;
    }
    for (const [key, label] of QUERY_FIELDS) {
      if (!same(old[key], query[key]))
        changes.push({ field: `Metrics.${id}.${label}`, before: old[key], after: query[key] });
    }
  }
  for (const [id, query] of beforeById) {
    if (!afterById.has(id)) {
      changes.push({
        field: `Metrics.${id}`,
        before: query.Expression ?? query.MetricName,
        after: undefined,
      });
    }
  }
  return changes;
}
