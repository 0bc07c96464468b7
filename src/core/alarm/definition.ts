import { UsageError } from '../../errors.js';
import { DEFAULT_NAME_PREFIX, planAlarmName, validateNamePrefix } from './name.js';
import {
  type AlarmOptions,
  type AlarmTarget,
  type MetricAlarmDefinition,
  type MetricDataQuery,
  MISSING_DATA_VALUES,
  type MissingData,
  type ResolvedAlarmOptions,
} from './types.js';

/** Namespace of the Container Insights metrics the alarm reads. */
export const CONTAINER_INSIGHTS_NAMESPACE = 'ECS/ContainerInsights';

/** Defaults of the classic design: ratio < 1 for 2 of 3 one-minute datapoints. */
export const ALARM_DEFAULTS = {
  threshold: 1,
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  // `ignore` keeps the last state once the evaluation range holds no datapoint at all; see README.
  missingData: 'ignore',
} as const satisfies Partial<ResolvedAlarmOptions>;

/** CloudWatch quotas the definition must respect (user guide, "CloudWatch service quotas"). */
export const ALARM_LIMITS = {
  /** "A math expression used for an alarm can include as many as 10 metrics." */
  maxMetricsInMathAlarm: 10,
  /** "The number of evaluation periods ... multiplied by the length of each ... cannot exceed one day." */
  maxEvaluationSeconds: 86_400,
  /** "Alarm actions: 5/alarm." */
  maxActionsPerState: 5,
  /** PutMetricAlarm `AlarmDescription` maximum length. */
  maxDescriptionLength: 1024,
  /** MetricDataQuery `Expression` maximum length. */
  maxExpressionLength: 1024,
} as const;

// Stable query ids: DescribeAlarms returns them verbatim, so they are part of the idempotency check.
const IDS = {
  running: 'running',
  desired: 'desired',
  desiredFilled: 'desiredFilled',
  runningFilled: 'runningFilled',
  ratio: 'ratio',
} as const;

/** The ratio expression's label, shown in the console and in alarm notifications. */
export const RATIO_LABEL = 'running/desired';

/**
 * The expressions, in evaluation order. Container Insights sends no datapoint at all for a service
 * with 0 RUNNING tasks, DesiredTaskCount included, so:
 * - `FILL(desired, REPEAT)` carries the last desired count into an outage (still > 0) and the last
 *   one seen after a deliberate scale to 0 (0);
 * - `FILL(running, 0)` turns "no datapoint" into "0 running";
 * - the `IF` makes desired 0 read as healthy (1) and never divides by zero.
 */
export const TASK_HEALTH_EXPRESSIONS = {
  desiredFilled: `FILL(${IDS.desired}, REPEAT)`,
  runningFilled: `FILL(${IDS.running}, 0)`,
  ratio: `IF(${IDS.desiredFilled} > 0, ${IDS.runningFilled} / ${IDS.desiredFilled}, 1)`,
} as const;

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

