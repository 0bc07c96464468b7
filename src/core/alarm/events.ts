/**
 * Pure planning of the ECS failure-events rule `alarm create` makes per cluster (see
 * docs/alarm-events.md): the event pattern, the rule's targets (the alarms' SNS topics) and the
 * topic-policy statement that lets EventBridge publish. State in, changes out.
 */
import { createHash } from 'node:crypto';
import type { AlarmTag } from './plan.js';
import { TAG_KEYS } from './plan.js';

/** Every ecsops events rule name starts with this (ListRules NamePrefix finds them all). */
export const EVENTS_RULE_PREFIX = 'ecsops-events-';

/** EventBridge rule names: 1-64 characters of `.`, `-`, `_`, letters and digits (PutRule). */
export const MAX_RULE_NAME_LENGTH = 64;

/** EventBridge target ids: 1-64 characters of `.`, `-`, `_`, letters and digits (PutTargets). */
export const MAX_TARGET_ID_LENGTH = 64;

/** Event patterns may be at most 2048 characters (EventBridge quotas; docs/alarm-events.md). */
export const MAX_EVENT_PATTERN_LENGTH = 2048;

/** Targets ecsops puts on its rules carry this id prefix; other targets on the rule are left alone. */
export const TARGET_ID_PREFIX = 'ecsops-';

/** The topic-policy statement ecsops owns (updated in place, never duplicated). */
export const TOPIC_POLICY_SID = 'ecsops-events-publish';

/**
 * `ECS Service Action` events that mean "tasks are not running as declared" (docs/alarm-events.md):
 * the WARN event SERVICE_TASK_START_IMPAIRED and the ERROR events about placing or configuring
 * tasks. The two *_THROTTLED ERROR events are left out: they say the scheduler is slowed, not that
 * tasks are missing, and the alarm covers a throttle that lasts.
 */
export const SERVICE_ACTION_EVENT_NAMES = [
  'SERVICE_TASK_START_IMPAIRED',
  'SERVICE_TASK_PLACEMENT_FAILURE',
  'SERVICE_TASK_CONFIGURATION_FAILURE',
  'SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED',
] as const;

/** `ECS Deployment State Change` events worth a page: the circuit breaker failed a deployment. */
export const DEPLOYMENT_EVENT_NAMES = ['SERVICE_DEPLOYMENT_FAILED'] as const;

/** `stopCode` of a task that never started (docs/alarm-events.md, stopped task error codes). */
export const START_FAILURE_STOP_CODES = ['TaskFailedToStart'] as const;

/** `stoppedReason` beginnings of a task that could not start: secrets/registry auth, image pull. */
export const START_FAILURE_REASON_PREFIXES = [
  'ResourceInitializationError',
  'CannotPullContainerError',
] as const;

/** A cluster as the events rule needs it. */
export interface EventsCluster {
  region: string;
  clusterName: string;
  clusterArn: string;
}

/** An EventBridge target: id and ARN. */
export interface RuleTarget {
  Id: string;
  Arn: string;
}

/** A rule as ListRules, ListTagsForResource and ListTargetsByRule show it. */
export interface EventsRuleState {
  region: string;
  name: string;
  arn: string;
  eventPattern: string | undefined;
  state: string | undefined;
  description: string | undefined;
  /** Undefined when not read. */
  tags: AlarmTag[] | undefined;
  targets: RuleTarget[] | undefined;
}

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * The rule name of a cluster: `ecsops-events-<cluster>`, characters EventBridge refuses replaced
 * by `_`; a name over 64 characters is cut and the full cluster name's hash appended, so every
 * cluster keeps its own rule and the same one on every run.
 */
export function planEventsRuleName(clusterName: string): string {
  const safe = clusterName.replace(/[^.\-_A-Za-z0-9]/g, '_');
  const full = `${EVENTS_RULE_PREFIX}${safe}`;
  if (full.length <= MAX_RULE_NAME_LENGTH && safe === clusterName) return full;
  const hash = shortHash(clusterName);
  const room = MAX_RULE_NAME_LENGTH - EVENTS_RULE_PREFIX.length - hash.length - 1;
  return `${EVENTS_RULE_PREFIX}${safe.slice(0, room)}-${hash}`;
}

/** `arn:<partition>:<service>:<region>:<account>:...` parts of an ARN. */
function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition = 'aws', , region = '', account = ''] = arn.split(':');
  return { partition, region, account };
}

/** The ARN of a rule on the default event bus (known before PutRule: the topic policy needs it). */
export function planRuleArn(cluster: EventsCluster, ruleName: string): string {
  const { partition, account } = arnParts(cluster.clusterArn);
  return `arn:${partition}:events:${cluster.region}:${account}:rule/${ruleName}`;
}

