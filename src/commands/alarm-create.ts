import { planTaskHealthAlarm, resolveAlarmOptions } from '../core/alarm/definition.js';
import {
  type EventsChange,
  type EventsPlan,
  type EventsRuleState,
  planClusterRule,
  planEventsChanges,
  planEventsTargetRemovals,
  topicsInRegion,
} from '../core/alarm/events.js';
import { alarmNameSearchPrefix, planDistinctAlarmName } from '../core/alarm/name.js';
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
  planAlarmTags,
  type TopicState,
  validateExtraTags,
} from '../core/alarm/plan.js';
import { buildTemplate, type CfnTemplate } from '../core/alarm/template.js';
import type { AlarmOptions, ResolvedAlarmOptions } from '../core/alarm/types.js';
import type { ClusterState } from '../core/ecs-types.js';
import { regionOfArn } from '../core/ecs-types.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../errors.js';
import { alarmChangeLabel, reportAlarmCreatePlan } from '../output/alarm.js';
import type { CommandResult } from '../output/present.js';
import { renderTemplate, type TemplateFormat } from '../output/template.js';
import { applyEventsChange, eventsBlockedBy, eventsPhase, readEventsRules } from './alarm-events.js';
import { createWritePacers, readServices } from './alarm-list.js';
import {
  type ApplyResult,
  applyChanges,
  applyExitCode,
  type ChangeOutcome,
  type MutatingOptions,
  worstExitCode,
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
  /** Make the per-cluster ECS failure-events rule (false with --no-events). */
  events: boolean;
  /** The rule also matches tasks STOPPED because they failed to start (--task-stops). */
  taskStops: boolean;
  /** --emit cloudformation: print a template instead of writing anything. */
  emit?: { kind: 'cloudformation'; format: TemplateFormat } | undefined;
}

/** A write of `alarm create`: an alarm (or Container Insights) change, or an events-rule change. */
export type AlarmCreateChange = AlarmChange | EventsChange;

/** A service that is down or short at the moment its alarm is planned. */
export interface ServiceShortNow {
  region: string;
  clusterName: string;
  serviceName: string;
  runningCount: number;
  desiredCount: number;
}

/** The typed result of `alarm create`. */
export interface AlarmCreateResult extends CommandResult {
  kind: 'apply';
  dryRun: boolean;
  /** Regions of the clusters (where the alarms live). */
  regions: string[];
  apply: ApplyResult<AlarmCreateChange>;
  unchanged: AlarmPlan['unchanged'];
  skipped: AlarmSkip[];
  /** Services whose alarm has a distinct name because the usual one belongs to another service. */
  renamed: AlarmRename[];
  /** Events rules already as planned, and rules left alone. */
  eventsUnchanged: EventsPlan['unchanged'];
  eventsSkipped: EventsPlan['skipped'];
  /** Services running fewer tasks than desired right now (an alarm born in an outage). */
  shortNow: ServiceShortNow[];
  warnings: string[];
}

