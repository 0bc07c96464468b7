import { DELETE_ALARMS_BATCH } from '../aws/cloudwatch-alarms.js';
import {
  type EventsRuleDeletion,
  planEventsRuleDeletions,
  planTopicPolicyRevocations,
} from '../core/alarm/events.js';
import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import {
  type AlarmDeletion,
  type AlarmRecord,
  type AlarmSelection,
  managedTargetOf,
  planAlarmDeletions,
} from '../core/alarm/plan.js';
import { regionOfArn } from '../core/ecs-types.js';
import { UsageError } from '../errors.js';
import { deletionLabel, reportAlarmDeletePlan } from '../output/alarm.js';
import type { CommandResult } from '../output/present.js';
import { applyEventsChange, readEventsRules } from './alarm-events.js';
import { createWritePacers, readAlarmRecords, readNamedAlarmRecords } from './alarm-list.js';
import { type ApplyResult, applyChanges, applyExitCode, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { readAll } from './read-all.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm delete`. */
export interface AlarmDeleteOptions extends MutatingOptions {
  /** `--cluster` (with `--service`) or `--name`. */
  selection: AlarmSelection;
  namePrefix?: string | undefined;
}

/** A write of `alarm delete|prune`: an alarm, or the events rule of a cluster whose last alarm goes. */
export type AlarmDeleteChange = AlarmDeletion | EventsRuleDeletion;

/** Whether a change of `alarm delete|prune` is an events-rule deletion. */
export const isEventsDeletion = (c: AlarmDeleteChange): c is EventsRuleDeletion => 'kind' in c;

/** The typed result of `alarm delete` and `alarm prune`. */
export interface AlarmDeleteResult extends CommandResult {
  dryRun: boolean;
  apply: ApplyResult<AlarmDeleteChange>;
  warnings: string[];
}

/**
 * `ecsops alarm delete`: managed alarms by cluster, service or name; refuses unmanaged ones. A
 * named alarm that is not there (deleted by an earlier run) is a warning: a second run is a no-op.
 */
export async function runAlarmDelete(
  options: AlarmDeleteOptions,
  ctx: CommandContext,
): Promise<AlarmDeleteResult> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);

  // Read: alarms under the prefix plus any named outside it, all with tags.
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length) throw regionErrors[0]?.error;
  const { selection } = options;
  if (selection.kind === 'names') {
    const seen = new Set(records.map((r) => r.alarmName));
    const outside = [...new Set(selection.names)].filter((n) => !seen.has(n));
    records.push(...(await readNamedAlarmRecords(ctx, regions, outside)));
  }

  // Plan.
  const plan = planAlarmDeletions(records, selection);
  if (plan.refused.length) {
    throw new UsageError(
      `Refusing to delete alarm(s) not managed by ecsops (no ecsops:managed=true tag): ${plan.refused.map((r) => r.alarmName).join(', ')}`,
      'Nothing was deleted. ecsops only deletes alarms it created; remove others with aws cloudwatch delete-alarms.',
    );
  }
  const warnings = plan.notFound.length
    ? [
        `Alarm not found: ${plan.notFound.join(', ')} (searched ${regions.join(', ')}): nothing to delete for ${plan.notFound.length === 1 ? 'it' : 'them'}.`,
      ]
    : [];
  return applyDeletions(ctx, options, plan.deletions, records, warnings);
}

/**
 * The events rules that go with these deletions: a cluster's managed rule is deleted once none of
 * its managed alarms (of `records`, everything read under the prefix) is left.
 */
