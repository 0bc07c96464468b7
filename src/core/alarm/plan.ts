/** Pure planning for `ecsops alarm create|delete|prune`: state in, changes out. */
import { UsageError } from '../../errors.js';
import { planTaskHealthAlarm } from './definition.js';
import { type AlarmFieldChange, diffAlarm } from './diff.js';
import type {
  AlarmTarget,
  ExistingMetricAlarm,
  MetricAlarmDefinition,
  ResolvedAlarmOptions,
} from './types.js';

/** A tag as CloudWatch spells it. */
export interface AlarmTag {
  Key: string;
  Value: string;
}

/** Tag keys ecsops owns on every alarm it manages. */
export const TAG_KEYS = {
  managed: 'ecsops:managed',
  cluster: 'ecsops:cluster',
  service: 'ecsops:service',
} as const;

/** CloudWatch allows 50 tags per alarm; keys 1-128 characters, values up to 256. */
export const TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

/** Parses one `--tag K=V` value. */
export function parseTagOption(text: string): AlarmTag {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--tag ${JSON.stringify(text)} must look like KEY=VALUE`);
  return { Key: text.slice(0, eq), Value: text.slice(eq + 1) };
}

/** Throws a UsageError for extra tags CloudWatch would reject or that would overwrite ecsops's own. */
export function validateExtraTags(tags: readonly AlarmTag[]): void {
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.startsWith('ecsops:'))
      throw new UsageError(`--tag ${tag.Key}: the ecsops: prefix is reserved for ecsops's own tags`);
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw new UsageError(`--tag ${tag.Key}: the aws: prefix is reserved by AWS`);
    if (tag.Key.length > TAG_LIMITS.maxKeyLength)
      throw new UsageError(`--tag ${tag.Key}: keys may be at most 128 characters`);
    if (tag.Value.length > TAG_LIMITS.maxValueLength)
      throw new UsageError(`--tag ${tag.Key}: values may be at most 256 characters`);
    if (keys.has(tag.Key)) throw new UsageError(`--tag ${tag.Key} is given twice`);
    keys.add(tag.Key);
  }
  if (tags.length + 3 > TAG_LIMITS.maxTags)
    throw new UsageError(
      `At most ${TAG_LIMITS.maxTags - 3} --tag values: CloudWatch allows 50 tags per alarm`,
    );
}

/** The tags a managed alarm carries: ecsops's three, then the user's `--tag` values. */
export function planAlarmTags(target: AlarmTarget, extraTags: readonly AlarmTag[] = []): AlarmTag[] {
  return [
    { Key: TAG_KEYS.managed, Value: 'true' },
    { Key: TAG_KEYS.cluster, Value: target.clusterName },
    { Key: TAG_KEYS.service, Value: target.serviceName },
    ...extraTags,
  ];
}

/** Whether an alarm's tags mark it as managed by ecsops. */
export function isManagedAlarm(tags: readonly AlarmTag[]): boolean {
  return tags.some((t) => t.Key === TAG_KEYS.managed && t.Value === 'true');
}

/** The service a managed alarm watches, read from its tags. */
export function managedTargetOf(tags: readonly AlarmTag[]): AlarmTarget | undefined {
  const clusterName = tags.find((t) => t.Key === TAG_KEYS.cluster)?.Value;
  const serviceName = tags.find((t) => t.Key === TAG_KEYS.service)?.Value;
  return clusterName && serviceName && isManagedAlarm(tags) ? { clusterName, serviceName } : undefined;
}

/** Tags in `wanted` that `current` lacks or holds with another value. */
export function findMissingTags(current: readonly AlarmTag[], wanted: readonly AlarmTag[]): AlarmTag[] {
  return wanted.filter((w) => !current.some((c) => c.Key === w.Key && c.Value === w.Value));
}

/** A service as alarm planning needs it. */
export interface AlarmServiceState extends AlarmTarget {
  region: string;
  desiredCount: number;
}