/**
 * The event pattern of a cluster's rule. Service action and task events name the cluster in
 * `detail.clusterArn`; deployment events do not, only `resources` (the service ARN
 * `.../service/<cluster>/<service>`) does, hence the prefix match there.
 */
export function planEventPattern(
  cluster: EventsCluster,
  options: { taskStops: boolean },
): Record<string, unknown> {
  const { partition, account } = arnParts(cluster.clusterArn);
  const servicePrefix = `arn:${partition}:ecs:${cluster.region}:${account}:service/${cluster.clusterName}/`;
  const branches: Record<string, unknown>[] = [
    {
      'detail-type': ['ECS Service Action'],
      detail: { clusterArn: [cluster.clusterArn], eventName: [...SERVICE_ACTION_EVENT_NAMES] },
    },
    {
      'detail-type': ['ECS Deployment State Change'],
      resources: [{ prefix: servicePrefix }],
      detail: { eventName: [...DEPLOYMENT_EVENT_NAMES] },
    },
  ];
  if (options.taskStops) {
    branches.push({
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [cluster.clusterArn],
        lastStatus: ['STOPPED'],
        $or: [
          { stopCode: [...START_FAILURE_STOP_CODES] },
          { stoppedReason: START_FAILURE_REASON_PREFIXES.map((p) => ({ prefix: p })) },
        ],
      },
    });
  }
  return { source: ['aws.ecs'], $or: branches };
}

/** Objects with their keys sorted, recursively: the comparable form of a pattern or policy. */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Whether two JSON texts hold the same document (key order and spacing aside). */
export function sameJson(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  try {
    return JSON.stringify(canonicalJson(JSON.parse(a))) === JSON.stringify(canonicalJson(JSON.parse(b)));
  } catch {
    return false;
  }
}

/** The target id of a topic: `ecsops-<topic name>`, cut with a hash beyond 64 characters. */
export function planTargetId(topicArn: string): string {
  const name = (topicArn.split(':').pop() ?? topicArn).replace(/[^.\-_A-Za-z0-9]/g, '_');
  const full = `${TARGET_ID_PREFIX}${name}`;
  if (full.length <= MAX_TARGET_ID_LENGTH) return full;
  const hash = shortHash(topicArn);
  return `${full.slice(0, MAX_TARGET_ID_LENGTH - hash.length - 1)}-${hash}`;
}

/** The topics of `region` (from their ARNs): the only ones a rule there can target. */
export function topicsInRegion(topicArns: readonly string[], region: string): string[] {
  return topicArns.filter((arn) => arn.split(':')[3] === region);
}

/** The description of a cluster's rule. */
export function renderRuleDescription(clusterName: string): string {
  return `ECS events meaning tasks of cluster ${clusterName} are not running as declared. Managed by ecsops.`;
}

/** The tags of a cluster's rule. */
export function planRuleTags(clusterName: string, extraTags: readonly AlarmTag[] = []): AlarmTag[] {
  return [
    { Key: TAG_KEYS.managed, Value: 'true' },
    { Key: TAG_KEYS.cluster, Value: clusterName },
    ...extraTags,
  ];
}

/** The cluster a rule belongs to, when its tags mark it as an ecsops rule. */
export function managedRuleCluster(tags: readonly AlarmTag[] | undefined): string | undefined {
  if (!tags?.some((t) => t.Key === TAG_KEYS.managed && t.Value === 'true')) return undefined;
  return tags.find((t) => t.Key === TAG_KEYS.cluster)?.Value;
}

// ---------------------------------------------------------------------------------------------
// Topic policy

interface PolicyStatement {
  Sid?: string;
  [key: string]: unknown;
}

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement[] | PolicyStatement;
  [key: string]: unknown;
}

/** The statement letting EventBridge publish to `topicArn` for exactly these rules. */
export function planPublishStatement(topicArn: string, ruleArns: readonly string[]): PolicyStatement {
  return {
    Sid: TOPIC_POLICY_SID,
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: topicArn,
    Condition: { ArnEquals: { 'aws:SourceArn': [...new Set(ruleArns)].sort() } },
  };
}

