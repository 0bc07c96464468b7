import { resolveAlarmOptions } from '../core/alarm/definition.js';
import { alarmNameSearchPrefix } from '../core/alarm/name.js';
import {
  type AlarmChange,
  type AlarmPlan,
  type AlarmRename,
  type AlarmSkip,
  type AlarmTag,
  type ExistingAlarmState,
  findActionWarnings,
  findMissingTags,
  findTopicWarnings,
  planAlarmChanges,
  type TopicState,
  validateExtraTags,
} from '../core/alarm/plan.js';
import type { AlarmOptions } from '../core/alarm/types.js';
import { regionOfArn } from '../core/ecs-types.js';
import { InputError, UsageError } from '../errors.js';
import { alarmChangeLabel, reportAlarmCreatePlan } from '../output/alarm.js';
import type { CommandResult } from '../output/present.js';
import { createWritePacers, readServices } from './alarm-list.js';
import {
  type ApplyResult,
  applyChanges,
  applyExitCode,
  type ChangeOutcome,
  type MutatingOptions,
} from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAll } from './read-all.js';
import { readNamedClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Which services of the clusters get an alarm: `--all-services` or `--service NAME...`. */
export type ServiceSelection = { kind: 'all' } | { kind: 'named'; names: readonly [string, ...string[]] };

/**
 * What happens to the alarms' notification actions:
 * - `keep` (no --sns-topic): existing alarms keep theirs, new alarms get none (with a warning);
 * - `topics` (--sns-topic): ALARM, and unless `okActions` is false OK, notify these topics;
 * - `none` (--no-actions): every alarm's actions are removed.
 */
export type AlarmActionsChoice =
  | { kind: 'keep' }
  | { kind: 'topics'; topics: readonly [string, ...string[]]; okActions?: boolean | undefined }
  | { kind: 'none' };

/** Parsed flags of `alarm create`. */
export interface AlarmCreateOptions extends MutatingOptions {
  clusters: readonly [string, ...string[]];
  services: ServiceSelection;
  /** Threshold, periods, missing data, name prefix, description; the actions are `actions`. */
  alarm: Omit<AlarmOptions, 'topics' | 'okActions'>;
  actions: AlarmActionsChoice;
  tags: AlarmTag[];
  includeZeroDesired: boolean;
  enableInsights: boolean;
}

/** The typed result of `alarm create`. */
export interface AlarmCreateResult extends CommandResult {
  dryRun: boolean;
  /** Regions of the clusters (where the alarms live). */
  regions: string[];
  apply: ApplyResult<AlarmChange>;
  unchanged: AlarmPlan['unchanged'];
  skipped: AlarmSkip[];
  /** Services whose alarm has a distinct name because the usual one belongs to another service. */
  renamed: AlarmRename[];
  warnings: string[];
}

// Keys of per-region names (clusters, alarms): the same name in two regions is two things.
const targetKey = (region: string, name: string) => `${region}\u0000${name}`;

/**
 * `ecsops alarm create`: read clusters, services and existing alarms -> plan -> diff -> confirm ->
 * apply (Container Insights first, then the alarms, paced) -> typed result. A second run with the
 * same flags writes nothing.
 */
export async function runAlarmCreate(
  options: AlarmCreateOptions,
  ctx: CommandContext,
): Promise<AlarmCreateResult> {
  const { actions } = options;
  const alarmOptions = resolveAlarmOptions({
    ...options.alarm,
    topics: actions.kind === 'topics' ? [...actions.topics] : [],
    okActions: actions.kind === 'topics' ? actions.okActions : undefined,
  });
  validateExtraTags(options.tags);
  const regions = await resolveRegions(ctx);

  // Read: clusters (with Container Insights), services, alarms under the prefix, topics.
  const clusters = await readNamedClusters(ctx, regions, options.clusters);
  const insightsOff = clusters.filter((c) => c.containerInsights === 'disabled');
  if (insightsOff.length && !options.enableInsights) {
    const names = insightsOff.map((c) => c.clusterName).join(',');
    throw new UsageError(
      `Container Insights is off for cluster ${names}: the alarm's RunningTaskCount and DesiredTaskCount would never arrive.`,
      `Run: ecsops insights enable --cluster ${names}   (or add --enable-insights to do it in this run)`,
    );
  }
  const read = await readServices(
    ctx,
    clusters,
    options.services.kind === 'all' ? 'all' : options.services.names,
  );
  if (read.missing.length) {
    throw new InputError(`Service not found: ${read.missing.join(', ')}`, {
      hint: 'Nothing was changed. Check the service names.',
    });
  }
  const alarmRegions = [...new Set(clusters.map((c) => c.region))];
  const searchPrefix = alarmNameSearchPrefix(alarmOptions.namePrefix);
  const existingByRegion = await readAll(ctx, alarmRegions, async (region) =>
    (await (await ctx.aws.cloudwatch(region)).describeAlarmsByPrefix(searchPrefix)).map(
      (alarm): ExistingAlarmState => ({ region, alarm }),
    ),
  );
  const existing = existingByRegion.flat();
  const topicStates = await readTopics(ctx, alarmOptions.topics, alarmRegions[0] ?? 'us-east-1');

  // Plan; an existing alarm about to be written over is first identified by its tags.
  const planInput = {
    services: read.services,
    existing,
    options: alarmOptions,
    extraTags: options.tags,
    includeZeroDesired: options.includeZeroDesired,
    keepActions: actions.kind === 'keep',
  };
  let plan = planAlarmChanges(planInput);
  const byKey = new Map(existing.map((e) => [targetKey(e.region, e.alarm.AlarmName), e]));
  for (let pass = 0; plan.tagsNeeded.length > 0 && pass < 3; pass++) {
    const tags = await readAll(ctx, plan.tagsNeeded, async (a) =>
      a.alarmArn ? (await ctx.aws.cloudwatch(a.region)).listAlarmTags(a.alarmArn) : [],
    );
    plan.tagsNeeded.forEach((a, i) => {
      const state = byKey.get(targetKey(a.region, a.alarmName));
      if (state) state.tags = tags[i] ?? [];
    });
    plan = planAlarmChanges(planInput);
  }
  const changes: AlarmChange[] = [
    ...insightsOff.map(
      (c): AlarmChange => ({
        kind: 'enable-insights',
        region: c.region,
        clusterName: c.clusterName,
        clusterArn: c.clusterArn,
      }),
    ),
    ...plan.changes,
  ];
  const warnings = [...findTopicWarnings(topicStates), ...findActionWarnings(changes)];

  // Diff.
  for (const w of warnings) ctx.out.warn(w);
  reportAlarmCreatePlan(ctx.out, { changes, plan });

  // Confirm and apply: Container Insights first (the alarms need its data), then the alarms, paced
  // at 3 TPS. An alarm of a cluster whose Container Insights could not be turned on is skipped.
  const insightsOf = new Map(
    changes.flatMap((c) => (c.kind === 'enable-insights' ? [[targetKey(c.region, c.clusterName), c]] : [])),
  );
  let outcomeOf: Map<AlarmChange, ChangeOutcome<AlarmChange>> | undefined;
  const pacers = createWritePacers(ctx);
  const apply = await applyChanges(ctx, options, {
    changes,
    question: `Apply ${changes.length} change(s)?`,
    label: alarmChangeLabel,
    phaseOf: (c) => (c.kind === 'enable-insights' ? 0 : 1),
    blockedBy: (c, done) => {
      if (c.kind === 'enable-insights') return undefined;
      const prerequisite = insightsOf.get(targetKey(c.region, c.clusterName));
      if (!prerequisite) return undefined;
      // Outcomes are updated in place: one index of them serves every later question.
      outcomeOf ??= new Map(done.map((o) => [o.change, o]));
      const outcome = outcomeOf.get(prerequisite);
      if (outcome?.status === 'applied') return undefined;
      return `Container Insights could not be turned on for cluster ${c.clusterName}${outcome?.reason ? ` (${outcome.reason})` : ''}: no alarm without its data`;
    },
    applyOne: async (c) => {
      switch (c.kind) {
        case 'enable-insights':
          await (await ctx.aws.ecs(c.region)).updateClusterInsights(c.clusterArn, 'enabled');
          return;
        case 'create-alarm':
          // Tags on PutMetricAlarm take effect for a new alarm: one write instead of two.
          await (await ctx.aws.cloudwatch(c.region)).putMetricAlarm(
            pacers.start(c.region, 'PutMetricAlarm'),
            c.definition,
            c.tags,
          );
          return;
        case 'update-alarm': {
          const cloudwatch = await ctx.aws.cloudwatch(c.region);
          await cloudwatch.putMetricAlarm(pacers.start(c.region, 'PutMetricAlarm'), c.definition);
          // PutMetricAlarm ignores Tags on an update; TagResource only if something is missing. It
          // finishes a change already under way, so it is sent even after Ctrl-C.
          const missing = findMissingTags(c.currentTags, c.tags);
          if (missing.length && c.alarmArn)
            await cloudwatch.tagAlarm(pacers.followUp(c.region, 'TagResource'), c.alarmArn, missing);
          return;
        }
      }
    },
  });
  return {
    exitCode: applyExitCode(apply),
    dryRun: options.dryRun,
    regions: alarmRegions,
    apply,
    unchanged: plan.unchanged,
    skipped: plan.skipped,
    renamed: plan.renamed,
    warnings,
  };
}

/** GetTopicAttributes for each topic, in the topic's own region; a topic that cannot be read is a warning. */
async function readTopics(
  ctx: CommandContext,
  topics: readonly string[],
  fallbackRegion: string,
): Promise<TopicState[]> {
  return readAll(ctx, topics, async (topicArn): Promise<TopicState> => {
    try {
      return await (await ctx.aws.sns(regionOfArn(topicArn) ?? fallbackRegion)).readTopic(topicArn);
    } catch (error) {
      return { topicArn, exists: 'unknown', reason: describeError(error) };
    }
  });
}