/** One planned write of `alarm create`. */
export type AlarmChange =
  | { kind: 'enable-insights'; region: string; clusterName: string; clusterArn: string }
  | {
      kind: 'create-alarm';
      region: string;
      clusterName: string;
      serviceName: string;
      definition: MetricAlarmDefinition;
      tags: AlarmTag[];
    }
  | {
      kind: 'update-alarm';
      region: string;
      clusterName: string;
      serviceName: string;
      definition: MetricAlarmDefinition;
      tags: AlarmTag[];
      alarmArn: string | undefined;
      changes: AlarmFieldChange[];
    };

/** A service left alone, and why. */
export interface AlarmSkip {
  region: string;
  clusterName: string;
  serviceName: string;
  reason: string;
}

/** The result of planning `alarm create`. */
export interface AlarmPlan {
  changes: AlarmChange[];
  unchanged: Array<{ region: string; clusterName: string; serviceName: string; alarmName: string }>;
  skipped: AlarmSkip[];
}

const byTarget = (a: { region: string; clusterName: string; serviceName: string }, b: typeof a): number =>
  a.region.localeCompare(b.region) ||
  a.clusterName.localeCompare(b.clusterName) ||
  a.serviceName.localeCompare(b.serviceName);

/**
 * Plans PutMetricAlarm calls: a new alarm for each service without one, an update where the
 * normalised definition differs, nothing where it matches. Services at desired 0 are skipped
 * unless `includeZeroDesired` (an alarm on an idle service would only ever say "OK").
 */
export function planAlarmChanges(input: {
  services: readonly AlarmServiceState[];
  existing: ReadonlyArray<{ region: string; alarm: ExistingMetricAlarm }>;
  options: ResolvedAlarmOptions;
  extraTags?: readonly AlarmTag[];
  includeZeroDesired?: boolean;
}): AlarmPlan {
  const plan: AlarmPlan = { changes: [], unchanged: [], skipped: [] };
  const existing = new Map(input.existing.map((e) => [`${e.region}\u0000${e.alarm.AlarmName}`, e.alarm]));
  const claimed = new Map<string, string>();
  for (const service of [...input.services].sort(byTarget)) {
    const { region, clusterName, serviceName } = service;
    if (service.desiredCount === 0 && !input.includeZeroDesired) {
      plan.skipped.push({
        region,
        clusterName,
        serviceName,
        reason: 'desired count is 0 (use --include-zero-desired to alarm anyway)',
      });
      continue;
    }
    const definition = planTaskHealthAlarm({ clusterName, serviceName }, input.options);
    // ECS names may contain "-", so cluster "a-b" + service "c" and cluster "a" + service "b-c"
    // give the same name. The first (sorted) keeps it; the other is reported, never overwritten.
    const key = `${region}\u0000${definition.AlarmName}`;
    const owner = claimed.get(key);
    if (owner) {
      plan.skipped.push({
        region,
        clusterName,
        serviceName,
        reason: `alarm name ${definition.AlarmName} is already planned for ${owner}; use another --name-prefix for one of them`,
      });
      continue;
    }
    claimed.set(key, `${clusterName}/${serviceName}`);
    const tags = planAlarmTags({ clusterName, serviceName }, input.extraTags);
    const current = existing.get(key);
    if (!current) {
      plan.changes.push({ kind: 'create-alarm', region, clusterName, serviceName, definition, tags });
      continue;
    }
    const changes = diffAlarm(current, definition);
    if (changes.length === 0) {
      plan.unchanged.push({ region, clusterName, serviceName, alarmName: definition.AlarmName });
    } else {
      plan.changes.push({
        kind: 'update-alarm',
        region,
        clusterName,
        serviceName,
        definition,
        tags,
        alarmArn: current.AlarmArn,
        changes,
      });
    }
  }
  return plan;
}

/** An alarm as read for list/delete/prune: identity, state and tags. */
export interface AlarmRecord {
  region: string;
  alarmName: string;
  alarmArn: string;
  tags: AlarmTag[];
  stateValue: string | undefined;
  stateReason: string | undefined;
}

/** One alarm to delete and why. */
export interface AlarmDeletion {
  region: string;
  alarmName: string;
  clusterName: string | undefined;
  serviceName: string | undefined;
  reason: string;
}