function requireInteger(flag: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}; got ${value}`);
  }
}

/** Validates alarm options against CloudWatch's rules and fills in the defaults; throws UsageError. */
export function resolveAlarmOptions(options: AlarmOptions): ResolvedAlarmOptions {
  const threshold = options.threshold ?? ALARM_DEFAULTS.threshold;
  // The ratio is 1 when healthy and can exceed 1 during a deployment, so a threshold above 1 would
  // alarm on every healthy service and one at or below 0 could never fire.
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) {
    throw new UsageError(
      `--threshold must be greater than 0 and at most 1; got ${threshold}`,
      'It compares running/desired: 1 means "any task missing".',
    );
  }

  const period = options.period ?? ALARM_DEFAULTS.period;
  // Container Insights publishes standard-resolution (1-minute) metrics: 10 s and 30 s periods
  // need high-resolution metrics, so only multiples of 60 work.
  if (
    !Number.isInteger(period) ||
    period < 60 ||
    period % 60 !== 0 ||
    period > ALARM_LIMITS.maxEvaluationSeconds
  ) {
    throw new UsageError(`--period must be a multiple of 60 seconds, at most 86400; got ${period}`);
  }

  const evaluationPeriods = options.evaluationPeriods ?? ALARM_DEFAULTS.evaluationPeriods;
  requireInteger('--evaluation-periods', evaluationPeriods, 1, ALARM_LIMITS.maxEvaluationSeconds / 60);
  if (period * evaluationPeriods > ALARM_LIMITS.maxEvaluationSeconds) {
    throw new UsageError(
      `--period × --evaluation-periods is ${period * evaluationPeriods} seconds; CloudWatch allows at most one day (86400)`,
    );
  }

  const datapointsToAlarm =
    options.datapointsToAlarm ?? Math.min(ALARM_DEFAULTS.datapointsToAlarm, evaluationPeriods);
  requireInteger('--datapoints-to-alarm', datapointsToAlarm, 1, evaluationPeriods);

  const missingData = options.missingData ?? ALARM_DEFAULTS.missingData;
  if (!(MISSING_DATA_VALUES as readonly string[]).includes(missingData)) {
    throw new UsageError(
      `--missing-data must be one of ${MISSING_DATA_VALUES.join(', ')}; got ${missingData}`,
    );
  }

  const topics = [...new Set(options.topics ?? [])];
  for (const topic of topics) {
    if (!SNS_TOPIC_ARN.test(topic)) {
      throw new UsageError(
        `--sns-topic ${topic} is not an SNS topic ARN`,
        'Expected arn:aws:sns:<region>:<account>:<topic-name>.',
      );
    }
  }
  if (topics.length > ALARM_LIMITS.maxActionsPerState) {
    throw new UsageError(
      `At most ${ALARM_LIMITS.maxActionsPerState} --sns-topic values: CloudWatch allows 5 actions per alarm state`,
    );
  }

  const namePrefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(namePrefix);

  const description = options.description;
  if (description !== undefined && description.length > ALARM_LIMITS.maxDescriptionLength) {
    throw new UsageError(
      `--description is ${description.length} characters; CloudWatch allows ${ALARM_LIMITS.maxDescriptionLength}`,
    );
  }

  return {
    threshold,
    period,
    evaluationPeriods,
    datapointsToAlarm,
    missingData: missingData as MissingData,
    topics,
    okActions: options.okActions ?? topics.length > 0,
    namePrefix,
    description,
  };
}

function taskCountQuery(
  id: string,
  metricName: string,
  target: AlarmTarget,
  period: number,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: CONTAINER_INSIGHTS_NAMESPACE,
        MetricName: metricName,
        Dimensions: [
          { Name: 'ClusterName', Value: target.clusterName },
          { Name: 'ServiceName', Value: target.serviceName },
        ],
      },
      Period: period,
      // Minimum: a minute in which any sample saw fewer tasks running counts as that minute, and a
      // single desired=0 sample during a scale to 0 is enough to mark the service as idle.
      Stat: 'Minimum',
    },
    ReturnData: false,
  };
}

/** The default `AlarmDescription` for a service. */
export function renderAlarmDescription(target: AlarmTarget, options: ResolvedAlarmOptions): string {
  return (
    `ECS service ${target.serviceName} in cluster ${target.clusterName}: running/desired tasks below ` +
    `${options.threshold} for ${options.datapointsToAlarm} of ${options.evaluationPeriods} ` +
    `${options.period}-second periods (no Container Insights data counts as 0 running). Managed by ecsops.`
  );
}

/** The `Metrics` array of the task-health alarm: 2 metrics and 3 expressions. */
export function planAlarmMetrics(target: AlarmTarget, period: number): MetricDataQuery[] {
  return [
    taskCountQuery(IDS.running, 'RunningTaskCount', target, period),
    taskCountQuery(IDS.desired, 'DesiredTaskCount', target, period),
    { Id: IDS.desiredFilled, Expression: TASK_HEALTH_EXPRESSIONS.desiredFilled, ReturnData: false },
    { Id: IDS.runningFilled, Expression: TASK_HEALTH_EXPRESSIONS.runningFilled, ReturnData: false },
    { Id: IDS.ratio, Expression: TASK_HEALTH_EXPRESSIONS.ratio, Label: RATIO_LABEL, ReturnData: true },
  ];
}

/** Throws a UsageError if a definition breaks one of CloudWatch's metric-math alarm rules. */
export function assertWithinAlarmLimits(definition: MetricAlarmDefinition): void {
  const metrics = definition.Metrics.filter((query) => query.MetricStat !== undefined);
  if (metrics.length > ALARM_LIMITS.maxMetricsInMathAlarm) {
    throw new UsageError(
      `${definition.AlarmName}: ${metrics.length} metrics; a math alarm allows ${ALARM_LIMITS.maxMetricsInMathAlarm}`,
    );
  }
  const periods = new Set(metrics.map((query) => query.MetricStat?.Period));
  if (periods.size > 1)
    throw new UsageError(`${definition.AlarmName}: every metric must use the same period`);
  const returned = definition.Metrics.filter((query) => query.ReturnData);
  if (returned.length !== 1)
    throw new UsageError(`${definition.AlarmName}: exactly one query must return data`);
  for (const query of definition.Metrics) {
    if ((query.Expression?.length ?? 0) > ALARM_LIMITS.maxExpressionLength) {
      throw new UsageError(
        `${definition.AlarmName}: expression ${query.Id} is longer than ${ALARM_LIMITS.maxExpressionLength}`,
      );
    }
  }
  const period = metrics[0]?.MetricStat?.Period ?? 0;
  if (period * definition.EvaluationPeriods > ALARM_LIMITS.maxEvaluationSeconds) {
    throw new UsageError(`${definition.AlarmName}: period × evaluation periods exceeds one day`);
  }
}

/** The complete PutMetricAlarm input (minus tags) for one service. */
export function planTaskHealthAlarm(
  target: AlarmTarget,
  options: ResolvedAlarmOptions,
): MetricAlarmDefinition {
  const definition: MetricAlarmDefinition = {
    AlarmName: planAlarmName(options.namePrefix, target),
    AlarmDescription: options.description ?? renderAlarmDescription(target, options),
    ActionsEnabled: true,
    AlarmActions: [...options.topics],
    OKActions: options.okActions ? [...options.topics] : [],
    InsufficientDataActions: [],
    Metrics: planAlarmMetrics(target, options.period),
    ComparisonOperator: 'LessThanThreshold',
    Threshold: options.threshold,
    EvaluationPeriods: options.evaluationPeriods,
    DatapointsToAlarm: options.datapointsToAlarm,
    TreatMissingData: options.missingData,
  };
  assertWithinAlarmLimits(definition);
  return definition;
}
