import { mapConcurrent } from '../core/concurrency.js';
import type { InsightsLevel } from '../core/ecs-types.js';
import {
  describeInsightsChange,
  findOutdatedAgents,
  type InsightsChange,
  MIN_INSIGHTS_AGENT_VERSION,
  planInsightsChanges,
} from '../core/insights.js';
import { ExitCode } from '../errors.js';
import { renderPlanLines } from '../output/plan.js';
import { confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAccountDefaults, warnUnreadableDefaults } from './insights-status.js';
import { assertClustersRead, readClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `insights enable` and `insights disable` (disable = level `disabled`). */
export interface InsightsApplyOptions extends MutatingOptions {
  clusters: string[];
  all: boolean;
  level: InsightsLevel;
  accountDefault: boolean;
  allowDowngrade: boolean;
  wait: boolean;
  waitTimeoutSeconds: number;
}

type ChangeStatus = 'planned' | 'applied' | 'failed' | 'not-started';
interface ChangeResult {
  change: InsightsChange;
  status: ChangeStatus;
  error?: string;
}

/** How often --wait asks CloudWatch for metrics. */
export const WAIT_POLL_MS = 15_000;

/** `ecsops insights enable|disable`: read -> plan -> diff -> confirm -> apply -> report (-> wait). */
export async function runInsightsApply(
  options: InsightsApplyOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
  const command = options.level === 'disabled' ? 'insights disable' : 'insights enable';
  const { out } = ctx;
  const regions = await resolveRegions(ctx);

  // Read.
  const wantsClusters = options.all || options.clusters.length > 0;
  const [read, defaults] = await Promise.all([
    wantsClusters
      ? readClusters(ctx, regions, options.all ? { all: true } : { names: options.clusters })
      : Promise.resolve({ clusters: [], missing: [], regionErrors: [] }),
    options.accountDefault ? readAccountDefaults(ctx, regions) : Promise.resolve([]),
  ]);
  assertClustersRead(read, regions);
  for (const e of read.regionErrors)
    out.error(`${e.region}: could not read clusters: ${describeError(e.error)}`);
  warnUnreadableDefaults(ctx, defaults);
  const unknownDefaults = defaults.filter((d) => d.value === 'unknown');

  // Plan.
  const plan = planInsightsChanges({
    clusters: read.clusters,
    accountDefaults: defaults.flatMap((d) =>
      d.value === 'unknown' ? [] : [{ region: d.region, value: d.value }],
    ),
    target: options.level,
    allowDowngrade: options.allowDowngrade,
  });
  const warnings = await collectWarnings(ctx, options, plan.changes);
  for (const w of warnings) out.warn(w);

  // Diff.
  if (!out.jsonMode) {
    if (plan.changes.length)
      out.result(
        renderPlanLines(
          plan.changes.map((c) => ({ sign: '~', text: describeInsightsChange(c) })),
          out.colors,
        ),
      );
    for (const u of plan.unchanged) out.info(`  ${u.region} ${u.target}: ${u.reason}`);
    out.info(`Plan: ${plan.changes.length} to change, ${plan.unchanged.length} unchanged.`);
  }
  const results: ChangeResult[] = plan.changes.map((change) => ({ change, status: 'planned' }));
  const report = (extra: Record<string, unknown> = {}) =>
    out.json({
      dryRun: options.dryRun,
      level: options.level,
      regions,
      changes: results.map(toJson),
      unchanged: plan.unchanged,
      warnings,
      errors: [
        ...read.regionErrors.map((e) => ({ region: e.region, message: describeError(e.error) })),
        ...unknownDefaults.map((d) => ({ region: d.region, message: 'could not read the account default' })),
      ],
      ...extra,
    });
  const readFailed = read.regionErrors.length > 0 || unknownDefaults.length > 0;

  if (plan.changes.length === 0) {
    if (out.jsonMode) report();
    else out.info('Nothing to do.');
    return readFailed ? ExitCode.aws : ExitCode.ok;
  }

  // Confirm.
  const decision = await confirmApply(ctx, options, `Apply ${plan.changes.length} change(s)?`);
  if (decision === 'dry-run') {
    if (out.jsonMode) report();
    else out.info('Dry run: no changes were sent.');
    return readFailed ? ExitCode.aws : ExitCode.ok;
  }

  // Apply.
  const progress = out.progress(`Applying ${plan.changes.length} change(s)`, plan.changes.length);
  const settled = await mapConcurrent(
    plan.changes,
    ctx.global.concurrency,
    async (change) => {
      const ecs = await ctx.aws.ecs(change.region);
      if (change.kind === 'put-account-setting-default') await ecs.putInsightsAccountDefault(change.to);
      else await ecs.updateClusterInsights(change.clusterArn, change.to);
      progress.tick(change.kind === 'update-cluster-setting' ? change.clusterName : 'account default');
    },
    ctx.signal,
  );
  progress.done();
  settled.forEach((s, i) => {
    const r = results[i] as ChangeResult;
    if (s.status === 'fulfilled') r.status = 'applied';
    else if (s.status === 'rejected') {
      r.status = 'failed';
      r.error = describeError(s.reason);
    } else r.status = 'not-started';
  });

  // Report.
  const applied = results.filter((r) => r.status === 'applied');
  const failed = results.filter((r) => r.status === 'failed');
  const notStarted = results.filter((r) => r.status === 'not-started');
  if (!out.jsonMode) {
    for (const r of results) {
      const label = describeInsightsChange(r.change);
      if (r.status === 'applied') out.result(`${out.colors.green('applied')}  ${label}`);
      else if (r.status === 'failed') out.result(`${out.colors.red('failed')}   ${label}: ${r.error}`);
      else out.result(`${out.colors.yellow('not started')} ${label}`);
    }
    out.info(`${applied.length} applied, ${failed.length} failed, ${notStarted.length} not started.`);
    if (failed.length || notStarted.length)
      out.info('Re-run the same command to finish: applied changes are skipped.');
  }

  if (ctx.signal.aborted) {
    if (out.jsonMode) report({ interrupted: true });
    return ExitCode.interrupted;
  }

  // Wait for metrics.
  let waitResults: { region: string; clusterName: string; metrics: 'appeared' | 'timed-out' }[] = [];
  if (options.wait && options.level !== 'disabled') {
    waitResults = await waitForMetrics(
      ctx,
      applied.map((r) => r.change),
      options.waitTimeoutSeconds,
    );
  }
  const interrupted = ctx.signal.aborted;
  if (out.jsonMode)
    report({ ...(options.wait ? { wait: waitResults } : {}), ...(interrupted ? { interrupted } : {}) });
  if (interrupted) return ExitCode.interrupted;
  if (failed.length) return ExitCode.partial;
  if (readFailed) return ExitCode.aws;
  if (waitResults.some((w) => w.metrics === 'timed-out')) return ExitCode.findings;
  return ExitCode.ok;
}

function toJson(r: ChangeResult) {
  const c = r.change;
  return {
    kind: c.kind,
    region: c.region,
    ...(c.kind === 'update-cluster-setting' ? { clusterName: c.clusterName, clusterArn: c.clusterArn } : {}),
    from: c.from,
    to: c.to,
    status: r.status,
    ...(r.error ? { error: r.error } : {}),
  };
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
  const withInstances = clusterChanges.filter((c) => c.containerInstances > 0);
  const settled = await mapConcurrent(
    withInstances,
    ctx.global.concurrency,
    async (c) => findOutdatedAgents(await (await ctx.aws.ecs(c.region)).listAgentVersions(c.clusterArn)),
    ctx.signal,
  );
  settled.forEach((s, i) => {
    const c = withInstances[i] as InsightsChange & { clusterName: string };
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

/** Polls ListMetrics in ECS/ContainerInsights per cluster until metrics appear or the timeout passes. */
async function waitForMetrics(
  ctx: CommandContext,
  changes: readonly InsightsChange[],
  timeoutSeconds: number,
): Promise<{ region: string; clusterName: string; metrics: 'appeared' | 'timed-out' }[]> {
  const clusters = changes.filter((c) => c.kind === 'update-cluster-setting');
  if (clusters.length === 0) return [];
  ctx.out.info(
    `Waiting up to ${timeoutSeconds}s for Container Insights metrics (first data usually takes a few minutes)...`,
  );
  const deadline = ctx.now() + timeoutSeconds * 1000;
  const settled = await mapConcurrent(
    clusters,
    ctx.global.concurrency,
    async (c) => {
      const cloudwatch = await ctx.aws.cloudwatch(c.region);
      for (;;) {
        if (await cloudwatch.hasContainerInsightsMetrics(c.clusterName)) return 'appeared' as const;
        if (ctx.now() + WAIT_POLL_MS > deadline || ctx.signal.aborted) return 'timed-out' as const;
        await ctx.sleep(WAIT_POLL_MS);
      }
    },
    ctx.signal,
  );
  return settled.map((s, i) => {
    const c = clusters[i] as InsightsChange & { clusterName: string };
    const metrics = s.status === 'fulfilled' ? s.value : 'timed-out';
    if (s.status === 'rejected') ctx.out.warn(`${c.region} ${c.clusterName}: ${describeError(s.reason)}`);
    if (!ctx.out.jsonMode) {
      ctx.out.result(
        metrics === 'appeared'
          ? `${c.region} ${c.clusterName}: Container Insights metrics are arriving`
          : `${c.region} ${c.clusterName}: no Container Insights metrics within ${timeoutSeconds}s`,
      );
    }
    return { region: c.region, clusterName: c.clusterName, metrics };
  });
}
