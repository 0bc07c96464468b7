/** Pure planning for `ecsops alarm create|delete|prune`: state in, changes out. */
import { UsageError } from '../../errors.js';
import { planTaskHealthAlarm } from './definition.js';
import { type AlarmFieldChange, diffAlarm } from './diff.js';
import { planDistinctAlarmName } from './name.js';
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
  /** Tasks RUNNING when read (DescribeServices); absent where only the desired count was read. */
  runningCount?: number;
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
      /** The alarm's tags as read before planning: TagResource adds only what is missing. */
      currentTags: AlarmTag[];
      changes: AlarmFieldChange[];
    };

/** A planned alarm write (create or update), without the Container Insights step. */
export type AlarmWrite = Extract<AlarmChange, { kind: 'create-alarm' | 'update-alarm' }>;

/** A service left alone, and why. */
export interface AlarmSkip {
  region: string;
  clusterName: string;
  serviceName: string;
  reason: string;
}

/** A service whose alarm has a distinct name because its usual name belongs to another service. */
export interface AlarmRename {
  region: string;
  clusterName: string;
  serviceName: string;
  /** The name this service's alarm has. */
  alarmName: string;
  /** The usual name, and the service (`cluster/service`) whose alarm holds it. */
  takenName: string;
  takenBy: string;
}

/** An alarm that exists, as planning sees it: DescribeAlarms' view and, once read, its tags. */
export interface ExistingAlarmState {
  region: string;
  alarm: ExistingMetricAlarm;
  /** Undefined until read; planning asks for them (`tagsNeeded`) where it must know the owner. */
  tags?: AlarmTag[] | undefined;
}

/** The result of planning `alarm create`. */
export interface AlarmPlan {
  changes: AlarmWrite[];
  unchanged: Array<{ region: string; clusterName: string; serviceName: string; alarmName: string }>;
  skipped: AlarmSkip[];
  renamed: AlarmRename[];
  /**
   * Existing alarms the plan would write over without knowing whose they are: read their tags and
   * plan again. Empty once every such alarm comes with its tags.
   */
  tagsNeeded: Array<{ region: string; alarmName: string; alarmArn: string | undefined }>;
}

/** What `alarm create` plans from. */
export interface AlarmPlanInput {
  services: readonly AlarmServiceState[];
  existing: readonly ExistingAlarmState[];
  options: ResolvedAlarmOptions;
  extraTags?: readonly AlarmTag[];
  includeZeroDesired?: boolean;
  /**
   * Keep each existing alarm's actions (no --sns-topic given) instead of setting the options'
   * topics: a re-run without --sns-topic must not silently remove notifications.
   */
  keepActions?: boolean;
}

const byTarget = (a: { region: string; clusterName: string; serviceName: string }, b: typeof a): number =>
  a.region.localeCompare(b.region) ||
  a.clusterName.localeCompare(b.clusterName) ||
  a.serviceName.localeCompare(b.serviceName);

const targetText = (t: AlarmTarget): string => `${t.clusterName}/${t.serviceName}`;
const sameTarget = (a: AlarmTarget, b: AlarmTarget): boolean =>
  a.clusterName === b.clusterName && a.serviceName === b.serviceName;

/** The service an alarm's metrics watch (its ClusterName/ServiceName dimensions), if they name one. */
export function dimensionTargetOf(alarm: ExistingMetricAlarm): AlarmTarget | undefined {
  const dimensionSets = [
    alarm.Dimensions,
    ...(alarm.Metrics ?? []).map((q) => q.MetricStat?.Metric?.Dimensions),
  ];
  for (const dimensions of dimensionSets) {
    const clusterName = dimensions?.find((d) => d.Name === 'ClusterName')?.Value;
    const serviceName = dimensions?.find((d) => d.Name === 'ServiceName')?.Value;
    if (clusterName && serviceName) return { clusterName, serviceName };
  }
  return undefined;
}

/** Whose an existing alarm is, seen from the service about to use its name. */
type Ownership =
  | { kind: 'mine' }
  | { kind: 'other'; owner: AlarmTarget }
  | { kind: 'unmanaged' }
  | { kind: 'tags-unknown' };

function ownershipOf(existing: ExistingAlarmState, service: AlarmTarget, identical: boolean): Ownership {
  const { tags } = existing;
  const tagged = tags ? managedTargetOf(tags) : undefined;
  if (tagged && !sameTarget(tagged, service)) return { kind: 'other', owner: tagged };
  // Identical to what ecsops would write: its metrics are this service's, so nothing is taken over.
  if (identical) return { kind: 'mine' };
  if (tags === undefined) return { kind: 'tags-unknown' };
  if (!isManagedAlarm(tags)) return { kind: 'unmanaged' };
  const watched = dimensionTargetOf(existing.alarm);
  if (watched && !sameTarget(watched, service)) return { kind: 'other', owner: watched };
  return { kind: 'mine' };
}

