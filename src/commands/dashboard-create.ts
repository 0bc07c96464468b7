import {
  planDashboardName,
  renderDashboardBody,
  sameDashboardBody,
  validateDashboardName,
} from '../core/alarm/dashboard.js';
import { ExitCode, UsageError } from '../errors.js';
import { renderPlanLines } from '../output/plan.js';
import { readServices } from './alarm-list.js';
import { confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { readNamedClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `dashboard create`. */
export interface DashboardCreateOptions extends MutatingOptions {
  clusters: string[];
  name?: string | undefined;
}

/**
 * `ecsops dashboard create`: one running/desired widget per cluster, written with PutDashboard only
 * when GetDashboard shows a different body, so a second run writes nothing.
 */
export async function runDashboardCreate(
  options: DashboardCreateOptions,
  ctx: CommandContext,
): Promise<ExitCode> {
  const { out } = ctx;
  if (options.clusters.length === 0) throw new UsageError('Name at least one --cluster');
  const name = options.name ?? planDashboardName(options.clusters);
  validateDashboardName(name);
  const regions = await resolveRegions(ctx);
  const clusters = await readNamedClusters(ctx, regions, options.clusters);
  const { services } = await readServices(ctx, clusters, 'all');
  const body = renderDashboardBody(
    clusters.map((c) => ({
      region: c.region,
      clusterName: c.clusterName,
      serviceNames: services
        .filter((s) => s.region === c.region && s.clusterName === c.clusterName)
        .map((s) => s.serviceName),
    })),
  );
  // Dashboards are listed per region; it lives in the first selected region and shows every
  // cluster's metrics from its own region.
  const home = regions[0] as string;
  const cloudwatch = await ctx.aws.cloudwatch(home);
  const current = await cloudwatch.getDashboardBody(name);
  const action = current === undefined ? 'create' : sameDashboardBody(current, body) ? 'unchanged' : 'update';
  const widgets = (JSON.parse(body) as { widgets: unknown[] }).widgets.length;
  const report = (status: string) =>
    out.json({
      dryRun: options.dryRun,
      region: home,
      dashboardName: name,
      action,
      status,
      widgets,
      services: services.length,
    });

  if (action === 'unchanged') {
    if (out.jsonMode) report('unchanged');
    else out.info(`Dashboard ${name} is up to date. Nothing to do.`);
    return ExitCode.ok;
  }
  if (!out.jsonMode) {
    const detail = `${widgets} widget(s), ${services.length} service(s) in ${clusters.map((c) => c.clusterName).join(', ')}`;
    out.result(
      renderPlanLines(
        [{ sign: action === 'create' ? '+' : '~', text: `${home} dashboard ${name}: ${detail}` }],
        out.colors,
      ),
    );
  }
  if (
    (await confirmApply(ctx, options, `${action === 'create' ? 'Create' : 'Update'} dashboard ${name}?`)) ===
    'dry-run'
  ) {
    if (out.jsonMode) report('planned');
    else out.info('Dry run: no changes were sent.');
    return ExitCode.ok;
  }
  const messages = await cloudwatch.putDashboard(name, body);
  for (const m of messages) out.warn(`PutDashboard: ${m}`);
  if (out.jsonMode) report('applied');
  else out.result(`${out.colors.green('applied')}  ${home} dashboard ${name}`);
  return ExitCode.ok;
}
