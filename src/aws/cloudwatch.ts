/**
 * CloudWatch metric reads used by `insights --wait` and `cost rightsize`. API reference:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { ListMetricsCommand, paginateGetMetricData } = sdk('@aws-sdk/client-cloudwatch');

/** The Container Insights namespace for ECS. */
export const CONTAINER_INSIGHTS_NAMESPACE = 'ECS/ContainerInsights';

/** True once any Container Insights metric exists for the cluster (one ListMetrics page is enough). */
export async function hasContainerInsightsMetrics(
  cloudwatch: CloudWatchClient,
  clusterName: string,
): Promise<boolean> {
  const out = await awsCall(
    { operation: 'cloudwatch:ListMetrics', iamAction: 'cloudwatch:ListMetrics', resource: clusterName },
    () =>
      cloudwatch.send(
        new ListMetricsCommand({
          Namespace: CONTAINER_INSIGHTS_NAMESPACE,
          Dimensions: [{ Name: 'ClusterName', Value: clusterName }],
        }),
      ),
  );
  return (out.Metrics ?? []).length > 0;
}

/** GetMetricData takes at most 500 metric queries per request (see docs/pricing.md "CloudWatch"). */
export const GET_METRIC_DATA_BATCH = 500;

/** One metric to read: a statistic of a metric with its dimensions, under an id unique in the request. */
export interface MetricQuery {
  /** Starts with a lower-case letter; letters, digits and underscores only. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  stat: string;
}

/** One query's datapoints: timestamps (ms) and values, oldest first. */
export interface MetricSeries {
  timestamps: number[];
  values: number[];
}

/**
 * Datapoints of each query over [start, end) at `periodSeconds`, keyed by query id (GetMetricData,
 * 500 queries a request, pages followed). A query with no data maps to an empty series.
 */
export async function getMetricValues(
  cloudwatch: CloudWatchClient,
  queries: readonly MetricQuery[],
  window: { start: Date; end: Date; periodSeconds: number },
): Promise<Map<string, MetricSeries>> {
  const series = new Map<string, MetricSeries>(queries.map((q) => [q.id, { timestamps: [], values: [] }]));
  for (let i = 0; i < queries.length; i += GET_METRIC_DATA_BATCH) {
    const batch = queries.slice(i, i + GET_METRIC_DATA_BATCH);
    await awsCall(
      {
        operation: 'cloudwatch:GetMetricData',
        iamAction: 'cloudwatch:GetMetricData',
        resource: `${batch.length} metric queries`,
      },
      async () => {
        for await (const page of paginateGetMetricData(
          { client: cloudwatch },
          {
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            MetricDataQueries: batch.map((q) => ({
              Id: q.id,
              ReturnData: true,
              MetricStat: {
                Metric: {
                  Namespace: q.namespace,
                  MetricName: q.metricName,
                  Dimensions: q.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
                },
                Period: window.periodSeconds,
                Stat: q.stat,
              },
            })),
          },
        )) {
          for (const r of page.MetricDataResults ?? []) {
            const target = r.Id ? series.get(r.Id) : undefined;
            if (!target) continue;
            const values = r.Values ?? [];
            (r.Timestamps ?? []).forEach((t, i) => {
              const v = values[i];
              if (v === undefined) return;
              target.timestamps.push(new Date(t).getTime());
              target.values.push(v);
            });
          }
        }
      },
    );
  }
  return series;
}
