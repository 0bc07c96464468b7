import { alarmNameSearchPrefix, DEFAULT_NAME_PREFIX } from '../core/alarm/name.js';
import { dimensionTargetOf } from '../core/alarm/plan.js';
import { mapConcurrent } from '../core/concurrency.js';
import type { InsightsLevel } from '../core/ecs-types.js';
import {
  describeInsightsChange,
  findOutdatedAgents,
  type InsightsChange,
  type InsightsUnchanged,
  MIN_INSIGHTS_AGENT_VERSION,
  planInsightsChanges,
} from '../core/insights.js';
import { ExitCode, UsageError } from '../errors.js';
import { reportInsightsOutcomes, reportInsightsPlan } from '../output/insights.js';
import type { CommandResult } from '../output/present.js';
import {
  type ApplyResult,
  applyChanges,
  applyExitCode,
  type MutatingOptions,
  worstExitCode,
} from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAccountDefaults, warnUnreadableDefaults } from './insights-status.js';
import { readAll } from './read-all.js';
import { assertClustersRead, readClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Which clusters a command acts on: the named ones, every cluster of the regions, or none. */
export type ClusterSelection = { kind: 'named'; names: string[] } | { kind: 'all' } | { kind: 'none' };

/** Parsed flags of `insights enable` and `insights disable` (disable = level `disabled`). */
export interface InsightsApplyOptions extends MutatingOptions {
  clusters: ClusterSelection;
  accountDefault: boolean;
  level: InsightsLevel;
  allowDowngrade: boolean;
  /** --wait: poll for metrics this long after the apply. */
  wait?: { timeoutSeconds: number } | undefined;
  /** disable: go ahead even though ecsops alarms watch services of the clusters (--force). */
  force?: boolean | undefined;
}

/** What --wait saw for one cluster. */
export interface InsightsWaitResult {
  region: string;
  clusterName: string;
  metrics: 'appeared' | 'timed-out';
  /** Seconds actually waited. */
  waitedSeconds: number;
}

/** The typed result of `insights enable|disable`. */
export interface InsightsApplyResult extends CommandResult {
  level: InsightsLevel;
  dryRun: boolean;
  regions: string[];
  apply: ApplyResult<InsightsChange>;
  unchanged: InsightsUnchanged[];
  warnings: string[];
  /** Regions or account defaults that could not be read; the rest was planned. */
  errors: { region: string; message: string }[];
  wait?: { timeoutSeconds: number; clusters: InsightsWaitResult[] } | undefined;
}

/** How often --wait asks CloudWatch for metrics (bounded by the time left). */
export const WAIT_POLL_MS = 15_000;

/** `ecsops insights enable|disable`: read -> plan -> diff -> confirm -> apply -> report (-> wait). */
export async function runInsightsApply(
  options: InsightsApplyOptions,
  ctx: CommandContext,
): Promise<InsightsApplyResult> {
  const { out } = ctx;
  const regions = await resolveRegions(ctx);

  // Read.
  const selection = options.clusters;
  const [read, defaults] = await Promise.all([
    selection.kind === 'none'
      ? Promise.resolve({ clusters: [], missing: [], regionErrors: [] })
      : readClusters(ctx, regions, selection.kind === 'all' ? { all: true } : { names: selection.names }),
    options.accountDefault ? readAccountDefaults(ctx, regions) : Promise.resolve([]),
  ]);
  assertClustersRead(read, regions);
  for (const e of read.regionErrors)
    out.error(`${e.region}: could not read clusters: ${describeError(e.error)}`);
  warnUnreadableDefaults(ctx, defaults);
  const unknownDefaults = defaults.filter((d) => d.value === 'unknown');
  const errors = [
    ...read.regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
    ...unknownDefaults.map((d) => ({ region: d.region, message: 'could not read the account default' })),
  ];

  // Plan.
  const plan = planInsightsChanges({
    clusters: read.clusters,
    accountDefaults: defaults.flatMap((d) =>
      d.value === 'unknown' ? [] : [{ region: d.region, value: d.value }],
    ),
    target: options.level,
    allowDowngrade: options.allowDowngrade,
  });
  if (options.level === 'disabled' && !options.force) await refuseToBlindAlarms(ctx, plan.changes);
  const warnings = await collectWarnings(ctx, options, plan.changes);
  for (const w of warnings) out.warn(w);

  // Diff, confirm, apply.
  reportInsightsPlan(out, plan);
  const apply = await applyChanges(ctx, options, {
    changes: plan.changes,
    question: `Apply ${plan.changes.length} change(s)?`,
    label: describeInsightsChange,
    applyOne: async (change) => {
      const ecs = await ctx.aws.ecs(change.region);
      if (change.kind === 'put-account-setting-default') await ecs.putInsightsAccountDefault(change.to);
      else await ecs.updateClusterInsights(change.clusterArn, change.to);
    },
  });

  // Wait for metrics.
  let wait: InsightsApplyResult['wait'];
  if (options.wait && options.level !== 'disabled' && apply.mode === 'apply' && !apply.interrupted) {
    const applied = apply.outcomes.filter((o) => o.status === 'applied').map((o) => o.change);
    // What was applied is worth knowing before a wait of up to an hour.
    reportInsightsOutcomes(out, apply);
    wait = {
      timeoutSeconds: options.wait.timeoutSeconds,
      clusters: await waitForMetrics(ctx, applied, options.wait.timeoutSeconds),
    };
  }

  const readFailed = errors.length > 0;
  const exitCode = ctx.signal.aborted
    ? ExitCode.interrupted
    : worstExitCode(
        applyExitCode(apply),
        readFailed ? ExitCode.aws : ExitCode.ok,
        wait?.clusters.some((w) => w.metrics === 'timed-out') ? ExitCode.findings : ExitCode.ok,
      );
  return {
    exitCode,
    level: options.level,
    dryRun: options.dryRun,
    regions,
    apply,
    unchanged: plan.unchanged,
    warnings,
    errors,
    wait,
  };
}

/**
 * Refuses (exit 2) to turn Container Insights off for clusters whose services ecsops alarms watch:
 * the alarms would get no data and keep their last state, silently. Looks at the alarms under the
 * default name prefix (one DescribeAlarms listing per region), matched by their ClusterName dimension.
 */
async function refuseToBlindAlarms(ctx: CommandContext, changes: readonly InsightsChange[]): Promise<void> {
  const turnedOff = changes.flatMap((c) => (c.kind === 'update-cluster-setting' ? [c] : []));
  if (turnedOff.length === 0) return;
  const regions = [...new Set(turnedOff.map((c) => c.region))];
  const perRegion = await readAll(ctx, regions, async (region) => {
    const alarms = await (await ctx.aws.cloudwatch(region)).describeAlarmsByPrefix(
      alarmNameSearchPrefix(DEFAULT_NAME_PREFIX),
    );
    const clusters = new Set(turnedOff.filter((c) => c.region === region).map((c) => c.clusterName));
    return alarms.flatMap((a) => {
      const target = dimensionTargetOf(a);
      return target && clusters.has(target.clusterName)
        ? [{ region, alarmName: a.AlarmName, ...target }]
        : [];
    });
  });
  const blinded = perRegion.flat();
  if (blinded.length === 0) return;
  const clusters = [...new Set(blinded.map((b) => b.clusterName))].sort();
  throw new UsageError(
    `Refusing to turn Container Insights off for cluster ${clusters.join(', ')}: ${blinded.length} ecsops alarm(s) watch its services and would get no data, keeping their last state: ${blinded.map((b) => b.alarmName).join(', ')}`,
    `Nothing was changed. Delete the alarms first (ecsops alarm delete --cluster ${clusters.join(',')}), or pass --force to turn it off anyway.`,
  );
}

/** Warnings operators need before turning Container Insights on. */
async function collectWarnings(
  ctx: CommandContext,
  options: InsightsApplyOptions,
  changes: readonly InsightsChange[],
): Promise<string[]> {
  if (options.level === 'disabled' || changes.length === 0) return [];
  const warnings = [
    'Container Insights metrics are billed as CloudWatch custom metrics (enhanced observability emits more of them).',
  ];
  const clusterChanges = changes.filter((c) => c.kind === 'update-cluster-setting');
  if (clusterChanges.length) {
    warnings.push(
      'A cluster deleted and re-created under the same name within 7 days may not actually turn Container Insights on; use --wait to confirm metrics appear.',
    );
  }
  // Only clusters with EC2 container instances can run an agent that is too old; Fargate needs no check.
  const withInstances = clusterChanges.flatMap((c) =>
    c.kind === 'update-cluster-setting' && c.containerInstances > 0 ? [c] : [],
  );
  const settled = await mapConcurrent(
    withInstances,
    ctx.global.concurrency,
    async (c) => findOutdatedAgents(await (await ctx.aws.ecs(c.region)).listAgentVersions(c.clusterArn)),
    ctx.signal,
  );
  settled.forEach((s, i) => {
    const c = withInstances[i] as (typeof withInstances)[number];
    if (s.status === 'fulfilled' && s.value.length) {
      warnings.push(
        `${c.region} ${c.clusterName}: ${s.value.length} EC2 container instance(s) run an ECS agent older than ${MIN_INSIGHTS_AGENT_VERSION} and will not report Container Insights metrics; update the agent.`,
      );
    } else if (s.status === 'rejected') {
      warnings.push(
        `${c.region} ${c.clusterName}: could not check ECS agent versions: ${describeError(s.reason)}`,
      );
    }
  });
  return warnings;
}

/**
 * Polls ListMetrics in ECS/ContainerInsights per cluster until metrics appear or the timeout passes.
 * The last poll happens at the deadline: each sleep is bounded by the time left.
 */
async function waitForMetrics(
  ctx: CommandContext,
  changes: readonly InsightsChange[],
  timeoutSeconds: number,
): Promise<InsightsWaitResult[]> {
  const clusters = changes.flatMap((c) => (c.kind === 'update-cluster-setting' ? [c] : []));
  if (clusters.length === 0) return [];
  ctx.out.info(
    `Waiting up to ${timeoutSeconds}s for Container Insights metrics (first data usually takes a few minutes)...`,
  );
  const started = ctx.now();
  const deadline = started + timeoutSeconds * 1000;
  const settled = await mapConcurrent(
    clusters,
    ctx.global.concurrency,
    async (c) => {
      const cloudwatch = await ctx.aws.cloudwatch(c.region);
      for (;;) {
        if (await cloudwatch.hasContainerInsightsMetrics(c.clusterName)) return 'appeared' as const;
        const left = deadline - ctx.now();
        if (left <= 0 || ctx.signal.aborted) return 'timed-out' as const;
        await ctx.sleep(Math.min(WAIT_POLL_MS, left));
      }
    },
    ctx.signal,
  );
  const waitedSeconds = Math.round((ctx.now() - started) / 1000);
  return settled.map((s, i) => {
    const c = clusters[i] as (typeof clusters)[number];
    if (s.status === 'rejected') ctx.out.warn(`${c.region} ${c.clusterName}: ${describeError(s.reason)}`);
    const metrics = s.status === 'fulfilled' ? s.value : 'timed-out';
    return { region: c.region, clusterName: c.clusterName, metrics, waitedSeconds };
  });
}
