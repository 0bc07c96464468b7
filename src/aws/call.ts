/**
 * Wraps every AWS call so a failure names the operation, the IAM action and the resource, with a hint
 * for the failures operators hit most: access denied, throttling, missing credentials or region.
 */
import { AwsError, ResourceNotFoundError, UsageError } from '../errors.js';

/** What a call is, for error messages and the README's IAM table. */
export interface CallMeta {
  /** API operation, e.g. `ecs:DescribeClusters`. */
  operation: string;
  /** IAM action the caller needs, e.g. `ecs:DescribeClusters`. */
  iamAction: string;
  resource?: string | undefined;
  /** Turns the service's "no such thing" answer into a ResourceNotFoundError (exit 2, the input is wrong). */
  notFound?:
    | { match: (code: string, message: string) => boolean; resourceType: string; hint?: string }
    | undefined;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'UnauthorizedException',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

/** True when AWS refused the caller (access denied), whatever the service calls that. */
export function isAccessDeniedError(error: unknown): error is AwsError {
  return error instanceof AwsError && ACCESS_DENIED.has(error.code);
}

/** True for errors thrown by the SDK or the network under it (as opposed to bugs in ecsops). */
export function isAwsSdkError(error: unknown): error is Error & { name: string; $metadata?: unknown } {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { $metadata?: unknown; $fault?: unknown; code?: unknown };
  return (
    e.$metadata !== undefined ||
    e.$fault !== undefined ||
    e.name === 'CredentialsProviderError' ||
    e.name === 'TimeoutError' ||
    typeof e.code === 'string'
  );
}

/** The AWS error code (`name`) of an SDK error, or undefined. */
export function awsErrorCode(error: unknown): string | undefined {
  return isAwsSdkError(error) ? error.name : undefined;
}

/** Runs one AWS call and translates its failure into an AwsError with a hint. */
export async function awsCall<T>(meta: CallMeta, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toAwsError(meta, error);
  }
}

/** Translates an SDK failure into an AwsError; anything else is returned unchanged (it is a bug). */
export function toAwsError(meta: CallMeta, error: unknown): unknown {
  if (error instanceof AwsError || !isAwsSdkError(error)) return error;
  const sdkError = error as Error & { code?: string; $metadata?: { attempts?: number } };
  const code = sdkError.code && sdkError.name === 'Error' ? sdkError.code : sdkError.name;
  const attempts = sdkError.$metadata?.attempts;
  if (meta.notFound?.match(code, sdkError.message ?? '')) {
    return new ResourceNotFoundError(
      meta.notFound.resourceType,
      meta.resource ?? 'unknown',
      meta.notFound.hint,
    );
  }
  let hint: string | undefined;
  let message = sdkError.message || code;
  if (sdkError.name === 'CredentialsProviderError' && /using profile: \[([^\]]*)\]/.test(message)) {
    const profile = /using profile: \[([^\]]*)\]/.exec(message)?.[1] ?? '';
    return new UsageError(
      `AWS profile "${profile}" does not exist (or has no credentials) in the AWS config or credentials file.`,
      'List profiles with: aws configure list-profiles. AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE move the files.',
    );
  }
  // The SDK's deserialisation text points at its own internals ("inspect the hidden field
  // {error}.$response"); say what happened in ecsops' words and keep the SDK text for --debug.
  if (/Deserialization error|\$response/.test(message)) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    message = `the answer could not be read as an AWS response${status ? ` (HTTP ${status})` : ''}`;
  }
  if (ACCESS_DENIED.has(code)) {
    hint = `The caller needs IAM permission ${meta.iamAction}${meta.resource ? ` on ${meta.resource}` : ''}.`;
  } else if (THROTTLED.has(code)) {
    hint = `Still throttled after ${attempts ?? 'several'} attempts with backoff. Lower --concurrency, raise --max-attempts, or re-run: completed work is not repeated.`;
  } else if (BAD_CREDENTIALS.has(code)) {
    hint =
      'The AWS credentials were rejected. Check AWS_PROFILE / --profile, or refresh an SSO session (aws sso login).';
  } else if (sdkError.name === 'CredentialsProviderError') {
    hint =
      'No AWS credentials found. Set AWS_PROFILE or --profile, export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login.';
  } else if (code === 'SyntaxError' || code === 'Error') {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    hint = `The endpoint answered with something that is not an AWS response${status ? ` (HTTP ${status})` : ''}. If --endpoint-url points at an emulator, it may not implement ${meta.operation}.`;
  } else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint =
      'Could not reach the AWS endpoint. Check --endpoint-url / AWS_ENDPOINT_URL, the region name, and your network.';
  }
  return new AwsError({
    operation: meta.operation,
    iamAction: meta.iamAction,
    resource: meta.resource,
    code,
    message,
    hint,
    cause: error,
  });
}

/**
 * A list field of a response, checked: the SDK does not validate shapes, so `{"clusters":"notalist"}`
 * would otherwise be iterated character by character and read as "nothing found".
 */
export function responseList<T>(
  value: readonly T[] | undefined,
  meta: CallMeta,
  field: string,
): readonly T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw new AwsError({
    operation: meta.operation,
    iamAction: meta.iamAction,
    resource: meta.resource,
    code: 'MalformedResponse',
    message: `the response's ${field} is not a list`,
    hint: 'The endpoint answered with something AWS never sends. If --endpoint-url points at an emulator or proxy, check it.',
  });
}