/**
 * Chooses the managed alarms that `alarm delete` removes. `names` match alarm names exactly;
 * `clusters` (and optionally `services`) match the ecsops:cluster / ecsops:service tags. A named
 * alarm without the managed tag is refused, never deleted.
 */
export function planAlarmDeletions(
  alarms: readonly AlarmRecord[],
  selection: { clusters: readonly string[]; services: readonly string[]; names: readonly string[] },
): { deletions: AlarmDeletion[]; refused: AlarmRecord[]; notFound: string[] } {
  const deletions: AlarmDeletion[] = [];
  const refused: AlarmRecord[] = [];
  for (const alarm of alarms) {
    const target = managedTargetOf(alarm.tags);
    const byName = selection.names.includes(alarm.alarmName);
    const byTag =
      target !== undefined &&
      selection.clusters.includes(target.clusterName) &&
      (selection.services.length === 0 || selection.services.includes(target.serviceName));
    if (!byName && !byTag) continue;
    if (!isManagedAlarm(alarm.tags)) {
      refused.push(alarm);
      continue;
    }
    deletions.push({
      region: alarm.region,
      alarmName: alarm.alarmName,
      clusterName: target?.clusterName,
      serviceName: target?.serviceName,
      reason: byName ? 'named' : 'selected by cluster/service',
    });
  }
  const found = new Set(alarms.map((a) => a.alarmName));
  return { deletions, refused, notFound: selection.names.filter((n) => !found.has(n)) };
}

/**
 * Chooses the managed alarms `alarm prune` removes: those whose service no longer exists (or whose
 * cluster is gone) and those whose service is now at desired 0. `services` holds every ACTIVE
 * service found for the clusters the alarms point at.
 */
export function planAlarmPrune(
  alarms: readonly AlarmRecord[],
  services: readonly AlarmServiceState[],
): AlarmDeletion[] {
  const known = new Map(services.map((s) => [`${s.region}\u0000${s.clusterName}\u0000${s.serviceName}`, s]));
  const deletions: AlarmDeletion[] = [];
  for (const alarm of alarms) {
    const target = managedTargetOf(alarm.tags);
    if (!target) continue;
    const service = known.get(`${alarm.region}\u0000${target.clusterName}\u0000${target.serviceName}`);
    const reason = !service
      ? 'service no longer exists'
      : service.desiredCount === 0
        ? 'service desired count is 0'
        : undefined;
    if (reason) deletions.push({ region: alarm.region, alarmName: alarm.alarmName, ...target, reason });
  }
  return deletions.sort((a, b) => a.region.localeCompare(b.region) || a.alarmName.localeCompare(b.alarmName));
}

/** What GetTopicAttributes told us about an alarm topic. */
export type TopicState =
  | { topicArn: string; exists: true; kmsMasterKeyId: string | undefined }
  | { topicArn: string; exists: false }
  | { topicArn: string; exists: 'unknown'; reason: string };

/** Warnings about alarm topics: CloudWatch does not check actions, so a bad topic fails silently. */
export function findTopicWarnings(topics: readonly TopicState[]): string[] {
  const warnings: string[] = [];
  for (const topic of topics) {
    if (topic.exists === false) {
      warnings.push(
        `SNS topic ${topic.topicArn} does not exist: CloudWatch accepts it but notifications will go nowhere.`,
      );
    } else if (topic.exists === 'unknown') {
      warnings.push(`Could not check SNS topic ${topic.topicArn}: ${topic.reason}`);
    } else if (topic.kmsMasterKeyId) {
      const key = topic.kmsMasterKeyId;
      if (/(^|:)alias\/aws\/sns$/.test(key)) {
        warnings.push(
          `SNS topic ${topic.topicArn} is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot grant cloudwatch.amazonaws.com access: alarm notifications will not be delivered. Re-encrypt the topic with a customer managed key.`,
        );
      } else {
        warnings.push(
          `SNS topic ${topic.topicArn} is encrypted with KMS key ${key}: its key policy must allow the service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or notifications are dropped (and it must not be the AWS managed aws/sns key).`,
        );
      }
    }
  }
  return warnings;
}