/** The typed result of `alarm create --emit cloudformation`: a template, nothing written. */
export interface AlarmEmitResult extends CommandResult {
  kind: 'emit';
  format: TemplateFormat;
  template: CfnTemplate;
  /** The rendered template, exactly as printed. */
  text: string;
  alarms: number;
  rules: number;
  skipped: AlarmSkip[];
  shortNow: ServiceShortNow[];
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
): Promise<AlarmCreateResult | AlarmEmitResult> {
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
  // Said at once: an alarm created during an outage starts from that state, not from health.
  const shortNow = findServicesShortNow(read.services);
  for (const s of shortNow) {
    ctx.out.warn(
      `${s.clusterName}/${s.serviceName}: running ${s.runningCount} of ${s.desiredCount} right now (${s.region}); the alarm starts from this state${s.runningCount === 0 ? `, and a service that never started sends no metrics: ${options.events ? 'the events rule is what reports it' : 'without the events rule (--no-events) nothing reports it'}` : ''}.`,
    );
  }
  if (options.emit) {
    const topicStates = await readTopics(ctx, alarmOptions.topics, alarmRegions[0] ?? 'us-east-1');
    return emitTemplate(ctx, options, {
      alarmOptions,
      clusters,
      services: read.services,
      shortNow,
      topicStates,
    });
  }
  const searchPrefix = alarmNameSearchPrefix(alarmOptions.namePrefix);
  const existingByRegion = await readAll(ctx, alarmRegions, async (region) =>
    (await (await ctx.aws.cloudwatch(region)).describeAlarmsByPrefix(searchPrefix)).map(
      (alarm): ExistingAlarmState => ({ region, alarm }),
    ),
  );
  const existing = existingByRegion.flat();
  // An events rule that cannot be read is not planned (a warning says why, exit 3); the alarms still are.
  const [topicStates, rulesRead] = await Promise.all([
    readTopics(ctx, alarmOptions.topics, alarmRegions[0] ?? 'us-east-1'),
    options.events
      ? readEventsRules(ctx, clusters).then(
          (rules) => ({ rules, error: undefined }),
          (error: unknown) => {
            if (error instanceof InterruptedError) throw error;
            return { rules: [], error: describeError(error) };
          },
        )
      : Promise.resolve({ rules: [], error: undefined }),
  ]);
  const rules = rulesRead.rules;
  const eventsUnreadable = rulesRead.error;

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
  const eventsPlan = eventsUnreadable
    ? { changes: [], unchanged: [], skipped: [] }
    : planEvents(options, clusters, rules, topicStates);
  const changes: AlarmCreateChange[] = [
    ...insightsOff.map(
      (c): AlarmChange => ({
        kind: 'enable-insights',
        region: c.region,
        clusterName: c.clusterName,
        clusterArn: c.clusterArn,
      }),
    ),
    ...plan.changes,
    ...eventsPlan.changes,
  ];
  const warnings = [
    ...findTopicWarnings(topicStates, { events: options.events }),
    ...findActionWarnings(plan.changes),
    ...(eventsUnreadable
      ? [
          `Could not read the ECS events rules: ${eventsUnreadable}. The events rule was not planned; the alarms were. Grant the events: actions (README, IAM permissions) or pass --no-events.`,
        ]
      : findEventsWarnings(options, clusters, rules, eventsPlan)),
  ];

  // Diff.
  for (const w of warnings) ctx.out.warn(w);
  reportAlarmCreatePlan(ctx.out, { changes, plan, events: eventsPlan });

  // Confirm and apply: Container Insights first (the alarms need its data), then the alarms, paced
  // at 3 TPS. An alarm of a cluster whose Container Insights could not be turned on is skipped.
  const insightsOf = new Map(
    changes.flatMap((c) => (c.kind === 'enable-insights' ? [[targetKey(c.region, c.clusterName), c]] : [])),
  );
  let outcomeOf: Map<AlarmCreateChange, ChangeOutcome<AlarmCreateChange>> | undefined;
  const pacers = createWritePacers(ctx);
  const apply = await applyChanges<AlarmCreateChange>(ctx, options, {
    changes,
    question: `Apply ${changes.length} change(s)?`,
    label: alarmChangeLabel,
    // Container Insights, then alarms and topic policies, then rules, then their targets.
    phaseOf: (c) => (isEventsChange(c) ? eventsPhase(c, 1) : c.kind === 'enable-insights' ? 0 : 1),
    blockedBy: (c, done) => {
      if (isEventsChange(c)) return eventsBlockedBy(c, done, asEventsChange);
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
      if (isEventsChange(c)) return applyEventsChange(ctx, pacers, c);
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
    kind: 'apply',
    exitCode: eventsUnreadable ? worstExitCode(applyExitCode(apply), ExitCode.aws) : applyExitCode(apply),
    dryRun: options.dryRun,
    regions: alarmRegions,
    apply,
    unchanged: plan.unchanged,
    skipped: plan.skipped,
    renamed: plan.renamed,
    eventsUnchanged: eventsPlan.unchanged,
    eventsSkipped: eventsPlan.skipped,
    shortNow,
    warnings,
  };
}

const EVENTS_KINDS = new Set<AlarmCreateChange['kind']>([
  'put-topic-policy',
  'create-rule',
  'update-rule',
  'put-targets',
  'remove-targets',
  'delete-rule',
]);

/** Whether a change of `alarm create` is about the events rule. */
export function isEventsChange(c: AlarmCreateChange): c is EventsChange {
  return EVENTS_KINDS.has(c.kind);
}

const asEventsChange = (c: AlarmCreateChange): EventsChange | undefined =>
  isEventsChange(c) ? c : undefined;

/** Services with fewer tasks running than desired at the time of reading. */
export function findServicesShortNow(
  services: readonly {
    region: string;
    clusterName: string;
    serviceName: string;
    desiredCount: number;
    runningCount?: number;
  }[],
): ServiceShortNow[] {
  return services.flatMap((s) =>
    s.runningCount !== undefined && s.desiredCount > 0 && s.runningCount < s.desiredCount
      ? [
          {
            region: s.region,
            clusterName: s.clusterName,
            serviceName: s.serviceName,
            runningCount: s.runningCount,
            desiredCount: s.desiredCount,
          },
        ]
      : [],
  );
}

/**
 * The events-rule plan for the actions choice: with --sns-topic, the rule targets those topics;
 * with --no-actions the rule's ecsops targets go (nobody is notified, as for the alarms); without
 * either, rules are left as they are.
 */
function planEvents(
  options: AlarmCreateOptions,
  clusters: readonly ClusterState[],
  rules: readonly EventsRuleState[],
  topics: readonly TopicState[],
): EventsPlan {
  const empty: EventsPlan = { changes: [], unchanged: [], skipped: [] };
  if (!options.events) return empty;
  if (options.actions.kind === 'none')
    return { ...empty, changes: planEventsTargetRemovals(clusters, rules) };
  if (options.actions.kind === 'keep') return empty;
  return planEventsChanges({
    clusters,
    rules,
    topics: topics.map((t) => ({
      topicArn: t.topicArn,
      region: regionOfArn(t.topicArn) ?? clusters[0]?.region ?? 'us-east-1',
      policy: t.exists === true ? t.policy : undefined,
      readable: t.exists === true,
    })),
    taskStops: options.taskStops,
    extraTags: options.tags,
  });
}

/** Warnings about the events rule that the plan alone does not show. */
function findEventsWarnings(
  options: AlarmCreateOptions,
  clusters: readonly ClusterState[],
  rules: readonly EventsRuleState[],
  plan: EventsPlan,
): string[] {
  if (!options.events) return [];
  const warnings: string[] = [];
  if (options.actions.kind === 'keep') {
    const names = new Set(rules.map((r) => `${r.region}\u0000${r.name}`));
    const without = clusters.filter(
      (c) => !names.has(`${c.region}\u0000${planClusterRule(c, [], options).ruleName}`),
    );
    if (without.length) {
      warnings.push(
        `No ECS events rule for cluster ${without.map((c) => c.clusterName).join(', ')}: a service that never starts sends no metrics, so its alarm stays silent. Pass --sns-topic to route ECS failure events to the topic too.`,
      );
    }
  }
  for (const s of plan.skipped)
    warnings.push(`${s.region} ${s.clusterName}: events rule skipped: ${s.reason}`);
  return warnings;
}

/** The alarms `alarm create` would write for these services (same builder as PutMetricAlarm). */
function planEmittedAlarms(
  services: readonly { region: string; clusterName: string; serviceName: string; desiredCount: number }[],
  alarmOptions: ResolvedAlarmOptions,
  options: AlarmCreateOptions,
): {
  alarms: { definition: ReturnType<typeof planTaskHealthAlarm>; tags: AlarmTag[] }[];
  skipped: AlarmSkip[];
} {
  const alarms: { definition: ReturnType<typeof planTaskHealthAlarm>; tags: AlarmTag[] }[] = [];
  const skipped: AlarmSkip[] = [];
  const names = new Set<string>();
  const sorted = [...services].sort(
    (a, b) =>
      a.region.localeCompare(b.region) ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.serviceName.localeCompare(b.serviceName),
  );
  for (const s of sorted) {
    const target = { clusterName: s.clusterName, serviceName: s.serviceName };
    if (s.desiredCount === 0 && !options.includeZeroDesired) {
      skipped.push({ ...s, reason: 'desired count is 0 (use --include-zero-desired to alarm anyway)' });
      continue;
    }
    let definition = planTaskHealthAlarm(target, alarmOptions);
    // Names that sanitise alike get the distinct name, as alarm create does.
    if (names.has(definition.AlarmName)) {
      definition = { ...definition, AlarmName: planDistinctAlarmName(alarmOptions.namePrefix, target) };
    }
    names.add(definition.AlarmName);
    alarms.push({ definition, tags: planAlarmTags(target, options.tags) });
  }
  return { alarms, skipped };
}

/** `--emit cloudformation`: the same alarms and rules as a template; reads only, zero writes. */
async function emitTemplate(
  ctx: CommandContext,
  options: AlarmCreateOptions,
  input: {
    alarmOptions: ResolvedAlarmOptions;
    clusters: readonly ClusterState[];
    services: readonly { region: string; clusterName: string; serviceName: string; desiredCount: number }[];
    shortNow: ServiceShortNow[];
    topicStates: readonly TopicState[];
  },
): Promise<AlarmEmitResult> {
  const emit = options.emit ?? { kind: 'cloudformation', format: 'json' };
  const { alarms, skipped } = planEmittedAlarms(input.services, input.alarmOptions, options);
  const topics = input.alarmOptions.topics;
  const rules =
    options.events && topics.length
      ? input.clusters.flatMap((c) => {
          const r = planClusterRule(c, topicsInRegion(topics, c.region), options);
          if (r.targets.length === 0) return [];
          return {
            ruleName: r.ruleName,
            description: r.description,
            pattern: r.pattern,
            ruleArn: r.ruleArn,
            targets: r.targets,
          };
        })
      : [];
  const regions = [...new Set(input.clusters.map((c) => c.region))];
  const template = buildTemplate({
    description: `ecsops task-health alarms${rules.length ? ' and ECS failure-events rules' : ''} for cluster(s) ${[...new Set(input.clusters.map((c) => c.clusterName))].sort().join(', ')}${regions.length > 1 ? '; alarms of several regions: deploy one stack per region' : ''}.`,
    topics,
    alarms,
    rules,
  });
  const warnings = findTopicWarnings(input.topicStates, { events: rules.length > 0 });
  if (rules.length) {
    warnings.push(
      'The template does not change topic policies (AWS::SNS::TopicPolicy would replace the whole policy): add the statement in its Metadata to each topic policy so EventBridge can publish.',
    );
  }
  for (const w of warnings) ctx.out.warn(w);
  return {
    kind: 'emit',
    exitCode: ExitCode.ok,
    format: emit.format,
    template,
    text: await renderTemplate(template, emit.format),
    alarms: alarms.length,
    rules: rules.length,
    skipped,
    shortNow: input.shortNow,
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
