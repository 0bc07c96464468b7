/**
 * CloudWatch Logs calls of `logs migrate`: which log groups exist (a routed destination's group must,
 * since the generated output does not create groups). API reference:
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { paginateDescribeLogGroups } = sdk('@aws-sdk/client-cloudwatch-logs');

/** DescribeLogGroups returns at most 50 groups a page. */
const PAGE_SIZE = 50;

/** The names among `names` that exist as log groups (one prefix query per name, every page). */
async function findExistingLogGroups(
  logs: CloudWatchLogsClient,
  names: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  await Promise.all(
    [...new Set(names)].map((name) =>
      awsCall(
        { operation: 'logs:DescribeLogGroups', iamAction: 'logs:DescribeLogGroups', resource: name },
        async () => {
          const pages = paginateDescribeLogGroups(
            { client: logs, pageSize: PAGE_SIZE },
            { logGroupNamePrefix: name },
          );
          for await (const page of pages) {
            for (const g of page.logGroups ?? []) if (g.logGroupName === name) found.add(name);
            if (found.has(name)) return;
          }
        },
      ),
    ),
  );
  return found;
}

/** The CloudWatch Logs operations ecsops makes. */
export interface LogsApi {
  findExistingLogGroups(names: readonly string[]): Promise<Set<string>>;
}

/** Binds the CloudWatch Logs operations to one region's client. */
export function createLogsApi(logs: CloudWatchLogsClient): LogsApi {
  return { findExistingLogGroups: (names) => findExistingLogGroups(logs, names) };
}
