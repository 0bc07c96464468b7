/**
 * CloudWatch metric reads used by `insights --wait`. API reference:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { ListMetricsCommand } = sdk('@aws-sdk/client-cloudwatch');

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
