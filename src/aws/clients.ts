/**
 * The one place that constructs AWS SDK clients. Each client package is loaded on first use (see
 * sdk.ts), so a command loads only the clients it needs and `ecsops --help` loads none (each costs
 * ~100-200 ms).
 */

import { UsageError } from '../errors.js';
import type { CloudWatchApi } from './cloudwatch-alarms.js';
import type { EcsApi } from './ecs.js';
import type { EventsApi } from './events.js';
import type { IamApi } from './iam.js';
import type { KmsApi } from './kms.js';
import type { LogsApi } from './logs.js';
import type { OrganizationsApi } from './organizations.js';
import type { PricingApi } from './pricing.js';
import type { Ec2Api } from './regions.js';
import type { S3Api } from './s3.js';
import type { SavingsPlansApi } from './savingsplans.js';
import { sdk } from './sdk.js';
import type { SecretsManagerApi } from './secrets-manager.js';
import type { SnsApi } from './sns.js';
import type { SsmApi } from './ssm.js';
import type { StsApi } from './sts.js';

/** Settings shared by every client: from the global flags and the standard AWS chain. */
export interface AwsClientConfig {
  /** Named profile (--profile); otherwise the SDK's chain: env, AWS_PROFILE, SSO, IMDS/ECS. */
  profile?: string | undefined;
  /** --endpoint-url; when absent the SDK itself honours AWS_ENDPOINT_URL(_<SERVICE>). */
  endpoint?: string | undefined;
  /** Attempts per call, including the first, under the SDK's adaptive retry mode. */
  maxAttempts: number;
  userAgent: string;
  /** Used when the SDK chain resolves no region: the AWS CLI's AWS_DEFAULT_REGION, which the JS SDK ignores. */
  fallbackRegion?: string | undefined;
  /** --debug: receives one line per completed AWS call. */
  debugLog?: ((line: string) => void) | undefined;
  /**
   * Credentials instead of the standard chain: a fleet run's assumed-role credentials for one
   * account (src/aws/assume-role.ts). The SDK calls it again shortly before the identity expires.
   */
  credentials?: CredentialProvider | undefined;
}

/** What the SDK accepts as `credentials`: called for an identity, again before it expires. */
export type CredentialProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}>;

/**
 * What commands receive in their context: one narrow, typed interface per service (the operations
 * ecsops makes, taking and returning domain types), never a raw SDK client. Tests mock the SDK
 * classes under them with aws-sdk-client-mock.
 */
export interface AwsClients {
  ecs(region: string): Promise<EcsApi>;
  cloudwatch(region: string): Promise<CloudWatchApi>;
  ssm(region: string): Promise<SsmApi>;
  s3(region: string): Promise<S3Api>;
  logs(region: string): Promise<LogsApi>;
  kms(region: string): Promise<KmsApi>;
  iam(): Promise<IamApi>;
  sts(region: string): Promise<StsApi>;
  sns(region: string): Promise<SnsApi>;
  events(region: string): Promise<EventsApi>;
  secretsManager(region: string): Promise<SecretsManagerApi>;
  ec2(region: string): Promise<Ec2Api>;
  /** The Price List Query API (answers in us-east-1 whatever region is priced). */
  pricing(): Promise<PricingApi>;
  /** The Savings Plans API (one global endpoint). */
  savingsPlans(): Promise<SavingsPlansApi>;
  /** Organizations is global: one client, in us-east-1 (aws partition). */
  organizations(): Promise<OrganizationsApi>;
  /** The region the standard chain resolves (AWS_REGION, profile), or undefined when none is set. */
  defaultRegion(): Promise<string | undefined>;
}

/**
 * An SDK logger that prints one line per call (service, operation, attempts, retry delay). The SDK
 * logs inputs and outputs at info level; only names and metadata are printed, never payloads.
 */