/** What using one alarm name for a service would mean. */
type NameProbe =
  | { kind: 'free'; key: string; definition: MetricAlarmDefinition }
  | {
      kind: 'mine';
      key: string;
      definition: MetricAlarmDefinition;
      current: ExistingAlarmState;
      changes: AlarmFieldChange[];
    }
  | { kind: 'taken'; by: string }
  | { kind: 'unmanaged' }
  | { kind: 'tags-unknown' };

/**
 * Plans PutMetricAlarm calls: a new alarm for each service without one, an update where the
 * normalised definition differs, nothing where it matches. Services at desired 0 are skipped
 * unless `includeZeroDesired` (an alarm on an idle service would only ever say "OK").
 *
 * An existing alarm is updated only when it is this service's: tagged ecsops:managed=true, and
 * neither its ecsops:cluster/ecsops:service tags nor its dimensions name another service. When the
 * usual name belongs to another service (names that sanitise alike, in this run or an earlier one),
 * the alarm gets a distinct name (planDistinctAlarmName) and the plan says so in `renamed`.
 */
export function planAlarmChanges(input: AlarmPlanInput): AlarmPlan {
  const plan: AlarmPlan = { changes: [], unchanged: [], skipped: [], renamed: [], tagsNeeded: [] };
  const existing = new Map(input.existing.map((e) => [`${e.region}\u0000${e.alarm.AlarmName}`, e]));
  const tagsNeeded = new Set<string>();
  // Names given to a service earlier in this run: alarm key -> "cluster/service".
  const claimed = new Map<string, string>();
  const { namePrefix } = input.options;

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
    const planned = planTaskHealthAlarm({ clusterName, serviceName }, input.options);
    const me = targetText(service);
    /** What using `name` for this service means: free, this service's alarm, or taken (by whom). */
    const probe = (name: string): NameProbe => {
      const key = `${region}\u0000${name}`;
      const claim = claimed.get(key);
      if (claim !== undefined && claim !== me) return { kind: 'taken', by: claim };
      const current = existing.get(key);
      const definition = desiredDefinition(planned, name, current, input.keepActions);
      if (!current) return { kind: 'free', key, definition };
      const changes = diffAlarm(current.alarm, definition);
      const owner = ownershipOf(current, service, changes.length === 0);
      if (owner.kind === 'tags-unknown' && !tagsNeeded.has(key)) {
        tagsNeeded.add(key);
        plan.tagsNeeded.push({ region, alarmName: name, alarmArn: current.alarm.AlarmArn });
      }
      if (owner.kind === 'other') return { kind: 'taken', by: targetText(owner.owner) };
      if (owner.kind === 'unmanaged' || owner.kind === 'tags-unknown') return { kind: owner.kind };
      return { kind: 'mine', key, definition, current, changes };
    };

    const usual = planned.AlarmName;
    let chosen = probe(usual);
    // Whose the usual name is may depend on tags not read yet: ask for the distinct name's too,
    // so one more read settles the plan.
    if (chosen.kind === 'tags-unknown') probe(planDistinctAlarmName(namePrefix, service));
    let takenBy: string | undefined;
    if (chosen.kind === 'taken') {
      takenBy = chosen.by;
      const distinct = planDistinctAlarmName(namePrefix, service);
      chosen = probe(distinct);
      if (chosen.kind === 'taken') {
        plan.skipped.push({
          region,
          clusterName,
          serviceName,
          reason: `alarm names ${usual} (of ${takenBy}) and ${distinct} (of ${chosen.by}) are both taken; use another --name-prefix`,
        });
        continue;
      }
    }
    if (chosen.kind === 'unmanaged' || chosen.kind === 'tags-unknown') {
      const name = takenBy ? planDistinctAlarmName(namePrefix, service) : usual;
      plan.skipped.push({
        region,
        clusterName,
        serviceName,
        reason:
          chosen.kind === 'unmanaged'
            ? `alarm ${name} exists without the ecsops:managed=true tag; not overwriting it (delete it or use another --name-prefix)`
            : `alarm ${name} exists and its tags were not read; not overwriting it`,
      });
      continue;
    }
    claimed.set(chosen.key, me);
    const alarmName = chosen.definition.AlarmName;
    if (takenBy) {
      plan.renamed.push({ region, clusterName, serviceName, alarmName, takenName: usual, takenBy });
    }
    const tags = planAlarmTags({ clusterName, serviceName }, input.extraTags);
    if (chosen.kind === 'free') {
      plan.changes.push({
        kind: 'create-alarm',
        region,
        clusterName,
        serviceName,
        definition: chosen.definition,
        tags,
      });
    } else if (chosen.changes.length === 0) {
      plan.unchanged.push({ region, clusterName, serviceName, alarmName });
    } else {
      plan.changes.push({
        kind: 'update-alarm',
        region,
        clusterName,
        serviceName,
        definition: chosen.definition,
        tags,
        alarmArn: chosen.current.alarm.AlarmArn,
        currentTags: chosen.current.tags ?? [],
        changes: chosen.changes,
      });
    }
  }
  return plan;
}

