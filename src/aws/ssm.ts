/**
 * AWS Systems Manager Parameter Store calls: metadata only. ecsops never calls GetParameters or
 * GetParametersByPath, which return values; GetParameter is made only for AWS's own public
 * parameters under /aws/service/ (e.g. the AWS for Fluent Bit stable image), never a user's.
 * API reference: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html
 * and https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 */
import type { ParameterMetadata as SdkParameterMetadata, SSMClient } from '@aws-sdk/client-ssm';
import { chunk, createLimiter, type Limit } from '../core/concurrency.js';
import type { ParameterMetadata } from '../core/ssm-types.js';
import { awsCall, toAwsError } from './call.js';
import { sdk } from './sdk.js';

const { GetParameterCommand, paginateDescribeParameters } = sdk('@aws-sdk/client-ssm');

/** DescribeParameters returns at most 50 per page (MaxResults), and a filter takes at most 50 values. */
export const DESCRIBE_PARAMETERS_PAGE = 50;
const PAGE_SIZE = DESCRIBE_PARAMETERS_PAGE;
/** Batches of 50 names in flight at once when the caller gives no bound (the default --concurrency). */
const BATCH_CONCURRENCY = 8;

function toMetadata(p: SdkParameterMetadata): ParameterMetadata | undefined {
  if (!p.Name) return undefined;
  return { name: p.Name, type: p.Type ?? 'String', keyId: p.KeyId, arn: p.ARN, version: p.Version };
}

/**
 * Metadata of the named parameters that exist; names not returned do not exist (or are not visible).
 * One DescribeParameters (Name Equals, 50 names) per batch, the batches side by side within `limit`.
 */
export async function describeParametersByName(
  ssm: SSMClient,
  names: readonly string[],
  options: { limit?: Limit | undefined } = {},
): Promise<ParameterMetadata[]> {
  const limit = options.limit ?? createLimiter(BATCH_CONCURRENCY);
  const batches = chunk([...new Set(names)], PAGE_SIZE);
  const settled = await Promise.allSettled(
    batches.map((batch) =>
      limit(() =>
        awsCall(
          {
            operation: 'ssm:DescribeParameters',
            iamAction: 'ssm:DescribeParameters',
            resource: batch.join(', '),
          },
          async () => {
            const found: ParameterMetadata[] = [];
            const pages = paginateDescribeParameters(
              { client: ssm, pageSize: PAGE_SIZE },
              { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: batch }] },
            );
            for await (const page of pages) {
              for (const p of page.Parameters ?? []) {
                const m = toMetadata(p);
                if (m) found.push(m);
              }
            }
            return found;
          },
        ),
      ),
    ),
  );
  // The first failing batch in order is the error, whichever failed first in time.
  return settled.flatMap((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  });
}

/** Metadata of every parameter under a path: direct children only, or the whole subtree when recursive. */
export async function describeParametersByPath(
  ssm: SSMClient,
  path: string,
  recursive: boolean,
): Promise<ParameterMetadata[]> {
  return awsCall(
    { operation: 'ssm:DescribeParameters', iamAction: 'ssm:DescribeParameters', resource: path },
    async () => {
      const found: ParameterMetadata[] = [];
      const pages = paginateDescribeParameters(
        { client: ssm, pageSize: PAGE_SIZE },
        { ParameterFilters: [{ Key: 'Path', Option: recursive ? 'Recursive' : 'OneLevel', Values: [path] }] },
      );
      for await (const page of pages) {
        for (const p of page.Parameters ?? []) {
          const m = toMetadata(p);
          if (m) found.push(m);
        }
      }
      return found;
    },
  );
}

/** AWS's public parameters: the only values ecsops reads (they hold no user data). */
export const PUBLIC_PARAMETER_PREFIX = '/aws/service/';

/**
 * The value of one AWS public parameter (`/aws/service/...`), or undefined when this region (or the
 * endpoint) has none. Any other name is refused before a request is made.
 */
export async function readPublicParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  if (!name.startsWith(PUBLIC_PARAMETER_PREFIX)) {
    throw new Error(`BUG: ${name} is not an AWS public parameter; ecsops never reads parameter values`);
  }
  const meta = { operation: 'ssm:GetParameter', iamAction: 'ssm:GetParameter', resource: name };
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw toAwsError(meta, error);
  }
}

/** The SSM metadata operations ecsops makes, bound to one region. */
export interface SsmApi {
  /** GetParameter on an AWS public `/aws/service/` parameter (refuses any other name). */
  readPublicParameter(name: string): Promise<string | undefined>;
  describeParametersByName(
    names: readonly string[],
    options?: { limit?: Limit | undefined },
  ): Promise<ParameterMetadata[]>;
  describeParametersByPath(path: string, recursive: boolean): Promise<ParameterMetadata[]>;
}

/** Binds the SSM operations to one region's client. */
export function createSsmApi(ssm: SSMClient): SsmApi {
  return {
    readPublicParameter: (name) => readPublicParameter(ssm, name),
    describeParametersByName: (names, options) => describeParametersByName(ssm, names, options),
    describeParametersByPath: (path, recursive) => describeParametersByPath(ssm, path, recursive),
  };
}
