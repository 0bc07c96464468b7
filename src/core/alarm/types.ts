/**
 * Domain types for ecsops task-health alarms. Field names keep CloudWatch's spelling so a
 * definition maps 1:1 onto PutMetricAlarm and onto what DescribeAlarms returns.
 */

/** The four documented `TreatMissingData` values. */
export const MISSING_DATA_VALUES = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;
/** How CloudWatch treats missing datapoints when evaluating an alarm. */
export type MissingData = (typeof MISSING_DATA_VALUES)[number];

/** A metric dimension, as CloudWatch spells it. */
export interface Dimension {
  Name: string;
  Value: string;
}

/** A metric plus statistic: the `MetricStat` of a metric-math query. */
export interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Dimension[] };
  Period: number;
  Stat: string;
  Unit?: string;
}

/** One entry of an alarm's `Metrics` array: either a metric (`MetricStat`) or an `Expression`. */
export interface MetricDataQuery {
  Id: string;
  MetricStat?: MetricStat;
  Expression?: string;
  Label?: string;
  ReturnData: boolean;
  /** Only meaningful for expressions; CloudWatch may echo it back. */
  Period?: number;
}

/** The PutMetricAlarm input ecsops sends for one service (tags travel separately via TagResource). */
export interface MetricAlarmDefinition {
  AlarmName: string;
  AlarmDescription: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  Metrics: MetricDataQuery[];
  ComparisonOperator: 'LessThanThreshold';
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: MissingData;
}

/** A `Metrics` entry as DescribeAlarms returns it: any field may be absent. */
export interface ExistingMetricDataQuery {
  Id?: string;
  MetricStat?: {
    Metric?: {
      Namespace?: string;
      MetricName?: string;
      Dimensions?: Array<{ Name?: string; Value?: string }>;
    };
    Period?: number;
    Stat?: string;
    Unit?: string;
  };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

/**
 * An alarm as DescribeAlarms returns it (`MetricAlarms[]`), reduced to the fields that matter for
 * comparison. Everything is optional because the API omits unset fields.
 */
export interface ExistingMetricAlarm {
  AlarmName: string;
  AlarmArn?: string;
  AlarmDescription?: string;
  ActionsEnabled?: boolean;
  AlarmActions?: string[];
  OKActions?: string[];
  InsufficientDataActions?: string[];
  Metrics?: ExistingMetricDataQuery[];
  ComparisonOperator?: string;
  Threshold?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  /** Single-metric alarm fields: absent on a metric-math alarm, so any value here is a difference. */
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Dimension[];
  Period?: number;
  Unit?: string;
  EvaluateLowSampleCountPercentile?: string;
  ThresholdMetricId?: string;
  StateValue?: string;
  StateReason?: string;
  StateUpdatedTimestamp?: Date;
  /** When StateValue last changed (newer API field; absent from some emulators). */
  StateTransitionedTimestamp?: Date;
}

/** Parsed alarm options (the `--threshold`, `--period` ... flags) before validation. */
export interface AlarmOptions {
  threshold?: number;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  missingData?: string;
  topics?: string[];
  /** Send OK notifications to the same topics; defaults to true when a topic is given. */
  okActions?: boolean;
  namePrefix?: string;
  description?: string;
}

/** Alarm options after validation, with every default filled in. */
export interface ResolvedAlarmOptions {
  threshold: number;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  missingData: MissingData;
  topics: string[];
  okActions: boolean;
  namePrefix: string;
  description: string | undefined;
}

/** The ECS service an alarm watches. */
export interface AlarmTarget {
  clusterName: string;
  serviceName: string;
}