/** The definition to write under `name`: the planned one, keeping the current actions if asked. */
function desiredDefinition(
  planned: MetricAlarmDefinition,
  name: string,
  current: ExistingAlarmState | undefined,
  keepActions: boolean | undefined,
): MetricAlarmDefinition {
  const definition = { ...planned, AlarmName: name };
  if (!keepActions || !current) return definition;
  return {
    ...definition,
    AlarmActions: [...(current.alarm.AlarmActions ?? [])],
    OKActions: [...(current.alarm.OKActions ?? [])],
    InsufficientDataActions: [...(current.alarm.InsufficientDataActions ?? [])],
  };
}

/** A warning for new alarms that would notify no one (no --sns-topic). */
export function findActionWarnings(changes: readonly AlarmChange[]): string[] {
  const silent = changes.filter((c) => c.kind === 'create-alarm' && c.definition.AlarmActions.length === 0);
  if (silent.length === 0) return [];
  return [
    `${silent.length} new alarm(s) have no actions: they change state but notify no one. Pass --sns-topic ARN to notify a topic.`,
  ];
}

/** An alarm as read for list/delete/prune: identity, state and tags. */
export interface AlarmRecord {
  region: string;
  alarmName: string;
  alarmArn: string;
  tags: AlarmTag[];
  stateValue: string | undefined;
  stateReason: string | undefined;
  /** When the state last changed, if DescribeAlarms said. */
  stateSince?: Date | undefined;
  /** Period × evaluation periods in seconds, if the alarm says. */
  evaluationSeconds?: number | undefined;
}

/** One alarm to delete and why. */
export interface AlarmDeletion {
  region: string;
  alarmName: string;
  clusterName: string | undefined;
  serviceName: string | undefined;
  reason: string;
}

/** Which alarms `alarm delete` removes: those of clusters (optionally only some services), or named ones. */
export type AlarmSelection =
  | { kind: 'services'; clusters: readonly string[]; services: readonly string[] }
  | { kind: 'names'; names: readonly string[] };

/**
 * Chooses the managed alarms that `alarm delete` removes. Names match alarm names exactly;
 * clusters (and optionally services) match the ecsops:cluster / ecsops:service tags. A named alarm
 * without the managed tag is refused, never deleted; a name found nowhere is reported in
 * `notFound` (already deleted, or never there: either way there is nothing to delete).
 */
export function planAlarmDeletions(
  alarms: readonly AlarmRecord[],
  selection: AlarmSelection,
): { deletions: AlarmDeletion[]; refused: AlarmRecord[]; notFound: string[] } {
  const deletions: AlarmDeletion[] = [];
  const refused: AlarmRecord[] = [];
  const names = new Set(selection.kind === 'names' ? selection.names : []);
  const clusters = new Set(selection.kind === 'services' ? selection.clusters : []);
  const services = new Set(selection.kind === 'services' ? selection.services : []);
  for (const alarm of alarms) {
    const target = managedTargetOf(alarm.tags);
    const byName = names.has(alarm.alarmName);
    const byTag =
      target !== undefined &&
      clusters.has(target.clusterName) &&
      (services.size === 0 || services.has(target.serviceName));
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
  return { deletions, refused, notFound: [...names].filter((n) => !found.has(n)) };
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
  | { topicArn: string; exists: true; kmsMasterKeyId: string | undefined; policy?: string | undefined }
  | { topicArn: string; exists: false }
  | { topicArn: string; exists: 'unknown'; reason: string };

/** Warnings about alarm topics: CloudWatch does not check actions, so a bad topic fails silently. */
export function findTopicWarnings(
  topics: readonly TopicState[],
  options: { events?: boolean } = {},
): string[] {
  const warnings: string[] = [];
  // EventBridge encrypts what it publishes with the topic's key too (docs/alarm-events.md).
  const principals = options.events
    ? 'cloudwatch.amazonaws.com and events.amazonaws.com'
    : 'cloudwatch.amazonaws.com';
  const what = options.events ? 'alarm notifications and ECS events' : 'alarm notifications';
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
          `SNS topic ${topic.topicArn} is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot grant ${principals} access: ${what} will not be delivered. Re-encrypt the topic with a customer managed key.`,
        );
      } else {
        warnings.push(
          `SNS topic ${topic.topicArn} is encrypted with KMS key ${key}: its key policy must allow the service principal${options.events ? 's' : ''} ${principals} kms:Decrypt and kms:GenerateDataKey*, or ${what} are dropped (and it must not be the AWS managed aws/sns key).`,
        );
      }
    }
  }
  return warnings;
}