function callLogger(log: (line: string) => void) {
  const noop = () => undefined;
  return {
    trace: noop,
    debug: noop,
    info: (entry: unknown) => {
      const e = entry as {
        clientName?: string;
        commandName?: string;
        metadata?: { attempts?: number; totalRetryDelay?: number; httpStatusCode?: number };
      };
      if (!e?.commandName) return;
      const m = e.metadata ?? {};
      log(
        `${e.clientName?.replace(/Client$/, '')}.${e.commandName.replace(/Command$/, '')} HTTP ${m.httpStatusCode ?? '?'} attempts=${m.attempts ?? 1} retryDelay=${m.totalRetryDelay ?? 0}ms`,
      );
    },
    warn: (message: unknown) => log(`warn: ${String(message)}`),
    error: (entry: unknown) => {
      const e = entry as {
        clientName?: string;
        commandName?: string;
        error?: { name?: string };
        metadata?: { attempts?: number };
      };
      log(
        `${e?.clientName ?? ''}.${e?.commandName ?? ''} failed: ${e?.error?.name ?? 'error'} attempts=${e?.metadata?.attempts ?? 1}`,
      );
    },
  };
}

/** The settings every SDK client is built with (exported for tests). */
export function clientSettings(config: AwsClientConfig, region: string | undefined) {
  return {
    ...(region ? { region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Adaptive = standard retries with exponential backoff plus client-side rate limiting once the
    // service starts throttling: what bulk runs over hundreds of clusters or alarms need.
    retryMode: 'adaptive',
    maxAttempts: config.maxAttempts,
    customUserAgent: config.userAgent,
    ...(config.debugLog ? { logger: callLogger(config.debugLog) } : {}),
  };
}

/** Throws a UsageError when `profile` is in neither the shared config nor the credentials file. */
async function assertProfileExists(profile: string): Promise<void> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const files = await loadSharedConfigFiles({ ignoreCache: false });
  if (files.configFile?.[profile] || files.credentialsFile?.[profile]) return;
  throw new UsageError(
    `AWS profile "${profile}" does not exist in the AWS config or credentials file.`,
    'List profiles with: aws configure list-profiles (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE move the files).',
  );
}

/** Builds the client factory; clients are cached per service and region. */
export function createAwsClients(config: AwsClientConfig): AwsClients {
  const cache = new Map<string, Promise<unknown>>();
  const common = (region: string | undefined) => clientSettings(config, region);
  // --profile names a profile that must exist: checked once, before the first client is built, so a
  // typo reads "profile X does not exist" rather than the SDK's "Could not load credentials".
  let profileChecked: Promise<void> | undefined;
  const checkProfile = () => {
    if (!config.profile) return Promise.resolve();
    profileChecked ??= assertProfileExists(config.profile);
    return profileChecked;
  };
  function cached<T>(key: string, build: () => Promise<T>): Promise<T> {
    let client = cache.get(key) as Promise<T> | undefined;
    if (!client) {
      client = checkProfile().then(build);
      cache.set(key, client);
    }
    return client;
  }
  const priceApiSettings = () => ({ ...common('us-east-1'), maxAttempts: Math.min(config.maxAttempts, 2) });
  // Each service module (and with it its SDK package) is imported on first use.
  return {
    ecs: (region) =>
      cached(`ecs:${region}`, async () =>
        (await import('./ecs.js')).createEcsApi(
          new (sdk('@aws-sdk/client-ecs').ECSClient)(common(region)),
          region,
        ),
      ),
    cloudwatch: (region) =>
      cached(`cloudwatch:${region}`, async () =>
        (await import('./cloudwatch-alarms.js')).createCloudWatchApi(
          new (sdk('@aws-sdk/client-cloudwatch').CloudWatchClient)(common(region)),
          region,
        ),
      ),
    ssm: (region) =>
      cached(`ssm:${region}`, async () =>
        (await import('./ssm.js')).createSsmApi(new (sdk('@aws-sdk/client-ssm').SSMClient)(common(region))),
      ),
    logs: (region) =>
      cached(`logs:${region}`, async () =>
        (await import('./logs.js')).createLogsApi(
          new (sdk('@aws-sdk/client-cloudwatch-logs').CloudWatchLogsClient)(common(region)),
        ),
      ),
    s3: (region) =>
      cached(`s3:${region}`, async () =>
        (await import('./s3.js')).createS3Api(
          new (sdk('@aws-sdk/client-s3').S3Client)({
            ...common(region),
            // A custom endpoint (--endpoint-url, AWS_ENDPOINT_URL) is usually an IP or one host name:
            // bucket-in-host addressing cannot reach it.
            ...(config.endpoint || process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3
              ? { forcePathStyle: true }
              : {}),
          }),
        ),
      ),
    kms: (region) =>
      cached(`kms:${region}`, async () =>
        (await import('./kms.js')).createKmsApi(new (sdk('@aws-sdk/client-kms').KMSClient)(common(region))),
      ),
    // IAM is global; its endpoint lives in us-east-1 (aws partition).
    iam: () =>
      cached('iam', async () =>
        (await import('./iam.js')).createIamApi(
          new (sdk('@aws-sdk/client-iam').IAMClient)(common('us-east-1')),
        ),
      ),
    sts: (region) =>
      cached(`sts:${region}`, async () =>
        (await import('./sts.js')).createStsApi(new (sdk('@aws-sdk/client-sts').STSClient)(common(region))),
      ),
    sns: (region) =>
      cached(`sns:${region}`, async () =>
        (await import('./sns.js')).createSnsApi(new (sdk('@aws-sdk/client-sns').SNSClient)(common(region))),
      ),
    events: (region) =>
      cached(`events:${region}`, async () =>
        (await import('./events.js')).createEventsApi(
          new (sdk('@aws-sdk/client-eventbridge').EventBridgeClient)(common(region)),
          region,
        ),
      ),
    secretsManager: (region) =>
      cached(`secretsmanager:${region}`, async () =>
        (await import('./secrets-manager.js')).createSecretsManagerApi(
          new (sdk('@aws-sdk/client-secrets-manager').SecretsManagerClient)(common(region)),
        ),
      ),
    ec2: (region) =>
      cached(`ec2:${region}`, async () =>
        (await import('./regions.js')).createEc2Api(
          new (sdk('@aws-sdk/client-ec2').EC2Client)(common(region)),
        ),
      ),
    // Both price APIs are global: their endpoints live in us-east-1 (see docs/pricing.md). They are
    // optional (the bundled table stands in when they fail), so a failing endpoint is tried twice at
    // most instead of holding the run up for --max-attempts rounds of backoff.
    pricing: () =>
      cached('pricing', async () =>
        (await import('./pricing.js')).createPricingApi(
          new (sdk('@aws-sdk/client-pricing').PricingClient)(priceApiSettings()),
        ),
      ),
    savingsPlans: () =>
      cached('savingsplans', async () =>
        (await import('./savingsplans.js')).createSavingsPlansApi(
          new (sdk('@aws-sdk/client-savingsplans').SavingsplansClient)(priceApiSettings()),
        ),
      ),
    organizations: () =>
      cached('organizations', async () =>
        (await import('./organizations.js')).createOrganizationsApi(
          new (sdk('@aws-sdk/client-organizations').OrganizationsClient)(common('us-east-1')),
        ),
      ),
    async defaultRegion() {
      await checkProfile();
      // The SDK's own region chain (AWS_REGION, profile config) without loading a whole client (~60 ms vs ~150 ms).
      const { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } = await import(
        '@smithy/core/config'
      );
      try {
        const region = await loadConfig(NODE_REGION_CONFIG_OPTIONS, {
          ...NODE_REGION_CONFIG_FILE_OPTIONS,
          ...(config.profile ? { profile: config.profile } : {}),
        })();
        return region || config.fallbackRegion;
      } catch {
        return config.fallbackRegion;
      }
    },
  };
}