async function planRuleDeletions(
  ctx: CommandContext,
  deletions: readonly AlarmDeletion[],
  records: readonly AlarmRecord[],
): Promise<EventsRuleDeletion[]> {
  const key = (region: string, cluster: string) => `${region}\u0000${cluster}`;
  const affected = new Set(deletions.flatMap((d) => (d.clusterName ? [key(d.region, d.clusterName)] : [])));
  if (affected.size === 0) return [];
  const deleted = new Set(deletions.map((d) => `${d.region}\u0000${d.alarmName}`));
  const remaining = new Map<string, number>();
  for (const r of records) {
    const target = managedTargetOf(r.tags);
    if (!target || deleted.has(`${r.region}\u0000${r.alarmName}`)) continue;
    const k = key(r.region, target.clusterName);
    remaining.set(k, (remaining.get(k) ?? 0) + 1);
  }
  const clusters = [
    ...new Map(
      deletions.flatMap((d) =>
        d.clusterName
          ? [[key(d.region, d.clusterName), { region: d.region, clusterName: d.clusterName }]]
          : [],
      ),
    ).values(),
  ];
  const ruleDeletions = planEventsRuleDeletions(await readEventsRules(ctx, clusters), affected, remaining);
  // The topics those rules sent to: their policies lose the rules' ARNs once the rules are gone.
  const topics = [...new Set(ruleDeletions.flatMap((d) => d.topicArns))];
  const states = await readAll(ctx, topics, async (topicArn) => {
    try {
      return await (await ctx.aws.sns(regionOfArn(topicArn) ?? 'us-east-1')).readTopic(topicArn);
    } catch {
      return undefined;
    }
  });
  const policies = new Map(
    topics.map((arn, i) => {
      const state = states[i];
      return [arn, state?.exists === true ? state.policy : undefined];
    }),
  );
  return [...ruleDeletions, ...planTopicPolicyRevocations(ruleDeletions, policies)];
}

/**
 * Diff -> confirm -> DeleteAlarms (100 names a call per region, paced), then the events rules of
 * clusters left without alarms -> typed result; shared by delete and prune.
 */
export async function applyDeletions(
  ctx: CommandContext,
  options: MutatingOptions,
  deletions: readonly AlarmDeletion[],
  records: readonly AlarmRecord[],
  warnings: string[] = [],
): Promise<AlarmDeleteResult> {
  const eventsChanges = await planRuleDeletions(ctx, deletions, records);
  const ruleDeletions = eventsChanges.filter((c) => c.kind === 'delete-rule');
  const changes: AlarmDeleteChange[] = [...deletions, ...eventsChanges];
  for (const w of warnings) ctx.out.warn(w);
  reportAlarmDeletePlan(ctx.out, changes);
  const pacers = createWritePacers(ctx);
  const apply = await applyChanges<AlarmDeleteChange>(ctx, options, {
    changes,
    question: ruleDeletions.length
      ? `Delete ${deletions.length} alarm(s) and ${ruleDeletions.length} events rule(s)?`
      : `Delete ${deletions.length} alarm(s)?`,
    label: deletionLabel,
    // The alarms first; a cluster's rule goes only once all of its alarms went; the topic policies
    // lose a rule's ARN only once the rule is gone.
    phaseOf: (c) => (isEventsDeletion(c) ? (c.kind === 'delete-rule' ? 1 : 2) : 0),
    blockedBy: (c, done) => {
      if (!isEventsDeletion(c)) return undefined;
      if (c.kind === 'put-topic-policy') {
        const kept = done.find(
          (o) =>
            isEventsDeletion(o.change) &&
            o.change.kind === 'delete-rule' &&
            (c.revokedRuleArns ?? []).includes(o.change.ruleArn) &&
            o.status !== 'applied',
        );
        return kept ? 'a rule it names was not deleted' : undefined;
      }
      const left = done.find(
        (o) =>
          !isEventsDeletion(o.change) &&
          o.change.region === c.region &&
          o.change.clusterName === c.clusterName &&
          o.status !== 'applied',
      );
      return left
        ? `alarm ${(left.change as AlarmDeletion).alarmName} of the cluster was not deleted`
        : undefined;
    },
    // One DeleteAlarms call per 100 names per region; a failed call fails exactly its names. An
    // events rule is a batch of its own.
    batch: {
      size: DELETE_ALARMS_BATCH,
      key: (c) =>
        isEventsDeletion(c)
          ? `events ${c.region} ${c.kind === 'delete-rule' ? c.clusterName : c.topicArn}`
          : c.region,
      apply: async (batch) => {
        const first = batch[0];
        if (first === undefined) return;
        if (isEventsDeletion(first)) {
          for (const c of batch) if (isEventsDeletion(c)) await applyEventsChange(ctx, pacers, c);
          return;
        }
        await (await ctx.aws.cloudwatch(first.region)).deleteAlarms(
          pacers.start(first.region, 'DeleteAlarms'),
          batch.flatMap((d) => (isEventsDeletion(d) ? [] : [d.alarmName])),
        );
      },
    },
  });
  return { exitCode: applyExitCode(apply), dryRun: options.dryRun, apply, warnings };
}
