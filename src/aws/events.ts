/**
 * Amazon EventBridge calls ecsops makes for the ECS failure-events rule (default event bus only):
 * ListRules, ListTagsForResource, ListTargetsByRule, PutRule, TagResource, PutTargets, RemoveTargets,
 * DeleteRule. API pages and limits: docs/alarm-events.md §2.
 *
 * EventBridge APIs other than PutEvents default to 50 requests per second (docs/alarm-events.md);
 * writers pass a pacer well below that, and the client's adaptive retry covers the rest.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventsRuleState, RuleTarget } from '../core/alarm/events.js';
import type { AlarmTag } from '../core/alarm/plan.js';
import type { Pacer } from '../core/pacer.js';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const {
  DeleteRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
} = sdk('@aws-sdk/client-eventbridge');

/** ListRules / ListTargetsByRule page size: the API maximum, 100. */
export const EVENTS_LIST_PAGE = 100;
/** PutTargets and RemoveTargets take at most 10 targets per call. */
export const TARGETS_PER_CALL = 10;

/** A rule as ListRules returns it, before tags and targets are read. */
export type ListedRule = Omit<EventsRuleState, 'tags' | 'targets'>;

/** Every rule on the default bus whose name starts with `prefix` (ListRules, NextToken pages). */
export async function listRulesByPrefix(
  events: EventBridgeClient,
  region: string,
  prefix: string,
): Promise<ListedRule[]> {
  const rules: ListedRule[] = [];
  let NextToken: string | undefined;
  do {
    const out = await awsCall(
      { operation: 'events:ListRules', iamAction: 'events:ListRules', resource: `${prefix}*` },
      () => events.send(new ListRulesCommand({ NamePrefix: prefix, Limit: EVENTS_LIST_PAGE, NextToken })),
    );
    for (const r of out.Rules ?? []) {
      rules.push({
        region,
        name: r.Name ?? '',
        arn: r.Arn ?? '',
        eventPattern: r.EventPattern,
        state: r.State,
        description: r.Description,
      });
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return rules;
}

/** A rule's targets (ListTargetsByRule, NextToken pages). */
export async function listTargets(events: EventBridgeClient, ruleName: string): Promise<RuleTarget[]> {
  const targets: RuleTarget[] = [];
  let NextToken: string | undefined;
  do {
    const out = await awsCall(
      { operation: 'events:ListTargetsByRule', iamAction: 'events:ListTargetsByRule', resource: ruleName },
      () => events.send(new ListTargetsByRuleCommand({ Rule: ruleName, Limit: EVENTS_LIST_PAGE, NextToken })),
    );
    for (const t of out.Targets ?? []) targets.push({ Id: t.Id ?? '', Arn: t.Arn ?? '' });
    NextToken = out.NextToken;
  } while (NextToken);
  return targets;
}

/** A rule's tags (ListTagsForResource). */
export async function listRuleTags(events: EventBridgeClient, ruleArn: string): Promise<AlarmTag[]> {
  const out = await awsCall(
    { operation: 'events:ListTagsForResource', iamAction: 'events:ListTagsForResource', resource: ruleArn },
    () => events.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn })),
  );
  return (out.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** The rule PutRule writes. */
export interface RuleInput {
  name: string;
  eventPattern: string;
  description: string;
  /** Sent with PutRule; EventBridge applies them when it creates the rule. */
  tags: readonly AlarmTag[];
}

/** Creates or replaces an ENABLED rule on the default bus (PutRule). */
export async function putRule(events: EventBridgeClient, pacer: Pacer, rule: RuleInput): Promise<void> {
  await awsCall({ operation: 'events:PutRule', iamAction: 'events:PutRule', resource: rule.name }, () =>
    pacer.run(() =>
      events.send(
        new PutRuleCommand({
          Name: rule.name,
          EventPattern: rule.eventPattern,
          Description: rule.description,
          State: 'ENABLED',
          Tags: rule.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
        }),
      ),
    ),
  );
}

/** Adds tags to a rule (TagResource). */
export async function tagRule(
  events: EventBridgeClient,
  pacer: Pacer,
  ruleArn: string,
  tags: readonly AlarmTag[],
) {
  await awsCall({ operation: 'events:TagResource', iamAction: 'events:TagResource', resource: ruleArn }, () =>
    pacer.run(() => events.send(new TagResourceCommand({ ResourceARN: ruleArn, Tags: [...tags] }))),
  );
}

/** Throws when PutTargets/RemoveTargets answer with failed entries (they do not fail the call itself). */
function assertNoFailedEntries(
  operation: string,
  out: {
    FailedEntryCount?: number;
    FailedEntries?: { TargetId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  },
) {
  if (!out.FailedEntryCount) return;
  const detail = (out.FailedEntries ?? [])
    .map((e) => `${e.TargetId ?? '?'}: ${e.ErrorCode ?? ''} ${e.ErrorMessage ?? ''}`.trim())
    .join('; ');
  throw new Error(`${operation} failed for ${out.FailedEntryCount} target(s): ${detail}`);
}

/** Adds or replaces targets of a rule (PutTargets, 10 a call). */
export async function putTargets(
  events: EventBridgeClient,
  pacer: Pacer,
  ruleName: string,
  targets: readonly RuleTarget[],
) {
  for (let i = 0; i < targets.length; i += TARGETS_PER_CALL) {
    const batch = targets.slice(i, i + TARGETS_PER_CALL);
    const out = await awsCall(
      { operation: 'events:PutTargets', iamAction: 'events:PutTargets', resource: ruleName },
      () =>
        pacer.run(() =>
          events.send(new PutTargetsCommand({ Rule: ruleName, Targets: batch.map((t) => ({ ...t })) })),
        ),
    );
    assertNoFailedEntries('PutTargets', out);
  }
}

/** Removes targets of a rule by id (RemoveTargets, 10 a call). */
export async function removeTargets(
  events: EventBridgeClient,
  pacer: Pacer,
  ruleName: string,
  ids: readonly string[],
) {
  for (let i = 0; i < ids.length; i += TARGETS_PER_CALL) {
    const batch = ids.slice(i, i + TARGETS_PER_CALL);
    const out = await awsCall(
      { operation: 'events:RemoveTargets', iamAction: 'events:RemoveTargets', resource: ruleName },
      () => pacer.run(() => events.send(new RemoveTargetsCommand({ Rule: ruleName, Ids: batch }))),
    );
    assertNoFailedEntries('RemoveTargets', out);
  }
}

/** Deletes a rule that has no targets left (DeleteRule). */
export async function deleteRule(events: EventBridgeClient, pacer: Pacer, ruleName: string): Promise<void> {
  await awsCall({ operation: 'events:DeleteRule', iamAction: 'events:DeleteRule', resource: ruleName }, () =>
    pacer.run(() => events.send(new DeleteRuleCommand({ Name: ruleName }))),
  );
}

/** The EventBridge operations ecsops makes, bound to one region. */
export interface EventsApi {
  readonly region: string;
  listRulesByPrefix(prefix: string): Promise<ListedRule[]>;
  listTargets(ruleName: string): Promise<RuleTarget[]>;
  listRuleTags(ruleArn: string): Promise<AlarmTag[]>;
  putRule(pacer: Pacer, rule: RuleInput): Promise<void>;
  tagRule(pacer: Pacer, ruleArn: string, tags: readonly AlarmTag[]): Promise<void>;
  putTargets(pacer: Pacer, ruleName: string, targets: readonly RuleTarget[]): Promise<void>;
  removeTargets(pacer: Pacer, ruleName: string, ids: readonly string[]): Promise<void>;
  deleteRule(pacer: Pacer, ruleName: string): Promise<void>;
}

/** Binds the EventBridge operations to one region's client. */
export function createEventsApi(events: EventBridgeClient, region: string): EventsApi {
  return {
    region,
    listRulesByPrefix: (prefix) => listRulesByPrefix(events, region, prefix),
    listTargets: (ruleName) => listTargets(events, ruleName),
    listRuleTags: (ruleArn) => listRuleTags(events, ruleArn),
    putRule: (pacer, rule) => putRule(events, pacer, rule),
    tagRule: (pacer, ruleArn, tags) => tagRule(events, pacer, ruleArn, tags),
    putTargets: (pacer, ruleName, targets) => putTargets(events, pacer, ruleName, targets),
    removeTargets: (pacer, ruleName, ids) => removeTargets(events, pacer, ruleName, ids),
    deleteRule: (pacer, ruleName) => deleteRule(events, pacer, ruleName),
  };
}
