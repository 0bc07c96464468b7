import { resolveAlarmOptions } from '../core/alarm/definition.js';
import { alarmNameSearchPrefix } from '../core/alarm/name.js';
import {
  type AlarmChange,
  type AlarmSkip,
  type AlarmTag,
  findMissingTags,
  findTopicWarnings,
  isManagedAlarm,
  planAlarmChanges,
  type TopicState,
  validateExtraTags,
} from '../core/alarm/plan.js';
import type { AlarmOptions, ExistingMetricAlarm } from '../core/alarm/types.js';
import { mapConcurrent } from '../core/concurrency.js';
import { regionOfArn } from '../core/ecs-types.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { type PlanLine, renderPlanLines } from '../output/plan.js';
import { createWritePacers, readServices } from './alarm-list.js';
import { confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readNamedClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm create`. */
export interface AlarmCreateOptions extends MutatingOptions {
  clusters: string[];
  /** Service names; empty with `allServices`. */
  services: string[];
  allServices: boolean;
  alarm: AlarmOptions;
  tags: AlarmTag[];
  includeZeroDesired: boolean;
  enableInsights: boolean;
}

type Status = 'planned' | 'applied' | 'failed' | 'not-started';
interface ChangeResult {
  change: AlarmChange;
  status: Status;
  error?: string;
  /** For updates: the alarm's current tags, read before confirming. */
  currentTags?: AlarmTag[];
}

const targetOf = (c: AlarmChange) =>
  c.kind === 'enable-insights' ? c.clusterName : `${c.clusterName}/${c.serviceName}`;

function describeChange(change: AlarmChange): PlanLine[] {
  switch (change.kind) {
    case 'enable-insights':
      return [
        { sign: '~', text: `${change.region} ${change.clusterName}: containerInsights disabled -> enabled` },
      ];
    case 'create-alarm':
      return [{ sign: '+', text: `${change.region} ${change.definition.AlarmName} (${targetOf(change)})` }];
    case 'update-alarm':
      return [
        { sign: '~', text: `${change.region} ${change.definition.AlarmName} (${targetOf(change)})` },
        ...change.changes.map((c) => ({
          sign: '~' as const,
          text: `    ${c.field}: ${JSON.stringify(c.before) ?? 'unset'} -> ${JSON.stringify(c.after) ?? 'unset'}`,
        })),
      ];
  }
}

/**
 * `ecsops alarm create`: read clusters, services and existing alarms -> plan -> diff -> confirm ->
 * apply (paced) -> report. A second run with the same flags writes nothing.
 */
export async function runAlarmCreate(options: AlarmCreateOptions, ctx: CommandContext): Promise<ExitCode> {
  const { out } = ctx;
  if (options.clusters.length === 0) throw new UsageError('Name at least one --cluster');
  if (options.allServices && options.services.length)
    throw new UsageError('--service and --all-services cannot be used together');
  if (!options.allServices && options.services.length === 0) {
    throw new UsageError(
      'Choose services with --service NAME or --all-services',
      'Example: ecsops alarm create --cluster prod --all-services --dry-run',
    );
  }
  const alarmOptions = resolveAlarmOptions(options.alarm);
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
  const read = await readServices(ctx, clusters, options.allServices ? 'all' : options.services);
  if (read.missing.length) {
    throw new InputError(`Service not found: ${read.missing.join(', ')}`, {
      hint: 'Nothing was changed. Check the service names.',
    });
  }
  const alarmRegions = [...new Set(clusters.map((c) => c.region))];
  const existingByRegion = await mapConcurrent(
    alarmRegions,
    ctx.global.concurrency,
    async (region) =>
      (await ctx.aws.cloudwatch(region)).describeAlarmsByPrefix(
        alarmNameSearchPrefix(alarmOptions.namePrefix),
      ),
    ctx.signal,
  );
  const existing: { region: string; alarm: ExistingMetricAlarm }[] = [];
  existingByRegion.forEach((s, i) => {
    if (s.status === 'rejected') throw s.reason;
    if (s.status === 'fulfilled')
      existing.push(...s.value.map((alarm) => ({ region: alarmRegions[i] as string, alarm })));
  });
  const warnings = findTopicWarnings(
    await readTopics(ctx, alarmOptions.topics, alarmRegions[0] ?? 'us-east-1'),
  );

  // Plan.
  const plan = planAlarmChanges({
    services: read.services,
    existing,
    options: alarmOptions,
    extraTags: options.tags,
    includeZeroDesired: options.includeZeroDesired,
  });
  const results: ChangeResult[] = [
    ...insightsOff.map(
      (c): ChangeResult => ({
        change: {
          kind: 'enable-insights',
          region: c.region,
          clusterName: c.clusterName,
          clusterArn: c.clusterArn,
        },
        status: 'planned',
      }),
    ),
  ];
  const skipped: AlarmSkip[] = [...plan.skipped];
  // An existing alarm of the same name is overwritten only if ecsops made it: read its tags now, so
  // the plan already says which ones will be left alone.
  const updates = plan.changes.filter((c) => c.kind === 'update-alarm');
  const updateTags = await mapConcurrent(
    updates,
    ctx.global.concurrency,
    async (c) => (c.alarmArn ? (await ctx.aws.cloudwatch(c.region)).listAlarmTags(c.alarmArn) : []),
    ctx.signal,
  );
  for (const change of plan.changes) {
    if (change.kind !== 'update-alarm') {
      results.push({ change, status: 'planned' });
      continue;
    }
    const tags = updateTags[updates.indexOf(change)];
    if (tags?.status === 'rejected') throw tags.reason;
    const currentTags = tags?.status === 'fulfilled' ? tags.value : [];
    if (!isManagedAlarm(currentTags)) {
      skipped.push({
        region: change.region,
        clusterName: change.clusterName,
        serviceName: change.serviceName,
        reason: `alarm ${change.definition.AlarmName} exists without the ecsops:managed=true tag; not overwriting it (delete it or use another --name-prefix)`,
      });
      continue;
    }
    results.push({ change, status: 'planned', currentTags });
  }

  // Diff.
  const count = (kind: AlarmChange['kind']) => results.filter((r) => r.change.kind === kind).length;
  for (const w of warnings) out.warn(w);
  if (!out.jsonMode) {
    if (results.length)
      out.result(
        renderPlanLines(
          results.flatMap((r) => describeChange(r.change)),
          out.colors,
        ),
      );
    for (const s of skipped) out.info(`  skipped ${s.region} ${s.clusterName}/${s.serviceName}: ${s.reason}`);
    out.info(
      `Plan: ${count('create-alarm')} to create, ${count('update-alarm')} to update, ${plan.unchanged.length} unchanged, ${skipped.length} skipped` +
        (count('enable-insights')
          ? `, Container Insights to enable on ${count('enable-insights')} cluster(s).`
          : '.'),
    );
  }
  const report = (extra: Record<string, unknown> = {}) =>
    out.json({
      dryRun: options.dryRun,
      regions: alarmRegions,
      changes: results.map(toJson),
      unchanged: plan.unchanged,
      skipped,
      warnings,
      ...extra,
    });

  if (results.length === 0) {
    if (out.jsonMode) report();
    else out.info('Nothing to do.');
    return ExitCode.ok;
  }

  // Confirm.
  if ((await confirmApply(ctx, options, `Apply ${results.length} change(s)?`)) === 'dry-run') {
    if (out.jsonMode) report();
    else out.info('Dry run: no changes were sent.');
    return ExitCode.ok;
  }

  // Apply: Container Insights first (the alarms need its data), then the alarms, paced at 3 TPS.
  const pacer = createWritePacers(ctx);
  const progress = out.progress(`Applying ${results.length} change(s)`, results.length);
  const apply = async (r: ChangeResult): Promise<void> => {
    const c = r.change;
    switch (c.kind) {
      case 'enable-insights':
        await (await ctx.aws.ecs(c.region)).updateClusterInsights(c.clusterArn, 'enabled');
        break;
      case 'create-alarm':
        // Tags on PutMetricAlarm take effect for a new alarm: one write instead of two.
        await (await ctx.aws.cloudwatch(c.region)).putMetricAlarm(
          pacer(c.region, 'PutMetricAlarm'),
          c.definition,
          c.tags,
        );
        break;
      case 'update-alarm': {
        const cloudwatch = await ctx.aws.cloudwatch(c.region);
        await cloudwatch.putMetricAlarm(pacer(c.region, 'PutMetricAlarm'), c.definition);
        // PutMetricAlarm ignores Tags on an update; TagResource only if something is missing.
        const missing = findMissingTags(r.currentTags ?? [], c.tags);
        if (missing.length && c.alarmArn)
          await cloudwatch.tagAlarm(pacer(c.region, 'TagResource'), c.alarmArn, missing);
        break;
      }
    }
    progress.tick(c.kind === 'enable-insights' ? c.clusterName : c.definition.AlarmName);
  };
  const settle = async (batch: ChangeResult[]) => {
    const settled = await mapConcurrent(batch, ctx.global.concurrency, apply, ctx.signal);
    settled.forEach((s, i) => {
      const r = batch[i] as ChangeResult;
      if (s.status === 'fulfilled') r.status = 'applied';
      else if (s.status === 'rejected') {
        r.status = 'failed';
        r.error = describeError(s.reason);
      } else r.status = 'not-started';
    });
  };
  await settle(results.filter((r) => r.change.kind === 'enable-insights'));
  await settle(results.filter((r) => r.change.kind !== 'enable-insights'));
  progress.done();

  // Report.
  const failed = results.filter((r) => r.status === 'failed');
  const notStarted = results.filter((r) => r.status === 'not-started');
  if (!out.jsonMode) {
    for (const r of results) {
      const label =
        r.change.kind === 'enable-insights'
          ? `${r.change.clusterName}: containerInsights enabled`
          : r.change.definition.AlarmName;
      if (r.status === 'applied') out.result(`${out.colors.green('applied')}  ${r.change.region} ${label}`);
      else if (r.status === 'failed')
        out.result(`${out.colors.red('failed')}   ${r.change.region} ${label}: ${r.error}`);
      else out.result(`${out.colors.yellow('not started')} ${r.change.region} ${label}`);
    }
    out.info(
      `${results.length - failed.length - notStarted.length} applied, ${failed.length} failed, ${notStarted.length} not started.`,
    );
    if (failed.length || notStarted.length)
      out.info('Re-run the same command to finish: alarms already in place are skipped.');
  }
  if (ctx.signal.aborted) {
    if (out.jsonMode) report({ interrupted: true });
    return ExitCode.interrupted;
  }
  if (out.jsonMode) report();
  return failed.length ? ExitCode.partial : ExitCode.ok;
}

/** GetTopicAttributes for each topic, in the topic's own region. */
async function readTopics(
  ctx: CommandContext,
  topics: readonly string[],
  fallbackRegion: string,
): Promise<TopicState[]> {
  if (topics.length === 0) return [];
  const settled = await mapConcurrent(
    topics,
    ctx.global.concurrency,
    async (topic) => (await ctx.aws.sns(regionOfArn(topic) ?? fallbackRegion)).readTopic(topic),
    ctx.signal,
  );
  return settled.map((s, i): TopicState => {
    const topicArn = topics[i] as string;
    if (s.status === 'fulfilled') return s.value;
    return {
      topicArn,
      exists: 'unknown',
      reason: s.status === 'rejected' ? describeError(s.reason) : 'not checked',
    };
  });
}

function toJson(r: ChangeResult) {
  const c = r.change;
  return {
    kind: c.kind,
    region: c.region,
    clusterName: c.clusterName,
    ...(c.kind === 'enable-insights'
      ? { clusterArn: c.clusterArn }
      : {
          serviceName: c.serviceName,
          alarmName: c.definition.AlarmName,
          ...(c.kind === 'update-alarm' ? { fieldChanges: c.changes } : {}),
        }),
    status: r.status,
    ...(r.error ? { error: r.error } : {}),
  };
}
