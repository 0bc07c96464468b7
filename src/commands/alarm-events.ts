/**
 * Reading and writing the ECS failure-events rules (one per cluster, see docs/alarm-events.md),
 * shared by `alarm create|list|delete|prune` and reused by `ecsops audit`.
 */
import {
  EVENTS_RULE_PREFIX,
  type EventsChange,
  type EventsRuleState,
  managedRuleCluster,
  planEventsRuleName,
} from '../core/alarm/events.js';
import { regionOfArn } from '../core/ecs-types.js';
import type { WritePacers } from './alarm-list.js';
import type { ChangeOutcome } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { readAll } from './read-all.js';

/**
 * The ecsops rules of these clusters on the default bus, with tags and targets: ListRules under the
 * ecsops prefix once per region, then ListTagsForResource and ListTargetsByRule only for the rules
 * named after one of the clusters (other clusters' rules are not read).
 */
export async function readEventsRules(
  ctx: CommandContext,
  clusters: readonly { region: string; clusterName: string }[],
): Promise<EventsRuleState[]> {
  const wanted = new Set(clusters.map((c) => `${c.region}\u0000${planEventsRuleName(c.clusterName)}`));
  const regions = [...new Set(clusters.map((c) => c.region))];
  const perRegion = await readAll(ctx, regions, async (region) => {
    const events = await ctx.aws.events(region);
    const listed = (await events.listRulesByPrefix(EVENTS_RULE_PREFIX)).filter((r) =>
      wanted.has(`${region}\u0000${r.name}`),
    );
    return readAll(ctx, listed, async (rule): Promise<EventsRuleState> => {
      const [tags, targets] = await Promise.all([
        events.listRuleTags(rule.arn),
        events.listTargets(rule.name),
      ]);
      return { ...rule, tags, targets };
    });
  });
  return perRegion.flat();
}

/** Whether a cluster has its ecsops events rule, and where that rule sends events. */
export interface ClusterEventsRuleStatus {
  region: string;
  clusterName: string;
  ruleName: string;
  /** The rule exists and carries the ecsops tags of this cluster. */
  present: boolean;
  /** The rule is ENABLED. */
  enabled: boolean;
  /** SNS topics the rule targets. */
  topicArns: string[];
}

/** The events-rule status of each cluster, from rules read with readEventsRules. */
export function findClusterEventsRules(
  clusters: readonly { region: string; clusterName: string }[],
  rules: readonly EventsRuleState[],
): ClusterEventsRuleStatus[] {
  return clusters.map((c) => {
    const ruleName = planEventsRuleName(c.clusterName);
    const rule = rules.find(
      (r) => r.region === c.region && r.name === ruleName && managedRuleCluster(r.tags) === c.clusterName,
    );
    return {
      region: c.region,
      clusterName: c.clusterName,
      ruleName,
      present: rule !== undefined,
      enabled: rule?.state === 'ENABLED',
      topicArns: (rule?.targets ?? []).filter((t) => t.Arn.includes(':sns:')).map((t) => t.Arn),
    };
  });
}

/** "Does this cluster have the ecsops events rule": reads the clusters' regions and answers per cluster. */
export async function readClusterEventsRules(
  ctx: CommandContext,
  clusters: readonly { region: string; clusterName: string }[],
): Promise<ClusterEventsRuleStatus[]> {
  return findClusterEventsRules(clusters, await readEventsRules(ctx, clusters));
}

/**
 * The apply phase of an events change: topic policies with the alarms (before any target can point
 * at a topic), then rules, then targets (a target needs its rule, and the rule's ARN allowed by the
 * topic policy, or EventBridge's first deliveries fail).
 */
export function eventsPhase(change: EventsChange, base: number): number {
  switch (change.kind) {
    case 'put-topic-policy':
      return base;
    case 'create-rule':
    case 'update-rule':
      return base + 1;
    case 'put-targets':
    case 'remove-targets':
    case 'delete-rule':
      return base + 2;
  }
}

/** Why an events change must not start given what happened so far, or undefined. */
export function eventsBlockedBy<C>(
  change: EventsChange,
  done: readonly ChangeOutcome<C>[],
  isEvents: (c: C) => EventsChange | undefined,
): string | undefined {
  if (change.kind !== 'put-targets') return undefined;
  for (const o of done) {
    const c = isEvents(o.change);
    if (!c || o.status === 'applied') continue;
    if (
      (c.kind === 'create-rule' || c.kind === 'update-rule') &&
      c.ruleName === change.ruleName &&
      c.region === change.region
    ) {
      return `rule ${c.ruleName} was not written${o.reason ? ` (${o.reason})` : ''}`;
    }
    if (c.kind === 'put-topic-policy' && change.targets.some((t) => t.Arn === c.topicArn)) {
      return `the policy of topic ${c.topicArn} was not updated${o.reason ? ` (${o.reason})` : ''}: EventBridge could not publish to it`;
    }
  }
  return undefined;
}

/** Applies one events change: the EventBridge / SNS writes it stands for, paced. */
export async function applyEventsChange(
  ctx: CommandContext,
  pacers: WritePacers,
  change: EventsChange,
): Promise<void> {
  switch (change.kind) {
    case 'put-topic-policy': {
      const region = regionOfArn(change.topicArn) ?? change.region;
      await (await ctx.aws.sns(region)).setTopicPolicy(
        pacers.start(region, 'sns:SetTopicAttributes'),
        change.topicArn,
        change.policy,
      );
      return;
    }
    case 'create-rule':
    case 'update-rule': {
      const events = await ctx.aws.events(change.region);
      await events.putRule(pacers.start(change.region, 'events:PutRule'), {
        name: change.ruleName,
        eventPattern: change.eventPattern,
        description: change.description,
        tags: change.tags,
      });
      // PutRule's Tags apply when the rule is created; an existing rule gets missing tags by TagResource.
      if (change.kind === 'update-rule' && change.missingTags.length) {
        await events.tagRule(
          pacers.followUp(change.region, 'events:TagResource'),
          change.ruleArn,
          change.missingTags,
        );
      }
      return;
    }
    case 'put-targets':
      await (await ctx.aws.events(change.region)).putTargets(
        pacers.start(change.region, 'events:PutTargets'),
        change.ruleName,
        change.targets,
      );
      return;
    case 'remove-targets':
      await (await ctx.aws.events(change.region)).removeTargets(
        pacers.start(change.region, 'events:RemoveTargets'),
        change.ruleName,
        change.ids,
      );
      return;
    case 'delete-rule': {
      const events = await ctx.aws.events(change.region);
      if (change.targetIds.length) {
        await events.removeTargets(
          pacers.start(change.region, 'events:RemoveTargets'),
          change.ruleName,
          change.targetIds,
        );
      }
      await events.deleteRule(pacers.followUp(change.region, 'events:DeleteRule'), change.ruleName);
      return;
    }
  }
}