/** The rule ARNs our statement already allows (`aws:SourceArn`, a string or a list). */
function allowedRuleArns(statement: PolicyStatement | undefined): string[] {
  const condition = statement?.Condition as Record<string, Record<string, unknown>> | undefined;
  const value = condition?.ArnEquals?.['aws:SourceArn'] ?? condition?.ArnLike?.['aws:SourceArn'];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Merges the EventBridge publish statement into a topic policy: every other statement and field is
 * kept as it is; ours (by Sid) is updated in place, allowing the rule ARNs it allowed before plus
 * `ruleArns`; absent, it is appended. `policy` undefined means the topic has none. Returns the new
 * policy text, or undefined when the policy already allows every rule (nothing to write). Throws
 * on a policy that is not JSON.
 */
export function mergeTopicPolicy(
  policy: string | undefined,
  topicArn: string,
  ruleArns: readonly string[],
): string | undefined {
  const document: PolicyDocument = policy
    ? (JSON.parse(policy) as PolicyDocument)
    : { Version: '2008-10-17', Id: '__default_policy_ID', Statement: [] };
  const statements = Array.isArray(document.Statement)
    ? [...document.Statement]
    : document.Statement
      ? [document.Statement]
      : [];
  const index = statements.findIndex((s) => s.Sid === TOPIC_POLICY_SID);
  const current = index >= 0 ? statements[index] : undefined;
  const wanted = planPublishStatement(topicArn, [...allowedRuleArns(current), ...ruleArns]);
  if (current && JSON.stringify(canonicalJson(current)) === JSON.stringify(canonicalJson(wanted))) {
    return undefined;
  }
  if (index >= 0) statements[index] = wanted;
  else statements.push(wanted);
  return JSON.stringify({ ...document, Statement: statements });
}

/**
 * The topic policy without `ruleArns` in our statement (the rules were deleted); the statement goes
 * when it allows no rule any more. Undefined when nothing changes. Other statements are kept.
 */
export function revokeFromTopicPolicy(
  policy: string | undefined,
  ruleArns: readonly string[],
): string | undefined {
  if (!policy) return undefined;
  let document: PolicyDocument;
  try {
    document = JSON.parse(policy) as PolicyDocument;
  } catch {
    return undefined;
  }
  const statements = Array.isArray(document.Statement)
    ? [...document.Statement]
    : document.Statement
      ? [document.Statement]
      : [];
  const index = statements.findIndex((s) => s.Sid === TOPIC_POLICY_SID);
  const current = statements[index];
  if (!current) return undefined;
  const before = allowedRuleArns(current);
  const left = before.filter((arn) => !ruleArns.includes(arn));
  if (left.length === before.length) return undefined;
  if (left.length === 0) statements.splice(index, 1);
  else statements[index] = planPublishStatement(String(current.Resource ?? ''), left);
  return JSON.stringify({ ...document, Statement: statements });
}

// ---------------------------------------------------------------------------------------------
// Planning

/** One planned write about events rules (`alarm create`, `alarm delete|prune`). */
export type EventsChange =
  | {
      kind: 'put-topic-policy';
      region: string;
      topicArn: string;
      policy: string;
      /** The rules whose ARNs the statement now allows (for the blockedBy of their targets). */
      ruleArns: string[];
      /** Set when the change takes deleted rules out of the statement instead. */
      revokedRuleArns?: string[];
    }
  | {
      kind: 'create-rule' | 'update-rule';
      region: string;
      clusterName: string;
      ruleName: string;
      ruleArn: string;
      eventPattern: string;
      description: string;
      tags: AlarmTag[];
      /** Tags the rule lacks (update only): TagResource adds them. */
      missingTags: AlarmTag[];
    }
  | {
      kind: 'put-targets';
      region: string;
      clusterName: string;
      ruleName: string;
      ruleArn: string;
      targets: RuleTarget[];
    }
  | { kind: 'remove-targets'; region: string; clusterName: string; ruleName: string; ids: string[] }
  | {
      kind: 'delete-rule';
      region: string;
      clusterName: string;
      ruleName: string;
      ruleArn: string;
      /** Targets removed first: EventBridge refuses to delete a rule that still has targets. */
      targetIds: string[];
      /** SNS topics among the targets (their policies name the rule). */
      topicArns: string[];
    };

/** The deletion of a cluster's events rule, or the topic-policy update that follows it. */
export type EventsRuleDeletion = Extract<EventsChange, { kind: 'delete-rule' | 'put-topic-policy' }>;

/**
 * The topic-policy updates after rule deletions: each topic the deleted rules targeted loses their
 * ARNs from the ecsops statement (the statement goes once empty). `policies` holds the topics'
 * current policies (undefined = none or unreadable: nothing planned for that topic).
 */
export function planTopicPolicyRevocations(
  deletions: readonly Extract<EventsChange, { kind: 'delete-rule' }>[],
  policies: ReadonlyMap<string, string | undefined>,
): Extract<EventsChange, { kind: 'put-topic-policy' }>[] {
  const byTopic = new Map<string, { region: string; ruleArns: string[] }>();
  for (const d of deletions) {
    for (const topic of d.topicArns) {
      const entry = byTopic.get(topic) ?? { region: topic.split(':')[3] || d.region, ruleArns: [] };
      entry.ruleArns.push(d.ruleArn);
      byTopic.set(topic, entry);
    }
  }
  return [...byTopic.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([topicArn, { region, ruleArns }]) => {
      const policy = revokeFromTopicPolicy(policies.get(topicArn), ruleArns);
      return policy === undefined
        ? []
        : [
            {
              kind: 'put-topic-policy' as const,
              region,
              topicArn,
              policy,
              ruleArns: [],
              revokedRuleArns: ruleArns,
            },
          ];
    });
}

/** A rule left alone, and why. */
export interface EventsRuleSkip {
  region: string;
  clusterName: string;
  ruleName: string;
  reason: string;
}

/** What planning the events rules starts from. */
export interface EventsPlanInput {
  clusters: readonly EventsCluster[];
  /** Rules found under EVENTS_RULE_PREFIX in the clusters' regions, tags and targets read for ours. */
  rules: readonly EventsRuleState[];
  /** The alarms' topics; their current policies (undefined = the topic has none / unknown). */
  topics: readonly { topicArn: string; region: string; policy: string | undefined; readable: boolean }[];
  taskStops: boolean;
  extraTags?: readonly AlarmTag[];
}

/** The result of planning the events rules. */
export interface EventsPlan {
  changes: EventsChange[];
  unchanged: { region: string; clusterName: string; ruleName: string }[];
  skipped: EventsRuleSkip[];
}

const tagMissing = (current: readonly AlarmTag[], wanted: readonly AlarmTag[]) =>
  wanted.filter((w) => !current.some((c) => c.Key === w.Key && c.Value === w.Value));

/** The rule a cluster wants: name, ARN, pattern text, description, tags and targets. */
export function planClusterRule(
  cluster: EventsCluster,
  topics: readonly string[],
  options: { taskStops: boolean; extraTags?: readonly AlarmTag[] | undefined },
) {
  const ruleName = planEventsRuleName(cluster.clusterName);
  const pattern = planEventPattern(cluster, options);
  return {
    ruleName,
    ruleArn: planRuleArn(cluster, ruleName),
    pattern,
    eventPattern: JSON.stringify(pattern),
    description: renderRuleDescription(cluster.clusterName),
    tags: planRuleTags(cluster.clusterName, options.extraTags),
    targets: [...new Set(topics)].map((arn): RuleTarget => ({ Id: planTargetId(arn), Arn: arn })),
  };
}

/**
 * Plans the events rules of `alarm create`: per cluster a rule with this pattern (created, updated
 * where pattern/state/description differ, else unchanged), its ecsops targets equal to the topics
 * (added or changed with PutTargets, stale ecsops ones removed, other targets left alone), and per
 * topic the policy statement allowing those rules. A rule of that name without the ecsops tags is
 * never touched.
 */
export function planEventsChanges(input: EventsPlanInput): EventsPlan {
  const plan: EventsPlan = { changes: [], unchanged: [], skipped: [] };
  const topicArns = input.topics.map((t) => t.topicArn);
  const byKey = new Map(input.rules.map((r) => [`${r.region}\u0000${r.name}`, r]));
  const ruleArnsByTopic = new Map<string, string[]>();
  const seen = new Set<string>();
  const clusters = [...input.clusters].sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
  for (const cluster of clusters) {
    const key = `${cluster.region}\u0000${cluster.clusterArn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A rule's targets must be in the rule's region (docs/alarm-events.md): topics elsewhere are skipped.
    const wanted = planClusterRule(cluster, topicsInRegion(topicArns, cluster.region), input);
    const base = { region: cluster.region, clusterName: cluster.clusterName, ruleName: wanted.ruleName };
    if (wanted.targets.length === 0) {
      plan.skipped.push({
        ...base,
        reason: `no --sns-topic in ${cluster.region}: an EventBridge rule can only target a topic in its own region`,
      });
      continue;
    }
    if (wanted.eventPattern.length > MAX_EVENT_PATTERN_LENGTH) {
      plan.skipped.push({
        ...base,
        reason: `its event pattern would exceed ${MAX_EVENT_PATTERN_LENGTH} characters`,
      });
      continue;
    }
    const current = byKey.get(`${cluster.region}\u0000${wanted.ruleName}`);
    if (current && managedRuleCluster(current.tags) !== cluster.clusterName) {
      plan.skipped.push({
        ...base,
        reason: `rule ${wanted.ruleName} exists without the ecsops:managed=true / ecsops:cluster=${cluster.clusterName} tags; not touching it`,
      });
      continue;
    }
    for (const t of wanted.targets)
      ruleArnsByTopic.set(t.Arn, [...(ruleArnsByTopic.get(t.Arn) ?? []), wanted.ruleArn]);
    let ruleChanged = false;
    if (!current) {
      plan.changes.push({ kind: 'create-rule', ...base, ...pick(wanted), missingTags: [] });
      ruleChanged = true;
    } else {
      const missingTags = tagMissing(current.tags ?? [], wanted.tags);
      if (
        !sameJson(current.eventPattern, wanted.eventPattern) ||
        current.state !== 'ENABLED' ||
        current.description !== wanted.description ||
        missingTags.length
      ) {
        plan.changes.push({ kind: 'update-rule', ...base, ...pick(wanted), missingTags });
        ruleChanged = true;
      }
    }
    const existingTargets = current?.targets ?? [];
    const ours = existingTargets.filter((t) => t.Id.startsWith(TARGET_ID_PREFIX));
    const toPut = wanted.targets.filter((w) => !ours.some((o) => o.Id === w.Id && o.Arn === w.Arn));
    const toRemove = ours.filter((o) => !wanted.targets.some((w) => w.Id === o.Id)).map((o) => o.Id);
    if (toPut.length)
      plan.changes.push({ kind: 'put-targets', ...base, ruleArn: wanted.ruleArn, targets: toPut });
    if (toRemove.length) plan.changes.push({ kind: 'remove-targets', ...base, ids: toRemove });
    if (!ruleChanged && !toPut.length && !toRemove.length) plan.unchanged.push(base);
  }
  for (const topic of input.topics) {
    const ruleArns = ruleArnsByTopic.get(topic.topicArn);
    if (!ruleArns?.length || !topic.readable) continue;
    const policy = mergeTopicPolicy(topic.policy, topic.topicArn, ruleArns);
    if (policy !== undefined) {
      plan.changes.push({
        kind: 'put-topic-policy',
        region: topic.region,
        topicArn: topic.topicArn,
        policy,
        ruleArns,
      });
    }
  }
  return plan;
}

function pick(wanted: ReturnType<typeof planClusterRule>) {
  return {
    ruleArn: wanted.ruleArn,
    eventPattern: wanted.eventPattern,
    description: wanted.description,
    tags: wanted.tags,
  };
}

/**
 * The ecsops targets to remove from the clusters' rules (`--no-actions`: the alarms notify no one,
 * so neither does the rule). Only managed rules, only targets with the ecsops id prefix.
 */
export function planEventsTargetRemovals(
  clusters: readonly EventsCluster[],
  rules: readonly EventsRuleState[],
): EventsChange[] {
  const changes: EventsChange[] = [];
  for (const cluster of clusters) {
    const ruleName = planEventsRuleName(cluster.clusterName);
    const rule = rules.find((r) => r.region === cluster.region && r.name === ruleName);
    if (!rule || managedRuleCluster(rule.tags) !== cluster.clusterName) continue;
    const ids = (rule.targets ?? []).filter((t) => t.Id.startsWith(TARGET_ID_PREFIX)).map((t) => t.Id);
    if (ids.length)
      changes.push({
        kind: 'remove-targets',
        region: cluster.region,
        clusterName: cluster.clusterName,
        ruleName,
        ids,
      });
  }
  return changes;
}

/**
 * The rules `alarm delete|prune` remove: a managed rule goes with the last managed alarm of its
 * cluster. `remaining` counts, per `region\0cluster`, the managed alarms left once the planned
 * deletions are done; `affected` are the clusters that lose an alarm in this run.
 */
export function planEventsRuleDeletions(
  rules: readonly EventsRuleState[],
  affected: ReadonlySet<string>,
  remaining: ReadonlyMap<string, number>,
): Extract<EventsChange, { kind: 'delete-rule' }>[] {
  const changes: Extract<EventsChange, { kind: 'delete-rule' }>[] = [];
  for (const rule of rules) {
    const clusterName = managedRuleCluster(rule.tags);
    if (!clusterName) continue;
    const key = `${rule.region}\u0000${clusterName}`;
    if (!affected.has(key) || (remaining.get(key) ?? 0) > 0) continue;
    changes.push({
      kind: 'delete-rule',
      region: rule.region,
      clusterName,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetIds: (rule.targets ?? []).map((t) => t.Id),
      topicArns: (rule.targets ?? []).filter((t) => t.Arn.includes(':sns:')).map((t) => t.Arn),
    });
  }
  return changes.sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
}
